#!/usr/bin/env bash
# TCP over rootless user-mode networking (libslirp): examples/tcpecho serves
# through a host port forward on 127.0.0.1 (nc sends 256 KiB and gets it
# back, SHA-256 checked), and connects out through slirp's NAT to an echo
# server on the host's loopback (10.0.2.2 is the host). Needs no privilege
# and sends nothing off the machine.
set -e
. "$(dirname "$0")/lib.sh"
for tool in nc python3 sha256sum; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
touch "$TMP/out" "$TMP/server.log"

# 1. The guest serves one connection through hostfwd.
port=$((20000 + $$ % 20000))
"$BIN/tcpecho" --vif "user,hostfwd=tcp:127.0.0.1:$port-:7" -- dhcp count=1 >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^tcpecho: listening on TCP port 7$' 20
head -c 262144 /dev/urandom >"$TMP/in"
timeout 60 nc -N -w 10 127.0.0.1 "$port" <"$TMP/in" >"$TMP/back" || fail "nc through hostfwd"
expect_eq "256 KiB echoed through hostfwd" "$(sha256sum <"$TMP/in")" "$(sha256sum <"$TMP/back")"
wait "$guest" && status=0 || status=$?
expect_eq "server exit status" 0 "$status"

# 2. The guest connects out through slirp to an echo server on 127.0.0.1.
cat >"$TMP/server.py" <<'PY'
import socket, sys
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1)
print("port", l.getsockname()[1], flush=True)
c, _ = l.accept()
while True:
    b = c.recv(65536)
    if not b:
        break
    c.sendall(b)
c.shutdown(socket.SHUT_WR)
PY
timeout 60 python3 "$TMP/server.py" >"$TMP/server.log" 2>&1 &
wait_for_line "$TMP/server.log" '^port [0-9]+$' 20
hport=$(sed -n 's/^port //p' "$TMP/server.log")
run "$TMP/out2" "$TMP/err2" "$BIN/tcpecho" --vif user -- dhcp connect=10.0.2.2:"$hport" size=500000
[ "$status" = 0 ] || { cat "$TMP/out2" "$TMP/err2" >&2; fail "client through slirp exited $status"; }
expect_grep "500 kB echoed through slirp" '^tcpecho: 500000 bytes echoed intact$' "$TMP/out2"
