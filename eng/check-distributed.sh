#!/usr/bin/env bash
# Sharded optimizer state over MPI, the same bits as one process (docs/distributed.md). From a
# clean clone on a Debian machine:
#   1. installs MPICH when missing (apt-get install mpich; needs root);
#   2. builds samples/Distributed (the digits MLP, data-parallel, MPI.NET over MPICH);
#   3. trains the recipe in one process, summing each batch's 4 micro-batch gradients in order,
#      and with `mpiexec -np 2`, each rank computing 2 of the micro-batches and keeping the
#      optimizer state of half the parameters; both save a checkpoint at step 600;
#   4. merges the 2 ranks' shard checkpoints into one file, resumes from it in one process (the
#      ordinary optimizer), and resumes from the 2 shards at 4 ranks;
#   5. compares, byte for byte: the final parameters of every run with the single-process run's,
#      and the merged checkpoint with the single-process checkpoint;
#   6. does it again with AdamW's states in bfloat16 (--states bf16) and in 8-bit blocks
#      (--states 8bit): one process against 2 ranks, their merged shards against the
#      single-process checkpoint, and a resume from the 2 shards at 1 rank (re-sharded 2 -> 1).
# Exits 0 only when all are identical; the last line then is
# "distributed: 2 ranks identical to one process; resharded to 1 and 4 identical".
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# MPI.NET calls Microsoft MPI's ABI, which is MPICH's; the sample loads libmpich.so.12.
if ! command -v mpiexec.mpich >/dev/null 2>&1 || ! /sbin/ldconfig -p | grep -q 'libmpich\.so\.12'; then
  echo "=== installing mpich"
  if [ "$(id -u)" != 0 ]; then
    echo "check-distributed: installing MPICH needs root: apt-get install mpich libmpich12" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mpich libmpich12
fi

echo "=== dotnet build samples/Distributed (at ${SECONDS} s)"
dotnet build samples/Distributed -c Release -warnaserror -v quiet -nologo
app=samples/Distributed/bin/Release/net10.0/Distributed.dll
out=artifacts/distributed
rm -rf "$out"
common=(--out "$out" --micro-batches 4 --save-at 600)

# MPICH reports handles MPI.NET never frees when MPI ends; they are not ours to fix.
quiet() { grep -v 'yaksa: .* leaked handle pool objects' || true; }
mpi() { local ranks=$1; shift; mpiexec.mpich -np "$ranks" dotnet "$app" train "${common[@]}" "$@" 2>&1 | quiet; }

echo "=== one process (at ${SECONDS} s)"
dotnet "$app" reference "${common[@]}"
echo "=== mpiexec -np 2 (at ${SECONDS} s)"
mpi 2
echo "=== merge the 2 shards (at ${SECONDS} s)"
dotnet "$app" merge "${common[@]}" --world 2
echo "=== resume in one process from the merged file (at ${SECONDS} s)"
dotnet "$app" reference "${common[@]}" --resume 2
echo "=== resume at mpiexec -np 4 from the 2 shards (at ${SECONDS} s)"
mpi 4 --resume 2

# The stored states: the same runs, fewer of them (2 ranks; re-sharded 2 -> 1), each in its folder.
for states in bf16 8bit; do
  echo "=== --states $states: one process, mpiexec -np 2, merge, resume at 1 rank from the 2 shards (at ${SECONDS} s)"
  dotnet "$app" reference "${common[@]}" --out "$out/$states" --states "$states"
  mpi 2 --out "$out/$states" --states "$states"
  dotnet "$app" merge "${common[@]}" --out "$out/$states" --states "$states" --world 2
  mpi 1 --out "$out/$states" --states "$states" --resume 2
done

status=0
same() {
  if cmp -s "$out/$1" "$out/$2"; then
    echo "identical: $2 = $1"
  else
    echo "DIFFERENT: $2 != $1" >&2
    status=1
  fi
}
same reference.params ranks-2.params
same reference-at-600.safetensors merged-2-at-600.safetensors
same reference.params reference-resumed-from-2.params
same reference.params ranks-4-resumed-from-2.params
for states in bf16 8bit; do
  same "$states/reference.params" "$states/ranks-2.params"
  same "$states/reference-at-600.safetensors" "$states/merged-2-at-600.safetensors"
  same "$states/reference.params" "$states/ranks-1-resumed-from-2.params"
done
echo "(${SECONDS} s)"
if [ $status -ne 0 ]; then
  echo "distributed: the runs differ" >&2
  exit 1
fi
echo "distributed: with bf16 and 8-bit states too, 2 ranks identical to one process and resharded to 1 identical"
echo "distributed: 2 ranks identical to one process; resharded to 1 and 4 identical"
