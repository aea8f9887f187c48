#!/usr/bin/env bash
# The .NET Standard 2.1 build under Mono (the runtime family of Unity's player): builds
# eng/mono (a netstandard2.1 class library with a custom rule and built-ins; the runtime and the
# generator from project references), compiles a runner with Mono's mcs against Mono's netstandard
# facade, and runs every kernel on every path Mono has (VectorT, Scalar) against the rule, bit
# for bit (any NaN equal to any NaN); then steps optimizers (clip, step, schedule) counting their
# bytes, and resumes one from a checkpoint where System.Text.Json runs (docs/unity.md). The same
# checks run first on .NET (eng/mono/dotnet), where Vector<T> is accelerated. Before running,
# fails when the built assemblies call a .NET Standard member that returns `ref readonly` (below).
# Installs Debian's mono-runtime and mono-devel when missing. Exits 0 only when every check passes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mono >/dev/null 2>&1 || ! command -v mcs >/dev/null 2>&1 || ! command -v ikdasm >/dev/null 2>&1; then
  echo "installing mono-runtime and mono-devel"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq mono-runtime mono-devel >/dev/null
fi
mono --version | head -1

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build eng/mono/MonoCheck.csproj -c Release -o "$out" -warnaserror -nologo -v quiet

# .NET Standard's reference assembly declares ReadOnlySpan<T>'s indexer, GetPinnableReference and
# enumerator Current (which foreach calls) as `ref readonly T`, with a required InAttribute modifier
# on the return; Debian's Mono (class libraries compiled with mcs) declares them as `ref T`, so such
# a call does not bind there (MissingMethodException at the call). Lists, by method, every call to a .NET Standard member
# whose return has that modifier.
ref_readonly_calls() {
  ikdasm "$1" | awk '
    /modreq\(\[netstandard\]System\.Runtime\.InteropServices\.InAttribute\) \[netstandard\]/ {
      member = $0
      sub(/.*InAttribute\)[ \t]*/, "", member)
      gsub(/\[netstandard\]/, "", member)
      calls[++n] = member
      next
    }
    /\/\/ end of method / {
      method = $0
      sub(/.*\/\/ end of method /, "", method)
      for (i = 1; i <= n; i++) print "  " method " calls " calls[i]
      n = 0
    }' | sort -u
}
unbound=0
for dll in KernelGen.dll KernelGen.MonoCheck.dll; do
  found=$(ref_readonly_calls "$out/$dll")
  if [ -n "$found" ]; then
    echo "FAIL $dll: these methods call ReadOnlySpan<T> members that .NET Standard declares ref readonly and Mono does not (MissingMethodException under Mono); read by reference instead (MemoryMarshal.GetReference, ReadOnlySpanItems.ItemAt):"
    echo "$found"
    unbound=1
  fi
done
[ "$unbound" -eq 0 ] || exit 1
echo "ref readonly calls: none in KernelGen.dll and KernelGen.MonoCheck.dll"

# The same assemblies on .NET, where Vector<float> is accelerated: the VectorT kernels in hardware
# against the rule. Mono runs last, so the last line is its own.
echo "=== on .NET"
dotnet build eng/mono/dotnet/MonoCheck.DotNet.csproj -c Release -o "$out/dotnet" -p:MonoCheckOutput="$out" -warnaserror -nologo -v quiet
dotnet_status=0
dotnet "$out/dotnet/KernelGen.MonoCheck.DotNet.dll" || dotnet_status=1

echo "=== on Mono"
facades=$(dirname "$(command -v mono)")/../lib/mono/4.5/Facades
mcs -nologo -out:"$out/Runner.exe" -r:"$out/KernelGen.MonoCheck.dll" -r:"$out/KernelGen.dll" -r:"$facades/netstandard.dll" eng/mono/Runner.cs
mono "$out/Runner.exe"
exit "$dotnet_status"
