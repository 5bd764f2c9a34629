#!/bin/sh
# tsan_passing_variants.sh MMCHECK
# Every scenario variant declared to pass, on the native engine of a
# ThreadSanitizer build (tsan_check.sh ... silent): a fixed variant's model must
# have no data race TSan can see on real threads, where every shared access the
# kernel marks is marked in the model too. Buggy variants are left out: their
# races are the bugs (devpriv-fault-vs-dontneed's on zone_device_data, say).
set -u
mmcheck=$1
here=$(dirname "$0")
list=$("$mmcheck" list --variants) || { echo "mmcheck list failed"; exit 1; }
pairs=$(printf '%s\n' "$list" | awk '
  /^[^ ]/ { scenario = $1 }
  /^    - .*: expect pass$/ { v = $2; sub(/:$/, "", v); print scenario, v }')
[ -n "$pairs" ] || { echo "no passing variant listed:"; printf '%s\n' "$list"; exit 1; }
count=0 failed=0
while read -r scenario variant; do
  count=$((count + 1))
  if ! out=$("$here/tsan_check.sh" "$mmcheck" "$scenario" silent "$variant"); then
    echo "$scenario / $variant:"; printf '%s\n' "$out"; failed=$((failed + 1))
  fi
done <<PAIRS
$pairs
PAIRS
echo "$count passing variants under TSan, $failed with a report or not as declared"
[ "$failed" -eq 0 ]
