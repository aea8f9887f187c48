#!/usr/bin/env bash
# After a deliberate change to the runtime's public API (one line: `bash eng/update-public-api.sh`):
# builds the runtime for every target framework with warnings left as warnings, adds each symbol
# the public API analyzer reports as new (RS0016, generated members included, which `dotnet format`
# does not see) to runtime/PublicAPI.Unshipped.txt and removes each it reports as gone (RS0017).
# The file is shared by the target frameworks: a symbol that only some of them report means their
# APIs differ, and the script stops and says so (split the files per target framework then).
# Read the file's diff: it is the API change a release note lists.
set -euo pipefail
cd "$(dirname "$0")/.."

file=runtime/PublicAPI.Unshipped.txt
log=$(mktemp)
trap 'rm -f "$log" "$file.new"' EXIT
# The .NET Standard build is not checked against the list (see runtime/KernelGen.csproj).
frameworks=$(dotnet msbuild runtime/KernelGen.csproj -getProperty:TargetFrameworks | tr ';' '\n' | grep -v '^netstandard' | grep -c .)
dotnet build runtime/KernelGen.csproj -c Release --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true

# "RS0016 symbol" per target framework, then the symbols every target framework reports.
reported() {
  sed -nE "s/.*$1: Symbol '(.*)' $2.*TargetFramework=([^]]+)\].*/\2\t\1/p" "$log" | sort -u |
    awk -F'\t' -v all="$frameworks" '{n[$2]++} END {for (s in n) print (n[s] == all ? "all" : "some") "\t" s}'
}
added=$(reported RS0016 "is not part of the declared public API")
removed=$(reported RS0017 "is part of the declared API")
partial=$(printf '%s\n%s\n' "$added" "$removed" | awk -F'\t' '$1 == "some" {print $2}')
if [ -n "$partial" ]; then
  echo "The target frameworks' public APIs differ; list these per target framework:" >&2
  echo "$partial" >&2
  exit 1
fi
added=$(cut -f2 <<<"$added")
removed=$(cut -f2 <<<"$removed")
{
  head -n 1 "$file"
  { tail -n +2 "$file" | grep -vxF -f <(printf '%s\n' "$removed") || true; printf '%s\n' "$added"; } | sed '/^$/d' | LC_ALL=C sort -u
} >"$file.new"
mv "$file.new" "$file"
echo "public API: $(grep -c . <<<"$added") added, $(grep -c . <<<"$removed") removed (see git diff $file)"
if grep -qE "error (CS|RS)[0-9]+" "$log"; then
  grep -E "error (CS|RS)[0-9]+" "$log" | sort -u >&2
  exit 1
fi
