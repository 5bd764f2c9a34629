#!/bin/sh
# report_files.sh MMCHECK SCENARIO BUGGY-VARIANT: `suite --scenario` with --json,
# --junit and --save; checks each file holds every variant's outcome, then replays
# the buggy variant's schedule from the saved file.
set -u
mmcheck=$1 scenario=$2 variant=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { printf '%s\n' "$*"; exit 1; }
"$mmcheck" suite --scenario "$scenario" --json "$dir/r.json" --junit "$dir/r.xml" --save "$dir/s.txt" >"$dir/out" 2>&1 ||
  fail "suite exited $?: $(cat "$dir/out")"
variants=$("$mmcheck" list | sed -n "/^$scenario  /,/^[^ ]/p" | grep -c '^    - ')
grep -q '"all_as_declared": true' "$dir/r.json" || fail "JSON: $(cat "$dir/r.json")"
[ "$(grep -c '"scenario": "'"$scenario"'"' "$dir/r.json")" -eq "$variants" ] || fail "JSON outcomes != $variants variants"
grep -q "\"reproduce\": \"mmcheck replay $scenario --variant $variant" "$dir/r.json" || fail "JSON has no reproduce line"
grep -q "<testsuites name=\"mmcheck\" tests=\"$variants\" failures=\"0\"" "$dir/r.xml" || fail "JUnit: $(cat "$dir/r.xml")"
[ "$(grep -c '<testcase ' "$dir/r.xml")" -eq "$variants" ] || fail "JUnit testcases != $variants"
grep -q "^mmcheck replay $scenario --variant $variant .*  # found: " "$dir/s.txt" || fail "saved: $(cat "$dir/s.txt")"
replay=$("$mmcheck" replay --schedule-file "$dir/s.txt" "$scenario" --variant "$variant" 2>&1) || fail "replay: $replay"
echo "$replay" | grep -q 'AS DECLARED' || fail "replay: $replay"
echo "report files and saved schedule as expected"
