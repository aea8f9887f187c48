#!/usr/bin/env bash
# Trimming / NativeAOT check for CI (one line: `bash samples/AotSmoke/check.sh`).
# 1. The runtime's trim, AOT and single-file analyzers are on and warnings are errors, so
#    `dotnet build` of the runtime fails on any IL2xxx/IL3xxx warning.
# 2. AotSmoke is published trimmed for this machine's RID (the runtime pack comes from NuGet):
#    the trimmer analyses the whole app and fails the publish on a warning. The app steps
#    SGD/Adam/AdamW, saves a checkpoint halfway, resumes in new optimizers and checks the resumed
#    run, and a run with the parallel step on (helper threads), equal the uninterrupted one; it is run under each ISA setting and every run must print
#    the same hash (the determinism contract, through a trimmed app).
# 3. With a C toolchain (clang, or gcc) it is also published with NativeAOT and run: the
#    library works with no JIT at all. Set AOT_SMOKE_NATIVE=0 to skip.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The .NET builds are the ones trimming and NativeAOT use (the .NET Standard one has no analyzers).
props=$(dotnet msbuild runtime/KernelGen.csproj -p:Configuration=Release -p:TargetFramework=net10.0 \
  -getProperty:IsAotCompatible -getProperty:EnableTrimAnalyzer -getProperty:EnableAotAnalyzer -getProperty:TreatWarningsAsErrors)
for p in IsAotCompatible EnableTrimAnalyzer EnableAotAnalyzer TreatWarningsAsErrors; do
  if ! grep -qE "\"$p\": \"true\"" <<<"$props"; then
    echo "AotSmoke: $p is not true for the runtime" >&2
    echo "$props" >&2
    exit 1
  fi
done

rid=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
out=artifacts/aotsmoke
rm -rf "$out"
dotnet publish samples/AotSmoke -c Release -r "$rid" -o "$out/trimmed" -warnaserror

hashes=""
for setting in "" "DOTNET_EnableAVX512=0" "DOTNET_EnableAVX2=0" "DOTNET_EnableHWIntrinsic=0"; do
  # Captured, then printed: `tee /dev/stderr` would reopen a log file that stderr is redirected
  # to and truncate it.
  if ! output=$(env $setting "$out/trimmed/AotSmoke"); then
    echo "$output"
    echo "AotSmoke: the trimmed app failed under '${setting:-default}'" >&2
    exit 1
  fi
  echo "$output"
  hashes="$hashes $(awk '/^path/ {print $4}' <<<"$output")"
done
if [ "$(tr ' ' '\n' <<<"$hashes" | sed '/^$/d' | sort -u | wc -l)" != 1 ]; then
  echo "AotSmoke: the hash differs between ISA settings:$hashes" >&2
  exit 1
fi

if [ "${AOT_SMOKE_NATIVE:-1}" != 0 ]; then
  if command -v clang >/dev/null 2>&1; then
    linker=()
  elif command -v gcc >/dev/null 2>&1; then
    linker=(-p:CppCompilerAndLinker=gcc)
  else
    echo "AotSmoke: no clang or gcc; NativeAOT publish skipped"
    exit 0
  fi
  dotnet publish samples/AotSmoke -c Release -r "$rid" -o "$out/native" -warnaserror -p:NativeSmoke=true "${linker[@]}"
  "$out/native/AotSmoke"
fi
echo "AotSmoke: passed"
