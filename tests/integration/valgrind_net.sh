#!/usr/bin/env bash
# memcheck on the network unikernels: l2echo and echo replaying traces through
# netfront, netback, the grant tables and the IPv4 stack report no errors and
# lose no memory (valgrind exits 99 otherwise).
set -e
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip "needs valgrind"
mac=00:16:3e:00:01:00
memcheck=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q)

"$TOOLS/pcaptool" gen "$TMP/l2.pcap" 200 "$mac"
run "$TMP/out1" "$TMP/err1" "${memcheck[@]}" "$BIN/l2echo" --clock virtual \
	--vif "pcap=$TMP/l2.pcap,capture=$TMP/cap1.pcap,linger=1"
[ "$status" = 0 ] || { cat "$TMP/err1" >&2; fail "l2echo under memcheck exited $status"; }
expect_grep "l2echo echoed them all" '^vif0: rx 200 frames' "$TMP/out1"

"$TOOLS/iptrace" gen "$TMP/ip.pcap" "$mac"
run "$TMP/out2" "$TMP/err2" "${memcheck[@]}" "$BIN/echo" --clock virtual \
	--vif "pcap=$TMP/ip.pcap,capture=$TMP/cap2.pcap,linger=1" -- ip=10.0.0.2/24
[ "$status" = 0 ] || { cat "$TMP/err2" >&2; fail "echo under memcheck exited $status"; }
"$TOOLS/iptrace" check "$TMP/cap2.pcap" >/dev/null || fail "echo's answers under memcheck"
