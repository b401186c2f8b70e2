#!/usr/bin/env bash
# A disk's capture= log that cannot be written (a full disk: /dev/full) is
# said once on stderr, naming the disk and the file, and the run goes on:
# the guest's writes still land in the image and it exits 0.
set -e
. "$(dirname "$0")/lib.sh"
[ -w /dev/full ] || skip "needs a writable /dev/full"

truncate -s 1M "$TMP/d.img"
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --clock virtual \
	--disk "$TMP/d.img,raw,xvda,rw,capture=/dev/full" -- load=3
expect_eq "status with a log on a full disk" 0 "$status"
expect_grep "the third put answered" '^powercut-ack 3$' "$TMP/out"
expect_grep "the failed log is said" \
	'^drydock: vbd xvda: writing capture file /dev/full failed: No space left on device; '\
'the log is incomplete$' "$TMP/err"
expect_eq "said once" 1 "$(grep -c 'writing capture file' "$TMP/err")"
