#!/usr/bin/env bash
# TCP-aware replay with the guest as the client: a Linux client (Python,
# from 10.0.0.1) sending 20000 bytes of examples/tcpecho's pattern to a
# Linux echo server (10.0.0.2:7, tcp_replay_lib.sh), shutting down its side
# and reading the echo to the end, recorded with tcpdump in the test's own
# namespace; replayed as=10.0.0.1 into tcpecho connect=10.0.0.2:7 (at
# 10.0.0.7): the replayer plays the server, answering the guest's SYN with
# the recorded SYN-ACK. A clean report, and tcpecho finds its echo intact.
# The same recording against a client sending 1000 bytes fewer: the missing
# bytes are reported at the right offset.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_replay_lib.sh"
DT=$BIN/drydock-trace
record_setup

cat >"$TMP/client.py" <<'PY'
import socket, sys
n = int(sys.argv[1])
data = bytes(((i * 31 + (i >> 8)) & 0xff) for i in range(n))  # tcpecho's pattern
s = socket.socket()
s.bind(("10.0.0.1", 0))
s.connect(("10.0.0.2", 7))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
sys.exit(0 if got == data else 1)
PY

record "$TMP/client.pcap" echo 7 -- python3 "$TMP/client.py" 20000
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.1 "$TMP/client.pcap" - -- \
	"$BIN/tcpecho" -- ip=10.0.0.7/24 connect=10.0.0.2:7 size=20000
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp with tcpecho as the client" 0 "$status"
expect_grep "a clean report" "answered $TMP/client\.pcap's TCP flows as the recording expects$" "$TMP/out"
expect_grep "the echo, whole" "1 flows: 1 matched, 0 diverged, 0 not replayed; 20000 bytes to the guest, 20000 from it" "$TMP/err"
expect_grep "tcpecho's own check" "tcpecho: 20000 bytes echoed intact" "$TMP/out"

run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.1 "$TMP/client.pcap" - -- \
	"$BIN/tcpecho" -- ip=10.0.0.7/24 connect=10.0.0.2:7 size=19000
cat "$TMP/out"
expect_eq "exit status against a client sending less" 1 "$status"
expect_grep "the missing bytes at their offset" '^tcp flow 1 10\.0\.0\.2:7 > 10\.0\.0\.1:[0-9]+: guest to peer, byte 19000: expected "[^"]*", got FIN$' "$TMP/out"
echo PASS
