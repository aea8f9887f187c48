#!/usr/bin/env bash
# Same bits on ARM64, executed (docs/neon.md): runs every optimizer configuration of the bitwise
# tests on x64 and on ARM64 under qemu's user-mode emulator, and compares the digests of the
# results case by case. From a clean clone on a linux-x64 Debian machine:
#   1. installs qemu-user and the ARM64 C and C++ libraries when missing (apt-get; needs root);
#   2. publishes tools/CrossArch self-contained for linux-x64 and linux-arm64;
#   3. runs it on x64, then on ARM64 (which also continues from x64's checkpoint files), then on
#      x64 again (continuing from ARM64's);
#   4. prints a line per case that is not identical on both, then, last,
#      "N cases, N identical on ARM64 and x64".
# Exits 0 only when every case is identical, both runs have the same cases and neither run
# failed a case on its own machine (paths that disagree, a resumed run that differs, an error).
# KERNELGEN_CROSSARCH_PERTURB=arm64:NAME (or x64:NAME) flips a bit of case NAME's digest on
# that machine only, to see the check fail and name the case.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "check-arm64: runs on linux-x64 (this is $(uname -s)-$(uname -m))" >&2
  exit 1
fi

sysroot=/usr/aarch64-linux-gnu
missing=()
for package in qemu-user libc6-arm64-cross libstdc++6-arm64-cross; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "=== installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "check-arm64: installing packages needs root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

out=artifacts/crossarch
rm -rf "$out"
for rid in linux-x64 linux-arm64; do
  echo "=== dotnet publish tools/CrossArch -r $rid (at ${SECONDS} s)"
  # The runtime for net10.0 only: a RID-specific restore of its other targets would need their
  # runtime packs (the registry has no .NET 8 one for linux-arm64).
  dotnet publish tools/CrossArch -c Release -r "$rid" --self-contained -o "$out/$rid" -warnaserror -p:KernelGenTargetFrameworks=net10.0
done

# Every method compiled fully optimized from its first call, on both machines: each case checks
# the steady-state code, and under emulation the run takes half the time it takes with tiering.
# Four processors as far as .NET knows, so the parallel cases have helper threads on any machine.
export DOTNET_TieredCompilation=0 DOTNET_PROCESSOR_COUNT=4
x64() { "$out/linux-x64/KernelGen.CrossArch" "$@"; }
# W^X (JIT code written through a second mapping) is a security measure with no part in the
# results: off, one thing less for the emulator to model.
arm64() { DOTNET_EnableWriteXorExecute=0 qemu-aarch64 -L "$sysroot" "$out/linux-arm64/KernelGen.CrossArch" "$@"; }

status=0
start=$SECONDS
echo "=== x64: checkpoints for ARM64 to load (at ${SECONDS} s)"
x64 checkpoints "$out/checkpoints-x64" || status=1
echo "=== ARM64 (qemu-aarch64) (at ${SECONDS} s)"
arm64 run --digests "$out/arm64.digests" --write-checkpoints "$out/checkpoints-arm64" --read-checkpoints "$out/checkpoints-x64" || status=1
echo "=== x64 (at ${SECONDS} s)"
x64 run --digests "$out/x64.digests" --read-checkpoints "$out/checkpoints-arm64" || status=1
echo "=== the runs took $((SECONDS - start)) s, the whole check so far ${SECONDS} s; comparing"
if [ -f "$out/x64.digests" ] && [ -f "$out/arm64.digests" ]; then
  x64 compare "$out/x64.digests" "$out/arm64.digests" || status=1
else
  echo "check-arm64: a run wrote no digests" >&2
  echo "0 cases, 0 identical on ARM64 and x64"
  status=1
fi
exit $status
