#!/usr/bin/env bash
# echo over rootless user-mode networking: a DHCP lease from libslirp, and a UDP
# echo through a host port forward on 127.0.0.1. Needs no privilege and sends
# nothing off the machine.
set -e
. "$(dirname "$0")/lib.sh"
command -v nc >/dev/null || skip "needs nc (run 'make deps')"

port=$(free_port udp)
"$BIN/echo" --vif "user,hostfwd=udp:127.0.0.1:$port-:7" -- dhcp >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^echo: answering ping and UDP port 7$'
expect_grep "lease from libslirp" '^net: vif0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp from 10\.0\.2\.2\)$' "$TMP/out"
reply=$(printf 'through the forward\n' | nc -u -w 1 127.0.0.1 "$port")
expect_eq "UDP echo through hostfwd" "through the forward" "$reply"
kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "exit status" 0 "$status"
expect_grep "one datagram echoed" '^echo: 1 datagrams received, 1 echoed, 0 send errors$' "$TMP/out"
