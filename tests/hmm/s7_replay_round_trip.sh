#!/bin/sh
# s7_replay_round_trip.sh MMCHECK: runs the seed variant of s7, takes the printed
# reproduce line, replays it, and checks the replay reports the same violation
# and counterexample (the report from "violation:" to the reproduce line).
set -u
mmcheck=$1
run=$("$mmcheck" run s7-hmm-pfn-encoding --variant seed-2018-f88a1e90c665 --engine native 2>&1)
line=$(printf '%s\n' "$run" | sed -n 's/^  reproduce: mmcheck replay s7-hmm-pfn-encoding --variant \([^ ]*\) --engine \([^ ]*\) --schedule //p')
if [ -z "$line" ]; then
  printf 'no reproduce line in:\n%s\n' "$run"
  exit 1
fi
schedule=$(eval "printf '%s' $line")
replay=$("$mmcheck" replay s7-hmm-pfn-encoding --variant seed-2018-f88a1e90c665 --engine native --schedule "$schedule" 2>&1)
code=$?
report() { printf '%s\n' "$1" | sed -n '/violation:/,/reproduce:/p'; }
if [ "$code" -ne 0 ] || [ "$(report "$run")" != "$(report "$replay")" ]; then
  printf 'replay (exit %s) differs from the run.\nrun:\n%s\nreplay:\n%s\n' "$code" "$run" "$replay"
  exit 1
fi
echo "replay reports the same violation and counterexample"
