#!/usr/bin/env bash
# The power-cut loop (tools/drydock-powercut): kvstore recovers at every
# write point; kvstore_broken, which answers before it flushes, is caught and
# named by write number and seed, and a reported point reproduces.
set -e
. "$(dirname "$0")/lib.sh"
loop="$(dirname "$0")/../../tools/drydock-powercut"

set +e
"$loop" --seed 5 --load load=8 --verify 'verify={acked}' "$BIN/kvstore" >"$TMP/good" 2>&1
status=$?
"$loop" --seed 5 --load load=8 --verify 'verify={acked}' "$BIN/kvstore_broken" >"$TMP/bad" 2>&1
bstatus=$?
set -e
expect_eq "the loop's status for kvstore" 0 "$status"
expect_grep "every write point of kvstore" '8 power cuts, 0 without recovery' "$TMP/good"
expect_eq "the loop's status for kvstore_broken" 1 "$bstatus"
expect_grep "a failure named by write and seed" '^FAIL: power cut at write [0-9]+ \(seed 5' "$TMP/bad"

# The first failing point, run by hand, loses an acknowledged key again.
n=$(sed -n 's/^FAIL: power cut at write \([0-9]*\).*/\1/p' "$TMP/bad" | head -n 1)
truncate -s 4M "$TMP/d.img"
run "$TMP/out" "$TMP/err" "$BIN/kvstore_broken" --clock virtual --seed 5 \
	--disk "$TMP/d.img,raw,xvda,rw,powercut=$n" -- load=8
expect_eq "status of a power cut" 75 "$status"
expect_grep "the cut said" "power cut at write $n \\(powercut=$n, --seed 5\\)" "$TMP/err"
acked=$(sed -n 's/^powercut-ack //p' "$TMP/out" | tail -n 1)
run "$TMP/out" "$TMP/err" "$BIN/kvstore_broken" --clock virtual --disk "$TMP/d.img,raw,xvda,rw" \
	-- verify="$acked"
expect_eq "recovery fails again" 1 "$status"
expect_grep "names the lost key" 'was acknowledged but is (lost|wrong)' "$TMP/out"
