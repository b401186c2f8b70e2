#!/usr/bin/env bash
# examples/httpd over a TAP inside a network namespace made by the test,
# against curl, nc, Python and wrk in that namespace (all traffic stays in
# it): the pages and errors, keep-alive and pipelined answers in order, a
# 100 MB download and a 100 MB upload (SHA-256 checked), 1,000 connections
# open at once each answered, and wrk for 30 s on 100 connections with no
# error.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
for tool in curl nc python3 sha256sum; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
httpd_tap_ns "drydock-httpd-$$"
httpd_start "$TMP/out" tap=dd0

# 1. Pages and errors.
page=$(in_ns timeout 20 curl -sS http://10.0.0.2/)
grep -q '<h1>Hello from a drydock unikernel</h1>' <<<"$page" || fail "GET / gave: $page"
expect_eq "GET /nope" 404 "$(in_ns timeout 20 curl -s -o /dev/null -w '%{http_code}' http://10.0.0.2/nope)"
expect_eq "POST /" 405 "$(in_ns timeout 20 curl -s -o /dev/null -w '%{http_code}' -d x http://10.0.0.2/)"
expect_eq "xenstore name" httpd "$(in_ns timeout 20 curl -sS http://10.0.0.2/xenstore/name)"
expect_eq "xenstore missing node" 404 \
	"$(in_ns timeout 20 curl -s -o /dev/null -w '%{http_code}' http://10.0.0.2/xenstore/no/such/node)"
expect_eq "sha256 of abc" ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \
	"$(printf abc | in_ns timeout 20 curl -sS --data-binary @- http://10.0.0.2/sha256)"
expect_eq "discard counts the body" 5 \
	"$(printf hello | in_ns timeout 20 curl -sS --data-binary @- http://10.0.0.2/discard)"
printf 'GARBAGE\r\n\r\n' | in_ns timeout 20 nc -w 5 10.0.0.2 80 >"$TMP/bad" || true
expect_grep "garbage is 400" '^HTTP/1.1 400 Bad Request' "$TMP/bad"
python3 -c 'import sys; sys.stdout.write("GET /" + "x" * 9000 + " HTTP/1.1\r\n\r\n")' |
	in_ns timeout 20 nc -w 5 10.0.0.2 80 >"$TMP/long" || true
expect_grep "a head over 8 KiB is 431" '^HTTP/1.1 431 ' "$TMP/long"

# 2. Pipelining: three requests in one write, three answers in order on one connection.
printf 'GET /bytes/3 HTTP/1.1\r\nHost: g\r\n\r\nPOST /sha256 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /xenstore/domid HTTP/1.1\r\nConnection: close\r\n\r\n' |
	in_ns timeout 20 nc -w 10 10.0.0.2 80 >"$TMP/pipe"
answer() { printf 'HTTP/1.1 200 OK\r\nServer: drydock-httpd\r\nContent-Type: %s\r\nContent-Length: %s\r\n%s\r\n%s' "$@"; }
{
	answer application/octet-stream 3 '' ABC
	answer text/plain 65 '' $'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n'
	answer text/plain 1 $'Connection: close\r\n' 1
} >"$TMP/pipe.want"
cmp "$TMP/pipe.want" "$TMP/pipe" || { cat -A "$TMP/pipe" >&2; fail "three pipelined answers, in order"; }
# Keep-alive: curl fetches two URLs over one connection.
in_ns timeout 20 curl -sS -v http://10.0.0.2/bytes/10 http://10.0.0.2/bytes/20 -o /dev/null -o /dev/null 2>"$TMP/keep"
expect_grep "keep-alive reused" 'Re-using existing connection' "$TMP/keep"

# 3. 100 MB each way.
download_check "100 MB download" 104857600
head -c 104857600 /dev/urandom >"$TMP/up"
upload_check "100 MB upload" "$TMP/up"
rm -f "$TMP/up"

# 4. 1,000 connections open at once, then a request on each.
cat >"$TMP/many.py" <<'PY'
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
n = int(sys.argv[1])
socks = []
for i in range(n):
    s = socket.create_connection(("10.0.0.2", 80), timeout=30)
    socks.append(s)
for s in socks:
    s.sendall(b"GET /bytes/16 HTTP/1.1\r\nHost: g\r\n\r\n")
ok = 0
for s in socks:
    buf = b""
    while not buf.endswith(b"ABCDEFGHIJKLMNOP"):
        b = s.recv(4096)
        if not b:
            break
        buf += b
    ok += buf.startswith(b"HTTP/1.1 200 OK") and buf.endswith(b"ABCDEFGHIJKLMNOP")
stats = socks[0]
stats.sendall(b"GET /stats HTTP/1.1\r\n\r\n")
print(stats.recv(4096).decode().split("\r\n\r\n")[1], end="")
for s in socks:
    s.close()
print("answered", ok)
PY
in_ns timeout 120 python3 "$TMP/many.py" 1000 >"$TMP/many" || { cat "$TMP/many" >&2; fail "1000 connections"; }
expect_grep "1000 open at once" '^open 1000$' "$TMP/many"
expect_grep "1000 answered" '^answered 1000$' "$TMP/many"

# 5. wrk: 30 s, 100 connections, keep-alive, no error of any kind.
if command -v wrk >/dev/null; then
	in_ns timeout 60 wrk -t 2 -c 100 -d 30s http://10.0.0.2/bytes/100 >"$TMP/wrk" 2>&1 ||
		{ cat "$TMP/wrk" >&2; fail "wrk"; }
	cat "$TMP/wrk"
	expect_grep "wrk made requests" '^Requests/sec: +[0-9]' "$TMP/wrk"
	if grep -Eq 'Socket errors|Non-2xx' "$TMP/wrk"; then
		cat "$TMP/wrk" >&2
		fail "wrk saw errors"
	fi
else
	echo "wrk not installed (make deps): its part is left out"
fi

httpd_stop
expect_eq "httpd exit status after SIGTERM" 0 "$status"
