#!/usr/bin/env bash
# The .NET Standard 2.1 build under Mono (the runtime family of Unity's player): builds
# eng/mono (a netstandard2.1 class library with a custom rule and built-ins; the runtime and the
# generator from project references), compiles a runner with Mono's mcs against Mono's netstandard
# facade, and runs every kernel on every path Mono has (VectorT, Scalar) against the rule, bit
# for bit. Installs Debian's mono-runtime and mono-devel when missing. Last line:
# "mono: N checks, N identical to the rule on ..."; exits 0 only when all are identical.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mono >/dev/null 2>&1 || ! command -v mcs >/dev/null 2>&1; then
  echo "installing mono-runtime and mono-devel"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq mono-runtime mono-devel >/dev/null
fi
mono --version | head -1

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build eng/mono/MonoCheck.csproj -c Release -o "$out" -warnaserror -nologo -v quiet
# A class library's build does not copy its package dependencies: the kernels need Unsafe (as a
# Unity project needs it under Assets/).
unsafe_dll=$(find "${NUGET_PACKAGES:-$HOME/.nuget/packages}/system.runtime.compilerservices.unsafe/6.1.2/lib/netstandard2.0" -name System.Runtime.CompilerServices.Unsafe.dll | head -1)
cp "$unsafe_dll" "$out/"
facades=$(dirname "$(command -v mono)")/../lib/mono/4.5/Facades
mcs -nologo -out:"$out/Runner.exe" -r:"$out/KernelGen.MonoCheck.dll" -r:"$out/KernelGen.dll" -r:"$facades/netstandard.dll" eng/mono/Runner.cs
mono "$out/Runner.exe"
