#!/usr/bin/env bash
# The package as a user gets it (one line: `bash eng/check-package.sh`; CI runs it).
# 1. Packs runtime/KernelGen.csproj (a CI-style, deterministic build) into a folder feed in a temp
#    folder and checks the .nupkg's contents (the library per target framework, the generator under
#    analyzers/dotnet/cs, LICENSE, README) and that the .snupkg's PDBs hold no machine path.
# 2. In fresh temp folders, `dotnet new console` for net10.0 and net8.0, a nuget.config that adds
#    the folder feed, `dotnet add package KernelGen`, and then:
#    - the README's first C# block pasted as Program.cs, built and run: it must print True;
#    - eng/package-check/CustomRule.cs as Program.cs (a consumer's own rule: a uniform `if`, a varying
#      `?:`, MathF.Max/Min on NaN and signed zeros), built and run: True on every path.
#    The net8.0 apps are published self-contained for linux-x64 and run on the .NET 8 runtime that
#    publish restores (they print the runtime's description), not rolled forward onto .NET 10.
# 3. A netstandard2.1 class library (C# 9, as Unity compiles) with a custom rule, from the package;
#    its kernels run under Mono against the rule when Mono is installed.
# Nothing is written to the repository: build outputs go to the temp folder, which is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"

fail() {
  echo "check-package: $*" >&2
  exit 1
}

read -r version frameworks < <(dotnet msbuild runtime/KernelGen.csproj -getProperty:Version -getProperty:TargetFrameworks |
  awk -F'"' '/"Version"/ {v = $4} /"TargetFrameworks"/ {t = $4} END {print v, t}')
[ -n "$version" ] && [ -n "$frameworks" ] || fail "could not read Version and TargetFrameworks of runtime/KernelGen.csproj"
echo "=== KernelGen $version for $frameworks"

# --- 1. pack ---------------------------------------------------------------------------------
# As CI builds (CI=true sets ContinuousIntegrationBuild in runtime/KernelGen.csproj), where the runtime
# is already built so. Elsewhere the build is redone: an incremental build would keep the PDBs of
# an earlier ordinary build (the path mapping is not among the compiler's up-to-date inputs).
deterministic=(-c Release -p:ContinuousIntegrationBuild=true -warnaserror)
if [ "${CI:-}" = true ]; then
  dotnet pack runtime/KernelGen.csproj "${deterministic[@]}" -o "$feed"
else
  dotnet build runtime/KernelGen.csproj "${deterministic[@]}" --no-incremental
  dotnet pack runtime/KernelGen.csproj "${deterministic[@]}" --no-build -o "$feed"
fi
nupkg="$feed/KernelGen.$version.nupkg"
snupkg="$feed/KernelGen.$version.snupkg"
[ -f "$nupkg" ] || fail "no $(basename "$nupkg") (the feed has: $(ls "$feed"))"
[ -f "$snupkg" ] || fail "no $(basename "$snupkg")"
[ "$(ls "$feed" | wc -l)" = 2 ] || fail "expected one .nupkg and one .snupkg, found: $(ls "$feed")"

listing=$(unzip -l "$nupkg")
expected=(analyzers/dotnet/cs/KernelGen.Generator.dll LICENSE README.md)
for tfm in ${frameworks//;/ }; do
  expected+=("lib/$tfm/KernelGen.dll" "lib/$tfm/KernelGen.xml")
done
for entry in "${expected[@]}"; do
  grep -qE " $entry\$" <<<"$listing" || fail "the package has no $entry:"$'\n'"$listing"
done
# The generator is inside the package, not a dependency of it. The only dependencies are the two
# the .NET Standard build needs from outside its box (Unsafe, the JSON reader).
nuspec=$(unzip -p "$nupkg" KernelGen.nuspec)
for dependency in $(grep -oE '<dependency id="[^"]+"' <<<"$nuspec" | sed 's/.*id="//; s/"$//'); do
  case "$dependency" in
    System.Runtime.CompilerServices.Unsafe | System.Text.Json) ;;
    *) fail "the package declares a dependency on $dependency: $nuspec" ;;
  esac
done
echo "package contents: ${expected[*]}"

