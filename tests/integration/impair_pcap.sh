#!/usr/bin/env bash
# echo fed the IPv4 trace through a vif with loss= under the virtual clock:
# two runs at one --seed capture byte-identical files, another seed a
# different one (without loss= the seed changes nothing of what reaches the
# guest; the guest's own answers differ, its IP ids being random),
# and the capture holds what the guest really received: as many frames from
# the peer as the guest counted.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

"$TOOLS/iptrace" gen "$TMP/in.pcap" "$mac"
# echo_run NAME SEED IMPAIRMENT: captures into $TMP/NAME.pcap.
echo_run() {
	run "$TMP/$1.out" "$TMP/$1.err" "$BIN/echo" --clock virtual --seed "$2" \
		--vif "pcap=$TMP/in.pcap,capture=$TMP/$1.pcap,linger=1$3" -- ip=10.0.0.2/24
	expect_eq "exit status of $1" 0 "$status"
}
echo_run lossy1 7 ,loss=30%
echo_run lossy2 7 ,loss=30%
echo_run other 8 ,loss=30%
echo_run clean7 7 ""
echo_run clean8 8 ""
cmp -s "$TMP/lossy1.pcap" "$TMP/lossy2.pcap" || fail "two runs at --seed 7 captured different files"
cmp -s "$TMP/lossy1.pcap" "$TMP/other.pcap" && fail "--seed 7 and --seed 8 lost the same frames"
cmp -s "$TMP/lossy1.pcap" "$TMP/clean7.pcap" && fail "loss=30% lost nothing"
"$TOOLS/iptrace" check "$TMP/clean7.pcap" >/dev/null || fail "the run without loss= is not answered in full"

command -v tcpdump >/dev/null || { echo "no tcpdump: the capture's frame count is not checked"; exit 0; }
# Frames from the peer in the capture = frames the guest's stack received.
for name in lossy1 other clean7; do
	got=$(tcpdump -r "$TMP/$name.pcap" ether src 02:00:00:00:00:01 2>/dev/null | wc -l)
	expect_grep "$name: the guest's counters" "^if0: rx $got tx " "$TMP/$name.out"
done
got=$(tcpdump -r "$TMP/clean7.pcap" ether src 02:00:00:00:00:01 2>/dev/null | wc -l)
expect_eq "frames to the guest without loss" 7 "$got"
to_guest() { tcpdump -r "$TMP/$1.pcap" -tt -x ether src 02:00:00:00:00:01 2>/dev/null; }
[ "$(to_guest clean7)" = "$(to_guest clean8)" ] ||
	fail "without loss=, --seed changed the frames that reached the guest"

# Delay and rate on guest time: at 1 Mbit/s the 98-byte first echo reply
# takes 0.784 ms on the link, then 5 ms of delay, after its request at 10 ms.
echo_run slow 7 ,tx-delay=5,tx-rate=1
expect_grep "every answer, late" '^arp replies 1, echo replies 3/3, udp echoes 3/3, bad 0$' \
	<("$TOOLS/iptrace" check "$TMP/slow.pcap")
tcpdump -nr "$TMP/slow.pcap" 2>/dev/null >"$TMP/slow.txt"
expect_grep "the first echo reply 5.784 ms after its request" \
	'^00:00:00\.015784 IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id 4660, seq 1,' "$TMP/slow.txt"
