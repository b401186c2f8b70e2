#!/usr/bin/env bash
# memcheck on l2echo replaying 200 frames through every impairment at once
# (frames lost, duplicated, corrupted, reordered, delayed, rate-limited and
# dropped at a small limit, both ways): no errors, no memory lost, and the
# same capture as the run without valgrind, since the decisions are seeded.
set -e
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip "needs valgrind"
mac=00:16:3e:00:01:00
memcheck=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q)
impair=loss=10%,dup=10%,corrupt=10%,reorder=10%,delay=2,jitter=1,rate=0.2,limit=4

"$TOOLS/pcaptool" gen "$TMP/in.pcap" 200 "$mac"
run "$TMP/out1" "$TMP/err1" "${memcheck[@]}" "$BIN/l2echo" --clock virtual --seed 3 \
	--vif "pcap=$TMP/in.pcap,capture=$TMP/cap1.pcap,linger=1,$impair"
[ "$status" = 0 ] || { cat "$TMP/err1" >&2; fail "l2echo under memcheck exited $status"; }
run "$TMP/out2" "$TMP/err2" "$BIN/l2echo" --clock virtual --seed 3 \
	--vif "pcap=$TMP/in.pcap,capture=$TMP/cap2.pcap,linger=1,$impair"
expect_eq "exit status without valgrind" 0 "$status"
cmp -s "$TMP/cap1.pcap" "$TMP/cap2.pcap" || fail "memcheck changed what the impairment did"
cmp -s "$TMP/out1" "$TMP/out2" || fail "memcheck changed what the guest counted"
# Some frames were lost on the way in: the guest received fewer than 200.
expect_grep "fewer frames in" '^vif0: rx (1[0-9][0-9]|[0-9]{1,2}) frames' "$TMP/out1"
grep -q '^vif0: rx 200 frames' "$TMP/out1" && fail "no frame was lost"
true
