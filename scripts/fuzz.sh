#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one after another, for FUZZTIME
# each (default 10s), and fails if any of them fails. It prints how long each
# took. A failing input is saved by go test under the package's
# testdata/fuzz/<target>/ and printed in the output. A target that fails on
# Go 1.26's end-of-fuzztime race, writing no input, is run once more.
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

# count_files prints how many files are under the directory $1, if any.
count_files() {
  if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
summary=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $name in $pkg for $FUZZTIME"
  start=$(date +%s.%N)
  status=ok
  corpus="$(go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$name"
  before=$(count_files "$corpus")
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$log"; then
    status=FAILED
    # Go 1.26's fuzzing coordinator can fail a target with "context
    # deadline exceeded" as -fuzztime runs out, having found nothing
    # (golang/go#75804, fixed in Go 1.27). Such a run, with no failing
    # input written, goes once more; any other failure stands.
    after=$(count_files "$corpus")
    if [ "$after" -eq "$before" ] && grep -q '^    context deadline exceeded$' "$log"; then
      echo "fuzz: $name stopped on the deadline race with no failing input; running it again"
      if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"; then status=ok; fi
    fi
  fi
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
