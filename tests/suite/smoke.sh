#!/usr/bin/env bash
# smoke.sh MMCHECK ENGINE: runs the whole suite on ENGINE for a few executions per
# variant. Passes when the suite ran every variant `mmcheck list` names to an outcome
# (exit 0 or 1: a buggy variant may well go unfound in so few executions) and no
# crash, sanitizer report or usage error (any other exit) happened.
set -u
mmcheck=$1 engine=$2
case $engine in
  native) bound=(--iterations 5) ;;
  mc) bound=(--search random --iterations 20) ;;
  *) bound=(--search random --iterations 20) ;;
esac
# A sanitizer's report must not pass for "not as declared" (both exit 1 by default).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86"
export TSAN_OPTIONS="${TSAN_OPTIONS:-}${TSAN_OPTIONS:+:}exitcode=86"
out=$("$mmcheck" suite --engine "$engine" "${bound[@]}" 2>&1)
code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  printf 'suite exited %s (expected 0 or 1); output:\n%s\n' "$code" "$out"
  exit 1
fi
if printf '%s' "$out" | grep -Eq 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:'; then
  printf 'a sanitizer reported an error:\n%s\n' "$out"
  exit 1
fi
want=$("$mmcheck" list | grep -c '^    - ')
rows=$(printf '%s\n' "$out" | awk '/^scenario +variant/{on=1;next} on&&NF==0{on=0} on{n++} END{print n+0}')
if [ "$rows" -ne "$want" ] || [ "$want" -eq 0 ]; then
  printf 'the suite table has %s rows, `mmcheck list` names %s variants; output:\n%s\n' "$rows" "$want" "$out"
  exit 1
fi
echo "suite on $engine: $rows variants ran to an outcome (exit $code)"
