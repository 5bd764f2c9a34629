#!/bin/sh
# replay_round_trip.sh MMCHECK SCENARIO VARIANT: runs a variant that must fail,
# takes the printed reproduce line, replays it, and checks that the replay prints
# the same report byte for byte from "violation:" up to the reproduce line (the
# violation, where it happened, and the whole trace).
set -u
mmcheck=$1 scenario=$2 variant=$3
run=$("$mmcheck" run "$scenario" --variant "$variant" 2>&1)
prefix="  reproduce: mmcheck replay $scenario --variant $variant --engine "
line=$(printf '%s\n' "$run" | grep -F -- "$prefix" | head -n 1)
if [ -z "$line" ]; then
  printf 'no reproduce line in:\n%s\n' "$run"
  exit 1
fi
# The line is a shell command: evaluate its arguments exactly as a user's shell would.
command=${line#  reproduce: mmcheck }
eval "set -- $command"
replay=$("$mmcheck" "$@" 2>&1)
code=$?
report() { printf '%s\n' "$1" | sed -n '/^  violation:/,/^  reproduce:/p' | sed '$d'; }
if [ "$code" -ne 0 ]; then
  printf 'replay exited %s:\n%s\n' "$code" "$replay"
  exit 1
fi
if [ -z "$(report "$run")" ] || [ "$(report "$run")" != "$(report "$replay")" ]; then
  printf 'replay differs from the run.\nrun:\n%s\nreplay:\n%s\n' "$run" "$replay"
  exit 1
fi
echo "replay prints the same violation and trace ($(report "$run" | wc -l) lines)"
