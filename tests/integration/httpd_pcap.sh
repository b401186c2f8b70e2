#!/usr/bin/env bash
# A recorded HTTP exchange replayed into examples/httpd under the virtual
# clock (pcap=, capture=): the client's side of a GET with Connection: close
# (ARP, SYN, ACK, the request, the ACK of the answer and FIN, then the
# client's FIN) is written by this test, since the client's ACKs must match
# the guest's initial sequence number (RFC 6528, fixed by --seed under the
# virtual clock; learned from a first replay of the SYN alone) and the
# answer's length (learned from a second). The full replay then gives a
# capture holding the whole answer and both FINs, byte-identical run after
# run.
set -e
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"

cat >"$TMP/http_trace.py" <<'PY'
import struct, subprocess, sys

GUEST_MAC = bytes.fromhex("00163e000100")
PEER_MAC = bytes.fromhex("020000000001")
PEER_IP, GUEST_IP = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SPORT, ISS = 40000, 1000
REQ = b"GET / HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: close\r\n\r\n"

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def tcp(seq, ack, flags, data=b"", mss=False):
    opts = struct.pack("!BBH", 2, 4, 1460) if mss else b""
    hl = 20 + len(opts)
    h = struct.pack("!HHIIBBHHH", SPORT, 80, seq, ack, (hl // 4) << 4, flags, 65535, 0, 0) + opts
    pseudo = PEER_IP + GUEST_IP + struct.pack("!BBH", 0, 6, hl + len(data))
    c = csum(pseudo + h + data)
    h = h[:16] + struct.pack("!H", c) + h[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + hl + len(data), 1, 0x4000, 64, 6, 0, PEER_IP, GUEST_IP)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return GUEST_MAC + PEER_MAC + b"\x08\x00" + ip + h + data

def arp_request():
    a = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER_IP, b"\0" * 6, GUEST_IP)
    return b"\xff" * 6 + PEER_MAC + b"\x08\x06" + a

def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t_ms, fr in frames:
            f.write(struct.pack("<IIII", 0, t_ms * 1000, len(fr), len(fr)) + fr)

def guest_segments(path):
    """(seq, flags, payload) of each TCP segment the guest sent, from a capture."""
    out = []
    with open(path, "rb") as f:
        d = f.read()
    off = 24
    while off + 16 <= len(d):
        n = struct.unpack("<I", d[off + 8:off + 12])[0]
        fr = d[off + 16:off + 16 + n]
        off += 16 + n
        if fr[12:14] != b"\x08\x00" or fr[23] != 6 or fr[26:30] != GUEST_IP:
            continue
        ihl = (fr[14] & 15) * 4
        t = fr[14 + ihl:]
        tot = struct.unpack("!H", fr[16:18])[0]
        doff = (t[12] >> 4) * 4
        out.append((struct.unpack("!I", t[4:8])[0], t[13], t[doff:tot - ihl]))
    return out

def run(binary, pcap, cap):
    subprocess.run([binary, "--clock", "virtual", "--seed", "5", "--vif",
                    "pcap=%s,capture=%s,linger=1" % (pcap, cap), "--", "ip=10.0.0.2/24"],
                   check=True, stdout=subprocess.DEVNULL, timeout=60)

binary, tmp = sys.argv[1], sys.argv[2]
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
start = [(10, arp_request()), (20, tcp(ISS, 0, SYN, mss=True))]
write_pcap(tmp + "/a.pcap", start)
run(binary, tmp + "/a.pcap", tmp + "/a.cap")
synack = [s for s in guest_segments(tmp + "/a.cap") if s[1] & SYN]
assert synack, "the guest answered no SYN"
isn = synack[0][0]
talk = start + [(30, tcp(ISS + 1, isn + 1, ACK)), (40, tcp(ISS + 1, isn + 1, ACK | PSH, REQ))]
write_pcap(tmp + "/b.pcap", talk)
run(binary, tmp + "/b.pcap", tmp + "/b.cap")
segs = guest_segments(tmp + "/b.cap")
data = {seq: p for seq, fl, p in segs if p}  # a retransmission repeats a seq
answer = b"".join(data[seq] for seq in sorted(data))
assert any(fl & FIN for _, fl, _ in segs), "the guest sent no FIN after its answer"
end = isn + 1 + len(answer) + 1
mid = ISS + 1 + len(REQ)
write_pcap(tmp + "/http.pcap", talk + [(100, tcp(mid, end, ACK)), (110, tcp(mid, end, ACK | FIN))])
print(answer.split(b"\r\n")[0].decode(), len(answer))
PY
python3 "$TMP/http_trace.py" "$BIN/httpd" "$TMP" >"$TMP/trace" || fail "writing the HTTP exchange"
expect_grep "the exchange's answer" '^HTTP/1.1 200 OK [0-9]+$' "$TMP/trace"

for i in 1 2 3; do
	run "$TMP/out$i" "$TMP/err$i" "$BIN/httpd" --clock virtual --seed 5 \
		--vif "pcap=$TMP/http.pcap,capture=$TMP/cap$i.pcap,linger=1" -- ip=10.0.0.2/24
	expect_eq "replay $i exit status" 0 "$status"
done
cmp "$TMP/cap1.pcap" "$TMP/cap2.pcap" || fail "two replays of the same exchange gave different captures"
cmp "$TMP/cap1.pcap" "$TMP/cap3.pcap" || fail "a third replay gave another capture"
# The capture holds the page and the guest's FIN, and no RST: the exchange ran to its end.
grep -aq '<h1>Hello from a drydock unikernel</h1>' "$TMP/cap1.pcap" || fail "the page is not in the capture"
if command -v tcpdump >/dev/null; then
	tcpdump -nr "$TMP/cap1.pcap" 'tcp' >"$TMP/dump" 2>/dev/null
	expect_grep "the guest's FIN" '10\.0\.0\.2\.80 > 10\.0\.0\.1\.40000: Flags \[F' "$TMP/dump"
	if grep -q 'Flags \[R' "$TMP/dump"; then cat "$TMP/dump" >&2; fail "a RST in the exchange"; fi
	# Sent once, acknowledged at once: no retransmission, no challenge ACK.
	expect_eq "the answer sent once" 1 "$(grep -c 'HTTP: HTTP/1.1 200 OK' "$TMP/dump")"
	expect_eq "the guest's last segment acknowledges the client's FIN" \
		"10.0.0.2.80 > 10.0.0.1.40000: Flags [.], ack 93," \
		"$(grep '10\.0\.0\.2\.80 >' "$TMP/dump" | tail -1 | sed -E 's/^[^ ]+ IP //; s/(ack [0-9]+,).*/\1/')"
fi
