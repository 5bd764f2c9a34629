#!/bin/sh
# bad_schedule.sh MMCHECK FIXTURE: replays a malformed schedule file and checks that
# mmcheck exits 2 with a message matching the fixture's first line,
# "# expect: PATTERN", in which FILE stands for the fixture's path.
set -u
mmcheck=$1 fixture=$2
want=$(sed -n '1s/^# expect: //p' "$fixture" | sed "s|FILE|$fixture|")
out=$("$mmcheck" replay --schedule-file "$fixture" 2>&1)
code=$?
if [ "$code" -ne 2 ] || ! printf '%s' "$out" | grep -Eq -- "$want"; then
  printf 'exit %s (expected 2), output (expected /%s/):\n%s\n' "$code" "$want" "$out"
  exit 1
fi
printf '%s\n' "$out"
