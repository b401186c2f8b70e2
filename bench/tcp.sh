#!/usr/bin/env bash
# bench/tcp: TCP through examples/httpd over a TAP, beside the TAP path's own
# ceiling measured in the same run, everything pinned to one CPU (taskset):
#   - the ceiling: a plain C TAP echo's (tap_l2echo) 1500-byte frames per
#     second, from rawpeer, times the MSS the TCP runs uses (1448 payload
#     bytes with timestamps);
#   - bulk guest->Linux (curl GET /bytes/N) and Linux->guest (curl POST
#     /discard), in MB/s and as a share of the ceiling (goal: 70%), with the
#     netif offloads (the default) and without them (sg=0,gso=0,csum=0;
#     goal: on >= 3x off, each way: guest->Linux by TSO, Linux->guest by
#     the receive offloads, the kernel handing the guest 64 KiB segments);
#   - Linux->guest again with a sender that costs less than curl's
#     --data-binary (which reads the whole file into memory first: two
#     thirds of the CPU in a perf profile): a Python POST /discard doing
#     sendall of 1 MB buffers, as the Linux to Linux sender below;
#   - Linux to Linux over a veth pair in the same run (goal: the guest with
#     offloads >= 50% of it);
#   - requests per second under wrk, keep-alive and a new connection per
#     request;
#   - guest memory of 10,000 idle connections (httpd's GET /stats before and
#     after), per connection.
# All traffic stays inside a network namespace made for the run. Needs root;
# prints a message and exits 0 otherwise.
#
#   bench/tcp.sh BUILD_DIR [MEGABYTES]
set -eu
build=${1:?usage: tcp.sh BUILD_DIR [MEGABYTES]}
mb=${2:-200}
mac=00:16:3e:00:01:00
ns=drydock-btcp-$$
mss=1448
cpu="taskset -c 0"

. "$(dirname "$0")/lib.sh"
bench_netns_or_skip tcp "$ns" 0
tmp=$(mktemp -d)
trap 'p=$(ip netns pids "$ns"); [ -z "$p" ] || kill $p 2>/dev/null; sleep 0.2; ip netns del "$ns"; rm -rf "$tmp"' EXIT
command -v taskset >/dev/null || cpu=""
in_ns() { ip netns exec "$ns" $cpu "$@"; }
bench_tap_dd0 "$ns"

# 1. The ceiling: tap_l2echo's 1500-byte frames/s (as bench/netdev.sh measures it).
ip netns exec "$ns" $cpu "$build/bench/tap_l2echo" dd0 >/dev/null 2>&1 &
echo_pid=$!
sleep 0.5
fps=$(in_ns "$build/tests/rawpeer" dd0 "$mac" 100000 1500 64 | sed -n 's/.* \([0-9]*\) frames\/s$/\1/p')
kill -TERM "$echo_pid" 2>/dev/null || true
wait "$echo_pid" 2>/dev/null || true
ceiling=$(awk -v f="$fps" -v m="$mss" 'BEGIN { printf "%.1f", f * m / 1e6 }')

