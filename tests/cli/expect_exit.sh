#!/bin/sh
# expect_exit.sh CODE PATTERN COMMAND...: runs COMMAND, passes if it exits with CODE
# and its combined output matches the extended regular expression PATTERN (across
# lines: newlines are folded to spaces first).
set -u
want=$1 pattern=$2
shift 2
out=$("$@" 2>&1)
got=$?
folded=$(printf '%s' "$out" | tr '\n' ' ')
if [ "$got" -ne "$want" ]; then
  printf 'exit %s, expected %s; output:\n%s\n' "$got" "$want" "$out"
  exit 1
fi
if ! printf '%s' "$folded" | grep -Eq -- "$pattern"; then
  printf 'output does not match /%s/:\n%s\n' "$pattern" "$out"
  exit 1
fi
echo "exit $got and output as expected"
