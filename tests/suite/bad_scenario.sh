#!/bin/sh
# bad_scenario.sh MMCHECK FIXTURE: loads the fixture as the only scenario file of a
# directory and checks that mmcheck exits 2 with "FILE:LINE: PROBLEM", where the
# fixture's first line reads "# expect: LINE: PROBLEM-PATTERN" (an extended regex).
set -u
mmcheck=$1 fixture=$2
want=$(sed -n '1s/^# expect: //p' "$fixture")
[ -n "$want" ] || { echo "fixture $fixture has no '# expect: LINE: PATTERN' first line"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
name=$(basename "$fixture")
cp "$fixture" "$dir/$name"
out=$("$mmcheck" list --scenarios "$dir" 2>&1)
code=$?
if [ "$code" -ne 2 ]; then
  printf 'exit %s, expected 2; output:\n%s\n' "$code" "$out"
  exit 1
fi
if ! printf '%s' "$out" | grep -Eq -- "$dir/$name:$want"; then
  printf 'output does not match /%s:%s/:\n%s\n' "$name" "$want" "$out"
  exit 1
fi
printf '%s\n' "$out"
