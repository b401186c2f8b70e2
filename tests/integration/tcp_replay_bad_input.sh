#!/usr/bin/env bash
# TCP-aware replay of hostile recordings, under memcheck: a file cut inside
# a record, a flow whose capture lacks a segment (a hole), a flow whose
# sequence numbers jump far past its bytes (under ulimit -v), and a recording
# in which the host named by as= never appears. Each gives one clear line
# (on stderr, and in report=FILE when it is a divergence), never a crash,
# a hang or a memcheck error.
set -e
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
VG=${VALGRIND:-valgrind}
command -v "$VG" >/dev/null || skip "needs valgrind"
CORPUS=$(cd "$(dirname "$0")/../corpus/replay" && pwd)
IN=$CORPUS/http_bytes.pcap

# replay FILE AS: httpd under memcheck, as=AS,tcp=replay; $TMP/rep the report.
replay() {
	run "$TMP/out" "$TMP/err" "$VG" --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite -q "$BIN/httpd" --clock virtual \
		--vif "pcap=$1,as=$2,tcp=replay,report=$TMP/rep,linger=1" -- ip=10.0.0.7/24
	cat "$TMP/err"
	expect_eq "exit status of httpd under memcheck on $(basename "$1")" 0 "$status"
}

# Cut inside record 8 (the recorded host's 3000-byte segment): the reader
# says where; the replay plays what there is (the request), and the guest's
# bytes past the recording's end are not a divergence.
head -c 2000 "$IN" >"$TMP/cut.pcap"
replay "$TMP/cut.pcap" 10.0.0.2
expect_grep "the cut said once" "cut\.pcap.*record 8" "$TMP/err"
expect_eq "lines naming the cut" 1 "$(grep -c "record 8" "$TMP/err")"
expect_eq "no divergence reported" "" "$(cat "$TMP/rep")"
expect_grep "the flow played as far as recorded" "tcp=replay: 1 flows: 1 matched, 0 diverged, 0 not replayed; 82 bytes to the guest" "$TMP/err"

# Record 6 (the answer's head, bytes 0-103 of the recorded host's stream) taken out.
python3 - "$IN" "$TMP/hole.pcap" 6 <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out, o, n = [d[:24]], 24, 0
while o < len(d):
    incl = struct.unpack("<I", d[o + 8:o + 12])[0]
    n += 1
    if n != int(sys.argv[3]):
        out.append(d[o:o + 16 + incl])
    o += 16 + incl
open(sys.argv[2], "wb").write(b"".join(out))
PY
replay "$TMP/hole.pcap" 10.0.0.2
line="tcp flow 1 10\.0\.0\.1:[0-9]+ > 10\.0\.0\.2:80: not replayed: the capture lacks the recorded host's bytes 0-103 \(a hole\)"
expect_grep "the hole said" "^$line$" "$TMP/rep"
expect_eq "one line in the report" 1 "$(wc -l <"$TMP/rep")"
expect_grep "and on stderr" "vif0: $line" "$TMP/err"

# A peer's SYN, then 63 one-byte segments 64 MiB apart in its sequence
# space (~6 KB of file): the stream may not reserve what it lacks (it took
# 4 GiB of address space); under a 1 GB limit the flow is said not
# replayable, not "out of memory". Without memcheck, which needs more.
python3 - "$TMP/jump.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def frame(seq, flags, data, opts=b""):
    th = struct.pack("!HHIIBBHHH", 40000, 80, seq & 0xffffffff, 1, (20 + len(opts)) // 4 << 4,
                     flags, 65535, 0, 0) + opts
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th) + len(data), 1, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return bytes([2, 0, 0, 0, 0, 0x20, 2, 0, 0, 0, 0, 1, 8, 0]) + ip + th + data
isn = 1000
frames = [frame(isn, 0x02, b"", bytes([2, 4, 5, 0xb4]))]
frames += [frame(isn + 1 + k * (64 << 20) - 2, 0x10, b"x") for k in range(1, 64)]
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
for i, f in enumerate(frames):
    out.append(struct.pack("<IIII", 1, i, len(f), len(f)) + f)
open(sys.argv[1], "wb").write(b"".join(out))
PY
run "$TMP/out" "$TMP/err" bash -c 'ulimit -v 1000000 && exec "$@"' sh "$BIN/httpd" \
	--clock virtual --vif "pcap=$TMP/jump.pcap,as=10.0.0.2,tcp=replay,report=$TMP/rep,linger=0" \
	-- ip=10.0.0.7/24
cat "$TMP/err"
expect_eq "exit status of httpd on jump.pcap under ulimit -v 1000000" 0 "$status"
line="tcp flow 1 10\.0\.0\.1:40000 > 10\.0\.0\.2:80: not replayed: the peer's sequence numbers jump to byte 67108862 with 0 bytes captured before it \(garbage, a wrapped sequence number, or a capture that lost most of them\)"
expect_grep "the jump said" "^$line$" "$TMP/rep"
expect_eq "one line in the report" 1 "$(wc -l <"$TMP/rep")"
if grep -q "out of memory" "$TMP/err"; then fail "jump.pcap: out of memory said"; fi

# The recorded host is not in the recording.
replay "$IN" 10.0.0.99
expect_grep "nothing to replay said" "^tcp: no TCP flow of the recording concerns 10\.0\.0\.99 \(as=\): nothing to replay$" "$TMP/rep"
expect_eq "one line in the report" 1 "$(wc -l <"$TMP/rep")"

# A guest that never says its address (DHCP, against a recording): its
# flows never start; tcp_deadline= after the file, that is said and the
# input ends.
run "$TMP/out" "$TMP/err" "$VG" --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite -q "$BIN/httpd" --clock virtual \
	--vif "pcap=$IN,as=10.0.0.2,tcp=replay,report=$TMP/rep,linger=0,tcp_deadline=2"
cat "$TMP/err"
expect_eq "exit status of a DHCP guest under memcheck" 0 "$status"
expect_grep "the flow that never started" "^tcp flow 1 10\.0\.0\.1:[0-9]+ > 10\.0\.0\.2:80: never started: the replay ended before the peer's SYN was due \(the guest never said its address\)$" "$TMP/rep"

# tcp=replay without as=, and a bad tcp_deadline=: refused by name.
run "$TMP/out" "$TMP/err" "$BIN/httpd" --clock virtual --vif "pcap=$IN,tcp=replay" -- ip=10.0.0.7/24
expect_eq "exit status of tcp=replay without as=" 1 "$status"
expect_grep "as= asked for" "tcp=replay needs as=IP" "$TMP/err"
run "$TMP/out" "$TMP/err" "$BIN/httpd" --clock virtual \
	--vif "pcap=$IN,as=10.0.0.2,tcp=replay,tcp_deadline=soon" -- ip=10.0.0.7/24
expect_eq "exit status of a bad tcp_deadline=" 1 "$status"
expect_grep "the key named" "tcp_deadline=soon: expected seconds" "$TMP/err"
echo PASS
