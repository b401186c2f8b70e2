#!/usr/bin/env bash
# TCP-aware replay with the netif offloads (pcap=,as=,tcp=replay): a 2 MB
# download (bench/tcp_replay_trace.py) replayed into httpd matches with the
# offloads on (the default: the guest's 64 KiB GSO frames go to the
# replayer whole) and with sg=0,gso=0,csum=0 (1448-byte segments). Either
# way the capture shows the wire's segments, capture-gso=whole shows the
# guest's GSO frames only while the offloads are on, and the same recording
# gives the same capture and the same lines twice.
set -e
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
HERE=$(cd "$(dirname "$0")" && pwd)
TRACE=$TMP/download.pcap
python3 "$HERE/../../bench/tcp_replay_trace.py" "$TRACE" 2000000

# The largest frame the guest (MAC 00:16:3e:00:01:00) sent, and how many it sent.
guest_frames() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
end = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
o, big, n = 24, 0, 0
while o + 16 <= len(d):
    incl = struct.unpack(end + "I", d[o + 8:o + 12])[0]
    f = d[o + 16:o + 16 + incl]
    o += 16 + incl
    if f[6:12] == bytes.fromhex("00163e000100"):
        big, n = max(big, len(f)), n + 1
print(big, n)
PY
}

# replay NAME KEYS: one replay with capture=$TMP/NAME.pcap, its lines in $TMP/NAME.err.
replay() {
	run "$TMP/$1.out" "$TMP/$1.err" "$BIN/httpd" --clock virtual --vif \
		"pcap=$TRACE,as=10.0.0.2,tcp=replay,linger=0,capture=$TMP/$1.pcap$2" -- ip=10.0.0.7/24
	cat "$TMP/$1.err"
	expect_eq "exit status of the replay ($1)" 0 "$status"
	expect_grep "the download matched ($1)" \
		"tcp=replay: 1 flows: 1 matched, 0 diverged, 0 not replayed; 85 bytes to the guest, 2000107 from it" \
		"$TMP/$1.err"
}

replay on ""
read -r big n <<<"$(guest_frames "$TMP/on.pcap")"
expect_eq "offloads on: the capture shows wire segments (largest guest frame within 1514 bytes)" \
	yes "$([ "$big" -le 1514 ] && echo yes || echo "no: $big")"
replay on2 ""
cmp "$TMP/on.pcap" "$TMP/on2.pcap" || fail "offloads on: two replays gave different captures"
cmp "$TMP/on.err" "$TMP/on2.err" || fail "offloads on: two replays said different things"

replay whole ",capture-gso=whole"
read -r big_whole n_whole <<<"$(guest_frames "$TMP/whole.pcap")"
expect_eq "offloads on, capture-gso=whole: the guest sent GSO frames (over 1514 bytes)" \
	yes "$([ "$big_whole" -gt 1514 ] && echo yes || echo "no: $big_whole")"
expect_eq "offloads on, capture-gso=whole: fewer frames than segments" \
	yes "$([ "$n_whole" -lt "$n" ] && echo yes || echo "no: $n_whole of $n")"

replay off ",sg=0,gso=0,csum=0,capture-gso=whole"
read -r big_off n_off <<<"$(guest_frames "$TMP/off.pcap")"
expect_eq "offloads off: the guest sends wire segments only" \
	yes "$([ "$big_off" -le 1514 ] && echo yes || echo "no: $big_off")"
replay off2 ",sg=0,gso=0,csum=0,capture-gso=whole"
cmp "$TMP/off.pcap" "$TMP/off2.pcap" || fail "offloads off: two replays gave different captures"
cmp "$TMP/off.err" "$TMP/off2.err" || fail "offloads off: two replays said different things"
echo "PASS: tcp=replay with offloads on ($n_whole guest frames, $n on the wire) and off ($n_off)"
