#!/usr/bin/env bash
# interrupt.sh MMCHECK SEARCH-OPTION...: a long search stopped by SIGINT still
# reports what it explored (checker/core/interrupt.h): exit 130, the text report's
# note, and an "incomplete" outcome with its counts in the --json file. The search
# options name an exhaustive search of an engine the build has (mc's dfs, Relacy's
# full search), long enough not to end by itself.
set -u
mmcheck=$1
shift
out=$(mktemp)
json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT
"$mmcheck" run s5-migrate-vma-thp-vs-fault --variant v6.6 "$@" --time-budget 300 --json "$json" >"$out" 2>&1 &
pid=$!
# Signal only once the handler is installed: SIGINT's bit (2) in the mask of
# caught signals, so the test does not depend on how fast the process starts.
for _ in $(seq 600); do
  kill -0 "$pid" 2>/dev/null || break  # it ended by itself: the checks below say how
  mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
  if [ -n "$mask" ] && (( 0x$mask & 2 )); then break; fi
  sleep 0.1
done
sleep 0.5  # let the search run some executions
kill -INT "$pid" 2>/dev/null
wait "$pid"
code=$?
cat "$out"
fail() { echo "interrupt.sh: $*"; exit 1; }
[ "$code" -eq 130 ] || fail "exit $code, expected 130"
grep -q "note: stopped by SIGINT before the search finished" "$out" || fail "no 'stopped by SIGINT' note"
grep -q "mmcheck: stopped by SIGINT" "$out" || fail "no closing line on stderr"
grep -q '"got": "incomplete"' "$json" || fail "the --json file does not hold the incomplete outcome"
grep -Eq '"executions": [1-9]' "$json" || fail "the --json file counts no execution"