# Deterministic symbols: every source path the PDBs record is mapped (/_/...), none is this
# machine's; the paths are stored in parts, so a small program reads them (eng/package-check/PdbDocuments.cs).
mkdir "$work/package" "$work/symbols" "$work/pdbtool"
unzip -q "$nupkg" -d "$work/package"
unzip -q "$snupkg" -d "$work/symbols"
cp eng/package-check/PdbDocuments.cs "$work/pdbtool/"
for tfm in ${frameworks//;/ }; do
  pdb="$work/symbols/lib/$tfm/KernelGen.pdb"
  [ -f "$pdb" ] || fail "the symbol package has no lib/$tfm/KernelGen.pdb"
  documents=$(cd "$work/pdbtool" && dotnet run PdbDocuments.cs -- "$pdb") || fail "could not read lib/$tfm/KernelGen.pdb"
  grep -q "^document " <<<"$documents" || fail "lib/$tfm/KernelGen.pdb records no source path"
  unmapped=$(grep "^document " <<<"$documents" | grep -v "^document /_/" || true)
  [ -z "$unmapped" ] || fail "lib/$tfm/KernelGen.pdb has unmapped source paths: $(head -3 <<<"$unmapped")"
  for machine in "$root" "$HOME"; do
    if grep -qF "$machine" <<<"$documents" || strings -n 6 "$pdb" "$work/package/lib/$tfm/KernelGen.dll" | grep -qF "$machine"; then
      fail "lib/$tfm/KernelGen.pdb or .dll holds the machine path $machine"
    fi
  done
  if grep -q "^sourcelink " <<<"$documents"; then
    echo "lib/$tfm: $(grep "^sourcelink " <<<"$documents")"
  elif git remote get-url origin 2>/dev/null | grep -q "github.com"; then
    fail "lib/$tfm/KernelGen.pdb has no SourceLink map, though origin is on GitHub"
  else
    echo "lib/$tfm: no SourceLink map (this clone has no GitHub remote to map to)"
  fi
done
for machine in "$root" "$HOME"; do
  if strings -n 6 "$work/package/analyzers/dotnet/cs/KernelGen.Generator.dll" | grep -qF "$machine"; then
    fail "the generator's DLL holds the machine path $machine"
  fi
done
echo "symbols: no machine paths in the DLLs and PDBs"

# --- 2. consumers ----------------------------------------------------------------------------
# NuGet keeps extracted packages by version: an earlier run's KernelGen $version would be used
# instead of this one, so that one entry of the local cache goes first.
packages=$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')
rm -rf "${packages%/}/kernelgen/$version"

readme_example="$work/ReadmeProgram.cs"
awk '/^```csharp$/ && !done {inside = 1; next} inside && /^```$/ {inside = 0; done = 1} inside' README.md >"$readme_example"
[ -s "$readme_example" ] || fail "README.md has no \`\`\`csharp block"

rid=linux-x64
last_output=""
# run NAME DIR TFM: builds (net10.0) or publishes self-contained (net8.0) and runs it; the last line must be True.
run() {
  local name=$1 dir=$2 tfm=$3 output
  echo "=== $tfm: $name"
  if [ "$tfm" = net10.0 ]; then
    dotnet build "$dir" -c Release -warnaserror -o "$dir/out" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; fail "$tfm $name does not build"; }
  else
    dotnet publish "$dir" -c Release -warnaserror -r "$rid" --self-contained -o "$dir/out" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; fail "$tfm $name does not publish"; }
  fi
  output=$("$dir/out/Consumer") || { echo "$output"; fail "$tfm $name failed"; }
  echo "$output"
  [ "$(tail -n 1 <<<"$output")" = True ] || fail "$tfm $name did not end with True"
  last_output=$output
}

for tfm in net10.0 net8.0; do
  dir="$work/$tfm/Consumer"
  mkdir -p "$dir"
  dotnet new console -o "$dir" -n Consumer >/dev/null
  sed -i "s|<TargetFramework>[^<]*</TargetFramework>|<TargetFramework>$tfm</TargetFramework>|" "$dir/Consumer.csproj"
  cat >"$dir/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <!-- Added to the user's sources, which bring everything else. -->
    <add key="kernelgen-under-test" value="$feed" />
  </packageSources>
</configuration>
EOF
  (cd "$dir" && dotnet add package KernelGen --version "$version" >/dev/null) || fail "dotnet add package KernelGen failed for $tfm"
  cp "$readme_example" "$dir/Program.cs"
  run "the README example" "$dir" "$tfm"
  cp eng/package-check/CustomRule.cs "$dir/Program.cs"
  run "a custom rule" "$dir" "$tfm"
  if [ "$tfm" = net8.0 ]; then
    grep -q "^\.NET 8\." <<<"$(head -n 1 <<<"$last_output")" || fail "the net8.0 app did not run on .NET 8"
  fi
done

# --- 3. a .NET Standard 2.1 library (Unity) ---------------------------------------------------
# A class library as a Unity project has one (C# 9), with eng/mono's custom rule and checks, from
# the package only; built, then its kernels run under Mono against the rule when Mono is installed
# (eng/check-mono.sh installs it; CI runs that first).
dir="$work/netstandard2.1/Consumer"
mkdir -p "$dir"
dotnet new classlib -o "$dir" -n Consumer >/dev/null
rm -f "$dir/Class1.cs"
# C# 9 has no global usings: the template's implicit ones go.
sed -i "s|<ImplicitUsings>enable</ImplicitUsings>|<ImplicitUsings>disable</ImplicitUsings>|" "$dir/Consumer.csproj"
sed -i "s|<TargetFramework>[^<]*</TargetFramework>|<TargetFramework>netstandard2.1</TargetFramework><LangVersion>9.0</LangVersion><AllowUnsafeBlocks>true</AllowUnsafeBlocks><CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>|" "$dir/Consumer.csproj"
cp "$work/net10.0/Consumer/nuget.config" "$dir/"
(cd "$dir" && dotnet add package KernelGen --version "$version" >/dev/null) || fail "dotnet add package KernelGen failed for netstandard2.1"
cp eng/mono/Checks.cs "$dir/"
echo "=== netstandard2.1: a class library with a custom rule"
dotnet build "$dir" -c Release -warnaserror -o "$dir/out" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; fail "the netstandard2.1 library does not build"; }
if command -v mono >/dev/null 2>&1 && command -v mcs >/dev/null 2>&1; then
  facades=$(dirname "$(command -v mono)")/../lib/mono/4.5/Facades
  mcs -nologo -out:"$dir/out/Runner.exe" -r:"$dir/out/Consumer.dll" -r:"$dir/out/KernelGen.dll" -r:"$facades/netstandard.dll" eng/mono/Runner.cs
  output=$(mono "$dir/out/Runner.exe") || { echo "$output"; fail "the netstandard2.1 library's checks failed under Mono"; }
  echo "$output" | tail -n 1
else
  echo "mono not installed: the netstandard2.1 library was built, not run (eng/check-mono.sh installs Mono)"
fi
echo "check-package: KernelGen $version packs and installs for net10.0, net8.0 and netstandard2.1"
