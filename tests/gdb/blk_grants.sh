#!/usr/bin/env bash
# uk grants with a disk: the ring page(s) blkfront wrote in xenstore,
# mapped by blkback; the indirect page of the write in flight, read-only;
# the data pages of busy slots and of the free pool, each named for its use.
. "$(dirname "$0")/blk_lib.sh"
gdb_run "$TMP/out" exit -- "uk grants" "echo === xs\n" "uk xs /local/domain/1/device/vbd/51712" \
	"echo === all\n" "uk grants --all" "echo === counters\n" \
	"p/d $BLKFRONT->pool_pages" "p/d $BLKFRONT->nr_ring_granted"
section "$TMP/out" "=== counters" >"$TMP/counters"
val() { sed -n "s/^\\\$$1 = //p" "$TMP/counters"; }
section "$TMP/out" "=== xs" >"$TMP/xs"
refs=$(awk '$1 ~ /^ring-ref[0-9]*$/ {gsub(/"/, "", $3); print $3}' "$TMP/xs")
[ -n "$refs" ] || fail "no ring-ref in xenstore: $(cat "$TMP/xs")"
expect_eq "ring pages: xenstore's and blkfront's count" "$(val 2)" "$(wc -w <<<"$refs")"
for r in $refs; do
	expect_grep "ring page $r, mapped by blkback" "^$r +dom0 +0x[0-9a-f]+ +permit_access\|reading\|writing +dom0 handle [0-9]+ +blkfront vbd51712 ring\$" "$TMP/out"
done
section "$TMP/out" "=== all" >"$TMP/all"
expect_eq "one read-only indirect page (the write in flight)" 1 \
	"$(grep -cE '^[0-9]+ +dom0 +0x[0-9a-f]+ +permit_access\|readonly +- +blkfront vbd51712 indirect, slot [0-9]+$' "$TMP/all")"
# The indirect write's 16 pages and the read's one are in busy slots; the rest of the pool is free.
expect_eq "data pages of busy slots" 17 "$(grep -cE ' +blkfront vbd51712 data, slot [0-9]+$' "$TMP/all")"
expect_eq "every data page of blkfront's pool, named" "$(val 1)" "$(grep -cE ' +blkfront vbd51712 data, (free|slot [0-9]+)$' "$TMP/all")"
expect_grep "netfront's grants named too" ' +netfront vif0 tx ring$' "$TMP/all"
echo "PASS"
