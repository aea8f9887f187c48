#!/usr/bin/env bash
# After a deliberate change to the runtime's public API (one line: `bash eng/update-public-api.sh`):
# builds the runtime for every target framework with warnings left as warnings, adds each symbol
# the public API analyzer reports as new (RS0016, generated members included, which `dotnet format`
# does not see) to runtime/PublicAPI.Unshipped.txt and removes each it reports as gone (RS0017).
# Read the file's diff: it is the API change a release note lists.
set -euo pipefail
cd "$(dirname "$0")/.."

file=runtime/PublicAPI.Unshipped.txt
log=$(mktemp)
trap 'rm -f "$log" "$file.new"' EXIT
dotnet build runtime/KernelGen.csproj -c Release --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true

added=$(grep -oP "RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" "$log" | sort -u || true)
removed=$(grep -oP "RS0017: Symbol '\K.*?(?=' is part of the declared API)" "$log" | sort -u || true)
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
