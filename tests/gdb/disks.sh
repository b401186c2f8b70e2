#!/usr/bin/env bash
# uk disks: disk 0 as blkback serves it (image, features, xenbus state, its
# counters matching what gdbguest did: one write, one read, one flush
# answered, two requests in its thread pool) and as blkfront sees it.
. "$(dirname "$0")/blk_lib.sh"
gdb_run "$TMP/out" exit -- "uk disks" "echo === counters\n" \
	"p/d $BLKBACK->stats.reads" "p/d $BLKBACK->stats.writes" "p/d $BLKBACK->stats.flushes" \
	"p/d $BLKFRONT->port"
section "$TMP/out" "=== counters" >"$TMP/counters"
val() { sed -n "s/^\\\$$1 = //p" "$TMP/counters"; }
expect_eq "blkback's reads" 1 "$(val 1)"
expect_eq "blkback's writes" 1 "$(val 2)"
expect_eq "blkback's flushes" 1 "$(val 3)"
expect_grep "the disk" '^vbd51712 \(xvda, blkif0\)$' "$TMP/out"
expect_grep "blkback: image, size, access, features, state" \
	"^  blkback: $TMP/disk.img, 2048 sectors \(1024 KiB\), rw, ring-order 4, flush barrier indirect 256; xenbus Connected, connected\$" "$TMP/out"
expect_grep "blkback's counters" \
	'^    reads 1, writes 1, flushes 1, errors 0, indirect 1, sectors_read 8, sectors_written 8, max_inflight [0-9]+$' "$TMP/out"
expect_grep "blkback's requests in flight" '^    in flight: 2 requests in the thread pool, 0 waiting behind a flush, barrier_running False$' "$TMP/out"
expect_grep "blkfront's view" "^  blkfront: 2048 sectors of 512 bytes, ring [0-9]+ page\(s\) of [0-9]+ slots, port $(val 4); 2 slots in flight\$" "$TMP/out"
echo "PASS"
