#!/usr/bin/env bash
# TCP-aware replay (pcap=,as=,tcp=replay; drydock trace expect --tcp) of the
# recordings in tests/corpus/replay, made with tcpdump against real Linux
# programs (tcp_replay_lib.sh): curl's GET of /bytes/3000 replayed into
# httpd and nc's echo exchange into tcpecho give a clean report, though the
# guest cuts its answer into other segments than the recorded host (one of
# 3000 bytes there, MSS 65495); with a smaller MSS offered (tcp_mss=) too.
# An answer with one byte changed is reported at its flow, direction and
# byte offset. The same recording gives the same capture and report twice;
# also with the guest as the client (echo_client.pcap into tcpecho connect=).
set -e
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
DT=$BIN/drydock-trace
CORPUS=$(cd "$(dirname "$0")/../corpus/replay" && pwd)

# The sizes of the TCP payloads the guest (MAC 00:16:3e:00:01:00) sent, one a line.
guest_segments() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
end = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
o = 24
while o + 16 <= len(d):
    incl = struct.unpack(end + "I", d[o + 8:o + 12])[0]
    f = d[o + 16:o + 16 + incl]
    o += 16 + incl
    if f[6:12] != bytes.fromhex("00163e000100") or f[12:14] != b"\x08\x00" or f[23] != 6:
        continue
    ihl = (f[14] & 15) * 4
    tot = struct.unpack(">H", f[16:18])[0]
    doff = (f[14 + ihl + 12] >> 4) * 4
    if tot - ihl - doff:
        print(tot - ihl - doff)
PY
}

run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 --capture "$TMP/cap.pcap" \
	"$CORPUS/http_bytes.pcap" - -- "$BIN/httpd" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp into httpd" 0 "$status"
expect_grep "a clean report" "^expect: .*/httpd answered .*/http_bytes\.pcap's TCP flows as the recording expects$" "$TMP/out"
expect_grep "the flow matched" "tcp=replay: 1 flows: 1 matched, 0 diverged, 0 not replayed; 82 bytes to the guest, 3104 from it" "$TMP/err"
guest_segments "$TMP/cap.pcap" >"$TMP/segs"
expect_eq "the guest's answer cut at its MSS (the recording: 104 + 3000)" "104 1448 1448 104" "$(echo $(cat "$TMP/segs"))"

# The same again: the same capture, the same lines.
run "$TMP/out2" "$TMP/err2" "$DT" expect --tcp --as 10.0.0.2 --capture "$TMP/cap2.pcap" \
	"$CORPUS/http_bytes.pcap" - -- "$BIN/httpd" -- ip=10.0.0.7/24
expect_eq "exit status of the second run" 0 "$status"
cmp "$TMP/cap.pcap" "$TMP/cap2.pcap" || fail "two replays of the same recording gave different captures"
cmp "$TMP/err" "$TMP/err2" || fail "two replays of the same recording said different things"

# The peer offers MSS 200: the guest cuts its answer smaller still, and matches.
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --tcp-mss 200 --as 10.0.0.2 --capture "$TMP/cap3.pcap" \
	"$CORPUS/http_bytes.pcap" - -- "$BIN/httpd" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status with tcp_mss=200" 0 "$status"
guest_segments "$TMP/cap3.pcap" >"$TMP/segs"
expect_eq "the guest's segments at most 200 bytes" "" "$(awk '$1 > 200' "$TMP/segs")"
expect_eq "the guest's 3104 bytes in 16 segments or more" 1 "$(awk '{n++; s += $1} END {print (n >= 16 && s == 3104)}' "$TMP/segs")"

# Body byte 1000 changed in the recording: byte 1104 of the guest's stream.
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 \
	"$CORPUS/http_bytes_changed.pcap" - -- "$BIN/httpd" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp against a changed answer" 1 "$status"
line='^tcp flow 1 10\.0\.0\.1:[0-9]+ > 10\.0\.0\.2:80: guest to peer, byte 1104: expected "Opqrstuvwxyz0123456789\+/", got "opqrstuvwxyz0123456789\+/"$'
expect_grep "the flow, direction, offset and bytes" "$line" "$TMP/out"
expect_grep "on stderr too" "vif0: ${line#^}" "$TMP/err"
expect_grep "counted" '^expect: .*/httpd: 1 divergence from the recording' "$TMP/out"

# nc's exchange with an echo server, into tcpecho.
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 \
	"$CORPUS/echo_nc.pcap" - -- "$BIN/tcpecho" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp into tcpecho" 0 "$status"
expect_grep "the echo matched" "tcp=replay: 1 flows: 1 matched, 0 diverged, 0 not replayed; 36 bytes to the guest, 36 from it" "$TMP/err"

# The answer is httpd's own: the recording's echo is not what httpd says on port 7 (nothing).
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 \
	"$CORPUS/echo_nc.pcap" - -- "$BIN/httpd" -- ip=10.0.0.7/24
expect_eq "exit status of the echo recording into httpd" 1 "$status"
expect_grep "a refused connection said" "^tcp flow 1 10\.0\.0\.1:[0-9]+ > 10\.0\.0\.2:7: the guest refused the connection \(RST\) where the recorded host answered with a SYN-ACK$" "$TMP/out"

# The guest as the client (the replayer plays the recorded server): the
# same capture and report twice.
for n in 1 2; do
	run "$TMP/out$n" "$TMP/err$n" "$DT" expect --tcp --as 10.0.0.1 --capture "$TMP/client$n.pcap" \
		"$CORPUS/echo_client.pcap" - -- "$BIN/tcpecho" -- ip=10.0.0.7/24 connect=10.0.0.2:7 size=20000
	expect_eq "exit status of tcpecho as the client, run $n" 0 "$status"
done
expect_grep "the client's echo matched" "tcp=replay: 1 flows: 1 matched, 0 diverged, 0 not replayed; 20000 bytes to the guest, 20000 from it" "$TMP/err1"
cmp "$TMP/client1.pcap" "$TMP/client2.pcap" || fail "two replays of the client recording captured different frames"
cmp "$TMP/out1" "$TMP/out2" || fail "two replays of the client recording said different things"
echo PASS
