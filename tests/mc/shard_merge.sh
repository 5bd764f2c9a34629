#!/bin/sh
# shard_merge.sh MMCHECK: runs S2's fixed and buggy variants as 3 shards, merges
# them, and checks the merged verdict, that the merged executions equal one
# `--jobs 2` run's, and that merge refuses missing, repeated, foreign and malformed
# shard files with exit code 2 and a one-line message.
set -u
mmcheck=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
scenario=s2-handle-mm-fault-vs-huge-pud
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }

for variant in fixed-625110b5e9da v5.4-no-recheck; do
  for i in 0 1 2; do
    "$mmcheck" run $scenario --variant $variant --engine mc --shard $i/3 --shard-out "$dir/$variant.$i.json" \
      >/dev/null || fail "shard $i/3 of $variant did not run as declared"
  done
done

merged=$("$mmcheck" merge "$dir"/fixed-625110b5e9da.*.json) || fail "merge of the fixed variant: exit $?"
echo "$merged" | grep -q "AS DECLARED" || fail "merged fixed variant not as declared: $merged"
whole=$("$mmcheck" run $scenario --variant fixed-625110b5e9da --engine mc --jobs 2)
count() { echo "$1" | sed -n 's/.*explored: \([0-9]*\) execution.*/\1/p'; }
[ "$(count "$merged")" = "$(count "$whole")" ] ||
  fail "merged shards explored $(count "$merged"), one --jobs 2 run $(count "$whole")"

buggy=$("$mmcheck" merge "$dir"/v5.4-no-recheck.*.json) || fail "merge of the buggy variant: exit $?"
echo "$buggy" | grep -q "descend-through-non-table.*AS DECLARED" || fail "merged buggy variant: $buggy"
echo "$buggy" | grep -q "reproduce: mmcheck replay" || fail "merged buggy variant has no reproduce line"

expect_usage() {  # PATTERN FILE...
  pattern=$1
  shift
  out=$("$mmcheck" merge "$@" 2>&1)
  code=$?
  [ $code -eq 2 ] || fail "merge $*: exit $code, expected 2: $out"
  echo "$out" | grep -q "$pattern" || fail "merge $*: no /$pattern/ in: $out"
}
expect_usage "missing shard(s) 2 of 3" "$dir"/fixed-625110b5e9da.0.json "$dir"/fixed-625110b5e9da.1.json
expect_usage "given twice" "$dir"/fixed-625110b5e9da.0.json "$dir"/fixed-625110b5e9da.0.json \
  "$dir"/fixed-625110b5e9da.1.json
expect_usage "from another search" "$dir"/fixed-625110b5e9da.0.json "$dir"/v5.4-no-recheck.1.json \
  "$dir"/fixed-625110b5e9da.2.json
echo '{"format": "mmcheck-shard-1", "scenario": 3}' >"$dir/bad.json"
expect_usage "is not a shard result file" "$dir/bad.json"
echo 'not json' >"$dir/garbage.json"
expect_usage "is not a shard result file" "$dir/garbage.json"
out=$("$mmcheck" run $scenario --engine mc --shard 3/3 2>&1)
[ $? -eq 2 ] || fail "--shard 3/3 accepted: $out"
out=$("$mmcheck" run $scenario --engine mc --shard 0/2 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "add --variant" || fail "--shard without --variant: $out"
echo "shards and merge as expected"
