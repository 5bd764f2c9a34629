#!/bin/sh
# tsan_check.sh MMCHECK SCENARIO report|silent [VARIANT]
# Runs SCENARIO (every variant, or VARIANT) on the native engine of a
# ThreadSanitizer build and asserts that TSan reports a data race in the model's
# seam ("report") or reports nothing and the run is as declared ("silent").
set -u
mmcheck=$1 scenario=$2 want=$3
variant=${4:+--variant $4}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# clang 16's runtime needs its own llvm-symbolizer (llvm-16) to name functions.
symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer
TSAN_OPTIONS="halt_on_error=0 exitcode=66 report_signal_unsafe=0 external_symbolizer_path=$symbolizer" \
  "$mmcheck" run "$scenario" $variant --engine native --iterations 200 >"$log" 2>&1
status=$?
if [ "$want" = report ]; then
  grep -q "WARNING: ThreadSanitizer: data race" "$log" || { echo "no TSan report:"; cat "$log"; exit 1; }
  # The report must point into the seam's plain word and the model program.
  grep -q "plain_word" "$log" || { echo "TSan report does not name plain_word:"; cat "$log"; exit 1; }
  grep -q "seam_programs.cpp" "$log" || { echo "TSan report does not name the model program:"; cat "$log"; exit 1; }
  echo "TSan reported the race on the plain word, as expected"
  exit 0
fi
if grep -q "ThreadSanitizer" "$log" || [ "$status" -ne 0 ]; then
  echo "unexpected TSan report or failure (exit $status):"; cat "$log"; exit 1
fi
echo "no TSan report, as expected"
