#!/usr/bin/env bash
# uk rings vbd51712: both sides' indexes of disk 0's blkif ring match what
# gdbguest counted (3 requests answered, 2 in flight), blkfront's busy slots
# and blkback's requests in its thread pool and completed; --slots decodes
# the two requests the backend holds, the indirect write's 16 segments too.
# At uk_blk_close all five are answered, the last response decoded.
. "$(dirname "$0")/blk_lib.sh"
gdb_run "$TMP/out" exit -- "uk rings vbd51712 --slots" \
	"echo === blkif0\n" "uk rings blkif0" "echo === all\n" "uk rings" \
	"echo === counters\n" "p/d gdbguest_blk_done" "p/d gdbguest_blk_pending" \
	"p/d $BLKFRONT->inflight" "p/d $BLKBACK->inflight" \
	"p/d $BLKBACK->stats.reads + $BLKBACK->stats.writes + $BLKBACK->stats.flushes" \
	"p/d $BLKFRONT->ring_size"
section "$TMP/out" "=== counters" >"$TMP/counters"
val() { sed -n "s/^\\\$$1 = //p" "$TMP/counters"; }
done=$(val 1) pending=$(val 2)
expect_eq "gdbguest's requests answered before the checkpoint" 3 "$done"
expect_eq "gdbguest's requests in flight at the checkpoint" 2 "$pending"
expect_eq "blkfront's busy slots" "$pending" "$(val 3)"
expect_eq "blkback's requests in the thread pool" "$pending" "$(val 4)"
expect_eq "blkback's requests completed" "$done" "$(val 5)"
sent=$((done + pending))
awk '/^=== /{exit} 1' "$TMP/out" >"$TMP/slots"
expect_grep "the ring, named by device number, vdev and blkif number" \
	"^vbd51712 \(xvda, blkif0\): $(val 6) slots, shared page 0x[0-9a-f]+\$" "$TMP/slots"
expect_grep "shared indexes" "^  shared +req_prod $sent +req_event [0-9]+ +rsp_prod $done +rsp_event [0-9]+\$" "$TMP/slots"
expect_grep "blkfront's private indexes" "^  frontend +req_prod_pvt $sent +rsp_cons $done " "$TMP/slots"
expect_grep "blkback's private indexes" "^  backend +req_cons $sent +rsp_prod_pvt $done " "$TMP/slots"
expect_grep "outstanding" "^  outstanding: 0 requests not yet taken by the backend, 0 responses not yet taken by the frontend, $pending requests without a response\$" "$TMP/slots"
expect_grep "blkfront's state" "^  blkfront: connected True, broken False, .*max_segments [0-9]+ \(indirect\); $pending slots busy \(inflight $pending\)," "$TMP/slots"
expect_grep "blkback's state" "^  blkback: connected True, broken False, generation 0; $pending requests in the thread pool, 0 waiting behind a flush" "$TMP/slots"
expect_no_grep "no 'nothing in flight' while requests are" "nothing in flight" "$TMP/slots"
expect_grep "--slots: the indirect write held by the backend" \
	"^    at the backend: req $done \(slot $done\): id [0-9]+ indirect write sector 64 nr_segments 16 handle [0-9]+\$" "$TMP/slots"
segs=$(grep -A1 ' indirect write sector 64 ' "$TMP/slots" | sed -n 's/^      indirect gref [0-9]*: //p')
expect_eq "its 16 segments, read through its indirect grant, 8 sectors each" 16 \
	"$(tr ',' '\n' <<<"$segs" | grep -cE '^ ?gref [0-9]+ sectors 0-7$')"
expect_grep "--slots: the one-sector read held by the backend" \
	"^    at the backend: req $((done + 1)) \(slot $((done + 1))\): id [0-9]+ read sector 0 nr_segments 1 handle [0-9]+: gref [0-9]+ sectors 0-0\$" "$TMP/slots"
section "$TMP/out" "=== blkif0" >"$TMP/blkif0"
expect_grep "blkif0 names the same ring" "^vbd51712 \(xvda, blkif0\): " "$TMP/blkif0"
expect_no_grep "no slots without --slots" "at the backend" "$TMP/blkif0"
section "$TMP/out" "=== all" >"$TMP/all"
expect_grep "uk rings lists the disk with the others" "^vbd51712 \(xvda, blkif0\): " "$TMP/all"
expect_grep "uk rings still lists netif0" "^netif0 tx: " "$TMP/all"

gdb_run "$TMP/closed" exit uk_blk_close -- "uk rings blkif0 --slots" "echo === counters\n" \
	"p/d $BLKBACK->stats.reads + $BLKBACK->stats.writes + $BLKBACK->stats.flushes"
total=$(section "$TMP/closed" "=== counters" | sed -n 's/^\$1 = //p')
expect_eq "blkback's requests completed at close" "$sent" "$total"
expect_grep "at close: every request answered and taken" "^  shared +req_prod $sent +req_event [0-9]+ +rsp_prod $sent " "$TMP/closed"
expect_grep "at close: the last response, the one-sector read" \
	"^    nothing in flight; the last response, $((sent - 1)) \(slot $((sent - 1))\): id [0-9]+ read status 0 \(okay\)\$" "$TMP/closed"
expect_grep "at close: no slot busy" "^  blkfront: .* 0 slots busy \(inflight 0\)" "$TMP/closed"
echo "PASS"
