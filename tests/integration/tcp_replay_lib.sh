# Recording TCP exchanges with tcpdump against real Linux programs, for the
# TCP-aware replay tests (sourced after lib.sh). Everything runs in the
# test's own network namespace, on its loopback, between 10.0.0.1 (the
# client, the peer the replayer plays) and 10.0.0.2 (the server, the host
# the guest stands in for). On lo, Linux offers an MSS of 65495 and sends
# large segments: the guest (MTU 1500) cuts the same bytes differently.

# The servers: http answers each GET /bytes/N of a connection as
# examples/httpd does (same head, same pattern), with body byte FLIP changed
# when given; http_noserver leaves out the Server header; echo sends back
# what it reads until the client shuts down, as examples/tcpecho.
cat >"$TMP/replay_server.py" <<'PY'
import socket, sys
PAT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
mode, port = sys.argv[1], int(sys.argv[2])
flip = int(sys.argv[3]) if len(sys.argv) > 3 else -1
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", port))
s.listen(4)
print("ready", flush=True)
c, _ = s.accept()
if mode == "echo":
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
else:
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(4096)
            if not d:
                break
            buf += d
        if b"\r\n\r\n" not in buf:
            break
        req, buf = buf.split(b"\r\n\r\n", 1)
        n = int(req.split(b" ")[1].split(b"/")[2])
        body = bytearray((PAT * (n // 64 + 1))[:n])
        if 0 <= flip < n:
            body[flip] ^= 0x20
        server = b"" if mode == "http_noserver" else b"Server: drydock-httpd\r\n"
        c.sendall(b"HTTP/1.1 200 OK\r\n" + server + ("Content-Type: application/octet-stream"
                  "\r\nContent-Length: %d\r\n\r\n" % n).encode())
        c.sendall(bytes(body))
c.close()
PY

# pcap_records FILE: how many whole records FILE holds so far (tcpdump may be
# writing it: a record cut short at the end is not counted).
cat >"$TMP/pcap_records.py" <<'PY'
import struct, sys
try:
    d = open(sys.argv[1], "rb").read()
except FileNotFoundError:
    d = b""
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]
    if off + 16 + incl > len(d):
        break
    off, n = off + 16 + incl, n + 1
print(n)
PY

# lo_tx_packets: the frames sent on the namespace's loopback so far (all of
# them TCP: IPv6 is off and nothing else runs there).
lo_tx_packets() {
	ip netns exec "$NS" cat /sys/class/net/lo/statistics/tx_packets
}

# record_setup: the namespace (netns_create skips the test where it cannot)
# with both addresses on its loopback.
record_setup() {
	command -v tcpdump >/dev/null || skip "needs tcpdump"
	command -v python3 >/dev/null || skip "needs python3"
	netns_create "ddtcprp$$"
	ip -n "$NS" addr add 10.0.0.1/32 dev lo
	ip -n "$NS" addr add 10.0.0.2/32 dev lo
}

# record OUT MODE PORT [FLIP] -- CLIENT...: tcpdump on lo while CLIENT talks
# to the server; OUT holds the TCP frames.
record() {
	local out=$1 mode=$2 port=$3 flip=-1 td sp before sent
	shift 3
	if [ "$1" != "--" ]; then flip=$1; shift; fi
	shift
	# Emptied now, not by the children after the fork: a reused file still
	# holds the last recording's "ready" and "listening", and the waits below
	# would let the client start before this server listens or tcpdump runs.
	: >"$TMP/server.out"
	: >"$TMP/tcpdump.err"
	ip netns exec "$NS" tcpdump -i lo -B 65536 --immediate-mode -U -w "$out" tcp \
		2>"$TMP/tcpdump.err" &
	td=$!
	ip netns exec "$NS" python3 "$TMP/replay_server.py" "$mode" "$port" "$flip" \
		>"$TMP/server.out" &
	sp=$!
	wait_for_line "$TMP/server.out" ready
	# tcpdump says it listens once its socket is open.
	wait_for_line "$TMP/tcpdump.err" listening
	before=$(lo_tx_packets)
	ip netns exec "$NS" timeout 10 "$@" || fail "the recording's client failed: $*"
	wait "$sp" || fail "the recording's server failed"
	# tcpdump drops what it has not yet written when it is killed: wait (up to
	# 30 s) until the file holds every frame the exchange sent on lo.
	for _ in $(seq 600); do
		sent=$(($(lo_tx_packets) - before))
		[ "$(python3 "$TMP/pcap_records.py" "$out")" -lt "$sent" ] || break
		sleep 0.05
	done
	[ "$(python3 "$TMP/pcap_records.py" "$out")" -ge "$sent" ] ||
		fail "tcpdump wrote $(python3 "$TMP/pcap_records.py" "$out") of the $sent frames sent on lo within 30 s"
	kill "$td"
	wait "$td" || true
}