# 2. httpd on the same TAP, pinned to the same CPU: with the netif offloads
# (the default: 64 KiB TCP frames, whole to the kernel behind a virtio-net
# header), then without them (sg=0,gso=0,csum=0), each on a fresh httpd.
ip -n "$ns" addr add 10.0.0.1/24 dev dd0
bytes=$((mb * 1000000))
head -c "$bytes" /dev/zero >"$tmp/up"
httpd_up() {
	: >"$tmp/out"
	ip netns exec "$ns" $cpu "$build/bin/httpd" --mem 2048 --vif "tap=dd0,mac=$mac$1" -- ip=10.0.0.2/24 max=20000 idle=0 \
		>"$tmp/out" 2>&1 &
	httpd_pid=$!
	for _ in $(seq 100); do grep -q 'listening' "$tmp/out" && break; sleep 0.1; done
	grep -q 'listening' "$tmp/out" || { cat "$tmp/out"; echo "bench/tcp: httpd did not start"; exit 1; }
}
# A POST /discard of N zero bytes from Python (sendall of 1 MB buffers); prints bytes/s.
cat >"$tmp/post.py" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
s = socket.create_connection(("10.0.0.2", 80))
s.sendall(b"POST /discard HTTP/1.1\r\nHost: g\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
buf, left, t = memoryview(bytes(1 << 20)), n, time.monotonic()
while left:
    k = min(left, len(buf))
    s.sendall(buf[:k])
    left -= k
answer = s.recv(4096)
if not answer.startswith(b"HTTP/1.1 200"):
    sys.exit("bench/tcp: POST /discard answered %r" % answer[:40])
print("%.0f" % (n / (time.monotonic() - t)))
PY
# bulk: "DOWN UP UP_PY" in bytes/s through the httpd that is up.
bulk() {
	local d u p
	d=$(in_ns curl -sS -o /dev/null -w '%{speed_download}' "http://10.0.0.2/bytes/$bytes")
	u=$(in_ns curl -sS -o /dev/null -w '%{speed_upload}' -H 'Expect:' --data-binary @"$tmp/up" \
		http://10.0.0.2/discard)
	p=$(in_ns python3 "$tmp/post.py" "$bytes")
	echo "$d $u $p"
}
httpd_up ",sg=0,gso=0,csum=0"
read -r down_off up_off py_off <<<"$(bulk)"
kill -TERM "$httpd_pid"; wait "$httpd_pid" 2>/dev/null || true
httpd_up ""
read -r down up py <<<"$(bulk)"
rm -f "$tmp/up"

# 2b. Linux to Linux over a veth pair between this namespace and a second
# one, on the same CPU: a Python sender (sendall of 1 MB buffers) and curl.
ns2=$ns-peer
ip netns add "$ns2"
trap 'p=$(ip netns pids "$ns"; ip netns pids "$ns2"); [ -z "$p" ] || kill $p 2>/dev/null; sleep 0.2; ip netns del "$ns"; ip netns del "$ns2"; rm -rf "$tmp"' EXIT
ip -n "$ns" link add vb0 type veth peer name vb1 netns "$ns2"
ip -n "$ns" addr add 10.1.0.1/24 dev vb0
ip -n "$ns2" addr add 10.1.0.2/24 dev vb1
ip -n "$ns" link set vb0 up
ip -n "$ns2" link set vb1 up
ip -n "$ns2" link set lo up
cat >"$tmp/send.py" <<'PY'
import socket, sys
n = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.1.0.2", 80))
srv.listen(1)
print("listening", flush=True)
c, _ = srv.accept()
c.recv(65536)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n)
buf = memoryview(bytes(1 << 20))
while n:
    k = min(n, len(buf))
    c.sendall(buf[:k])
    n -= k
c.close()
PY
: >"$tmp/send.out"
ip netns exec "$ns2" $cpu python3 "$tmp/send.py" "$bytes" >"$tmp/send.out" 2>&1 &
for _ in $(seq 100); do grep -q listening "$tmp/send.out" && break; sleep 0.1; done
linux=$(in_ns curl -sS -o /dev/null -w '%{speed_download}' http://10.1.0.2/)

echo "bench/tcp: one CPU; ceiling = tap_l2echo's $fps frames/s of 1500 B x $mss B = $ceiling MB/s"
awk -v d="$down" -v u="$up" -v d0="$down_off" -v u0="$up_off" -v p="$py" -v p0="$py_off" \
	-v l="$linux" -v c="$ceiling" -v mb="$mb" 'BEGIN {
	printf "  guest -> Linux  %8.1f MB/s  %3.0f%% of the ceiling (%d MB, curl GET /bytes/N), offloads on\n", d / 1e6, 100 * d / 1e6 / c, mb
	printf "  guest -> Linux  %8.1f MB/s  %3.0f%% of the ceiling, offloads off (sg=0,gso=0,csum=0): on is %.1fx\n", d0 / 1e6, 100 * d0 / 1e6 / c, d / d0
	printf "  Linux -> Linux  %8.1f MB/s  over a veth pair (Python sendall, curl): the guest with offloads is %.0f%% of it\n", l / 1e6, 100 * d / l
	printf "  Linux -> guest  %8.1f MB/s  %3.0f%% of the ceiling (%d MB, curl POST /discard), offloads on\n", u / 1e6, 100 * u / 1e6 / c, mb
	printf "  Linux -> guest  %8.1f MB/s  %3.0f%% of the ceiling, offloads off (sg=0,gso=0,csum=0): on is %.1fx\n", u0 / 1e6, 100 * u0 / 1e6 / c, u / u0
	printf "  Linux -> guest  %8.1f MB/s  Python sendall POST /discard, offloads on\n", p / 1e6
	printf "  Linux -> guest  %8.1f MB/s  Python sendall POST /discard, offloads off: on is %.1fx\n", p0 / 1e6, p / p0
}'

# 3. wrk: keep-alive, then a new connection per request.
if command -v wrk >/dev/null; then
	ka=$(in_ns wrk -t 1 -c 50 -d 10s http://10.0.0.2/bytes/100 | awk '/^Requests\/sec/ { print $2 }')
	nc_=$(in_ns wrk -t 1 -c 50 -d 10s -H 'Connection: close' http://10.0.0.2/bytes/100 |
		awk '/^Requests\/sec/ { print $2 }')
	printf '  wrk, 50 connections, 10 s, GET /bytes/100: %s requests/s keep-alive, %s with a new connection each\n' "$ka" "$nc_"
else
	echo "  wrk not installed (make deps): requests/s not measured"
fi

# 4. 10,000 idle connections.
cat >"$tmp/idle.py" <<'PY'
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
def stats(s):
    s.sendall(b"GET /stats HTTP/1.1\r\n\r\n")
    buf = b""
    while not buf.endswith(b"\n") or b"heap_bytes" not in buf:
        buf += s.recv(4096)
    return dict(l.split() for l in buf.split(b"\r\n\r\n")[1].decode().splitlines())
probe = socket.create_connection(("10.0.0.2", 80), timeout=60)
before = stats(probe)
idle = [socket.create_connection(("10.0.0.2", 80), timeout=60) for _ in range(int(sys.argv[1]))]
after = stats(probe)
n = int(after["open"]) - int(before["open"])
pages = int(after["pages_used"]) - int(before["pages_used"])
print("  %d idle connections: %d more pages in use, %.1f KiB each (thread stack 128 KiB, request buffer 8 KiB, socket)" % (n, pages, pages * 4.0 / max(n, 1)))
PY
in_ns python3 "$tmp/idle.py" 10000 || echo "  10,000 idle connections: could not be opened"
