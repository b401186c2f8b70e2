#!/usr/bin/env bash
# examples/httpd under valgrind memcheck over a TAP in the test's own
# namespace: pages, errors, pipelined requests, 2 MB each way (SHA-256
# checked), 50 connections at once; then SIGTERM. No memcheck error and no
# definite leak (valgrind exits 99 otherwise).
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
for tool in curl python3 sha256sum nc; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
VALGRIND=${VALGRIND:-valgrind}
command -v "$VALGRIND" >/dev/null || skip "needs valgrind"
httpd_tap_ns "drydock-httpdv-$$"
touch "$TMP/out"
ip netns exec "$NS" "$VALGRIND" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	-q "$BIN/httpd" --mem 128 --vif tap=dd0 -- ip=10.0.0.2/24 >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^httpd: listening on TCP port 80$' 60
in_ns timeout 60 curl -sS http://10.0.0.2/ | grep -q '<h1>Hello' || fail "GET / under memcheck"
expect_eq "404 under memcheck" 404 "$(in_ns timeout 60 curl -s -o /dev/null -w '%{http_code}' http://10.0.0.2/x)"
printf 'BAD\r\n\r\n' | in_ns timeout 60 nc -w 10 10.0.0.2 80 >"$TMP/bad" || true
expect_grep "400 under memcheck" '^HTTP/1.1 400 ' "$TMP/bad"
printf 'GET /bytes/2 HTTP/1.1\r\n\r\nGET /xenstore/name HTTP/1.1\r\nConnection: close\r\n\r\n' |
	in_ns timeout 60 nc -w 20 10.0.0.2 80 >"$TMP/pipe" || true
expect_eq "pipelined under memcheck" 2 "$(grep -c 'HTTP/1.1 200 OK' "$TMP/pipe")"
download_check "2 MB download under memcheck" 2000000 120
head -c 2000000 /dev/urandom >"$TMP/up"
upload_check "2 MB upload under memcheck" "$TMP/up" 120
cat >"$TMP/many.py" <<'PY'
import socket
socks = [socket.create_connection(("10.0.0.2", 80), timeout=60) for _ in range(50)]
for s in socks:
    s.sendall(b"GET /bytes/4 HTTP/1.1\r\nConnection: close\r\n\r\n")
ok = 0
for s in socks:
    buf = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        buf += b
    ok += buf.endswith(b"\r\n\r\nABCD")
print("answered", ok)
PY
in_ns timeout 120 python3 "$TMP/many.py" >"$TMP/many" || { cat "$TMP/many" >&2; fail "50 connections"; }
expect_grep "50 connections under memcheck" '^answered 50$' "$TMP/many"
kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
[ "$status" = 0 ] || { cat "$TMP/err" >&2; fail "httpd under memcheck exited $status"; }
