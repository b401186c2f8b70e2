#!/usr/bin/env bash
# TCP over rootless user-mode networking (libslirp): examples/tcpecho serves
# through a host port forward on 127.0.0.1 (nc sends 256 KiB and gets it
# back, SHA-256 checked), and connects out through slirp's NAT to an echo
# server on the host's loopback (10.0.2.2 is the host). Needs no privilege
# and sends nothing off the machine.
set -e
. "$(dirname "$0")/lib.sh"
need_tools nc python3 sha256sum
touch "$TMP/out"

# 1. The guest serves one connection through hostfwd.
port=$(free_port tcp)
"$BIN/tcpecho" --vif "user,hostfwd=tcp:127.0.0.1:$port-:7" -- dhcp count=1 >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^tcpecho: listening on TCP port 7$' 20
head -c 262144 /dev/urandom >"$TMP/in"
timeout 60 nc -N -w 10 127.0.0.1 "$port" <"$TMP/in" >"$TMP/back" || fail "nc through hostfwd"
expect_eq "256 KiB echoed through hostfwd" "$(sha256sum <"$TMP/in")" "$(sha256sum <"$TMP/back")"
wait "$guest" && status=0 || status=$?
expect_eq "server exit status" 0 "$status"

# 2. The guest connects out through slirp to an echo server on 127.0.0.1.
echo_server_start 127.0.0.1 0 "$TMP/server.log"
run "$TMP/out2" "$TMP/err2" "$BIN/tcpecho" --vif user -- dhcp connect=10.0.2.2:"$echo_port" size=500000
[ "$status" = 0 ] || { cat "$TMP/out2" "$TMP/err2" >&2; fail "client through slirp exited $status"; }
expect_grep "500 kB echoed through slirp" '^tcpecho: 500000 bytes echoed intact$' "$TMP/out2"
