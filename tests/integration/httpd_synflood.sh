#!/usr/bin/env bash
# A SYN flood against examples/httpd over a TAP in the test's own namespace:
# hping3 floods port 80 for 8 s from 10.0.0.3 (an address on the test's
# link that nobody holds, so the guest's SYN-ACKs wait for ARP and its
# half-open connections pile up as far as the stack lets them). Meanwhile a
# connection accepted before the flood is still served, the guest's memory
# in use (GET /stats) grows by a bounded amount, and once the flood is over
# a new connection is served. hping3 runs inside the namespace and sends only
# to the guest.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
for tool in curl python3 hping3; do
	command -v "$tool" >/dev/null || skip "needs $tool (make deps installs hping3)"
done
httpd_tap_ns "drydock-httpds-$$"
httpd_start "$TMP/out" tap=dd0

cat >"$TMP/flood.py" <<'PY'
import socket, subprocess, sys, time

def ask(s, path):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: g\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
    while len(body) < n:
        body += s.recv(65536)
    return head.split(b"\r\n")[0].decode(), body.decode()

def pages(stats):
    return int([l for l in stats.splitlines() if l.startswith("pages_used")][0].split()[1])

s = socket.create_connection(("10.0.0.2", 80), timeout=5)
status, stats = ask(s, b"/stats")
print("before", pages(stats), flush=True)
flood = subprocess.Popen(["timeout", "8", "hping3", "-q", "-S", "--flood", "-a", "10.0.0.3",
                          "-p", "80", "10.0.0.2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
worst = 0
for i in range(5):
    time.sleep(1)
    t = time.monotonic()
    status, stats = ask(s, b"/stats")
    worst = max(worst, pages(stats))
    print("during", status, pages(stats), "%.3f s" % (time.monotonic() - t), flush=True)
flood.wait()
status, body = ask(s, b"/bytes/1000")
print("after", status, len(body), flush=True)
print("worst", worst)
PY
in_ns timeout 60 python3 "$TMP/flood.py" >"$TMP/flood" 2>&1 || { cat "$TMP/flood" >&2; fail "the accepted connection was not served through the flood"; }
cat "$TMP/flood"
expect_eq "answers during the flood" 5 "$(grep -c '^during HTTP/1.1 200 OK ' "$TMP/flood")"
expect_grep "served after the flood" '^after HTTP/1.1 200 OK 1000$' "$TMP/flood"
before=$(awk '/^before/ { print $2 }' "$TMP/flood")
worst=$(awk '/^worst/ { print $2 }' "$TMP/flood")
# Bounded: the SYN queue's limit, not the flood's length, decides; 8 MiB is far above it.
[ $((worst - before)) -le 2048 ] || fail "memory in use grew from $before to $worst pages under the flood"
# Once the flood ends, a new connection is accepted and served.
sleep 1
page=$(in_ns timeout 30 curl -sS --retry 3 --retry-delay 1 http://10.0.0.2/) || fail "no new connection after the flood"
grep -q '<h1>Hello' <<<"$page" || fail "GET / after the flood gave: $page"
httpd_stop
expect_eq "httpd exit status after SIGTERM" 0 "$status"
