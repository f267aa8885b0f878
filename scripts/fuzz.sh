#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one after another, for FUZZTIME
# each (default 10s), and fails if any of them fails. It prints how long each
# took. A failing input is saved by go test under the package's
# testdata/fuzz/<target>/ and printed in the output.
#
#   FUZZTIME  how long to fuzz each target   (default 10s; go test -fuzztime)
#   FUZZPKGS  the packages to look in        (default ./agent ./web)
#
# Usage: scripts/fuzz.sh ; FUZZTIME=60s scripts/fuzz.sh
#
# The first run on a machine builds the packages with fuzzing
# instrumentation (SQLite included), which takes minutes; later runs reuse
# the build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-10s}
read -r -a pkgs <<<"${FUZZPKGS:-./agent ./web}"

# go test -list prints a package's matching names, then "ok <package> ...".
list=$(go test -list '^Fuzz' "${pkgs[@]}")
targets=()
names=()
while read -r first second _; do
  case $first in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in ${names[@]+"${names[@]}"}; do targets+=("$second $n"); done
      names=()
      ;;
  esac
done <<<"$list"
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found in ${pkgs[*]}" >&2
  exit 1
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $name in $pkg for $FUZZTIME"
  start=$(date +%s.%N)
  status=ok
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" || status=FAILED
  took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  summary+=("$status $name ($pkg) in ${took}s")
  echo "fuzz: $status $name ($pkg) in ${took}s"
  if [ "$status" != ok ]; then failed+=("$name"); fi
done

echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed"
