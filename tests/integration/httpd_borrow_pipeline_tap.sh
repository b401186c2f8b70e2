#!/usr/bin/env bash
# examples/httpd reads a request body in place (net_recv_borrow) when it
# arrives after the head, and returns only the body's bytes: a request
# pipelined in the same write as the body's end stays lent, and is read and
# answered next, in order. Over a TAP inside a namespace of the test's own
# (all traffic stays in it): a 1 MiB POST /sha256 whose head goes first and
# whose body comes with a GET behind it, then a POST /discard the same way;
# GET /stats shows bytes were lent.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
command -v python3 >/dev/null || skip "needs python3"
httpd_tap_ns "drydock-httpdb-$$"
httpd_start "$TMP/out" tap=dd0

cat >"$TMP/pipe.py" <<'PY'
import hashlib, socket, sys, time

body = bytes((i * 7 + i // 251) & 0xff for i in range(1 << 20))
s = socket.create_connection(("10.0.0.2", 80), timeout=20)
# The head alone: httpd has parsed it and waits for the body when the rest comes.
s.sendall(b"POST /sha256 HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body))
time.sleep(0.3)
s.sendall(body + b"POST /discard HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
time.sleep(0.3)
s.sendall(b"hello" + b"GET /stats HTTP/1.1\r\nConnection: close\r\n\r\n")
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
sys.stdout.write(hashlib.sha256(body).hexdigest() + "\n")
sys.stdout.write(got.decode())
PY
in_ns timeout 60 python3 "$TMP/pipe.py" >"$TMP/pipe"
want=$(head -n 1 "$TMP/pipe")
tail -n +2 "$TMP/pipe" >"$TMP/answers"
expect_eq "three answers" 3 "$(grep -c '^HTTP/1.1 200 OK' "$TMP/answers")"
expect_grep "the body's SHA-256, first" "^$want\$" "$TMP/answers"
expect_grep "the pipelined discard counted its 5 bytes" '^5$' "$TMP/answers"
# In order: the hash, then the count, then the stats.
order=$(grep -nE "^$want\$|^5\$|^open [0-9]+" "$TMP/answers" | cut -d: -f2 | cut -c1-4 | tr '\n' ' ')
expect_eq "answers in order" "${want:0:4} 5 open " "$order"
lent=$(sed -n 's/^tcp_rcv_lent_bytes \([0-9]*\).*/\1/p' "$TMP/answers" | tr -d '\r')
[ -n "$lent" ] && [ "$lent" -gt 0 ] || fail "GET /stats: no bytes lent (tcp_rcv_lent_bytes '$lent')"

httpd_stop
expect_eq "httpd exit status after SIGTERM" 0 "$status"
