#!/usr/bin/env bash
# TCP-aware replay of exchanges recorded here and now, with tcpdump in the
# test's own network namespace (tcp_replay_lib.sh): curl getting two
# answers over one connection (100000 bytes, then 5000; at 10 MB/s, so that
# tcpdump on a busy machine keeps up) from a server that
# answers as httpd does, replayed into httpd as 10.0.0.2 at 10.0.0.7: a
# clean report. The same without the Server header: reported at byte 17
# of the guest's stream, where httpd's Server header begins. nc's exchange
# with an echo server, replayed into tcpecho: a clean report.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_replay_lib.sh"
DT=$BIN/drydock-trace
command -v curl >/dev/null || skip "needs curl"
command -v nc >/dev/null || skip "needs nc"
record_setup

record "$TMP/http.pcap" http 80 -- curl -s --limit-rate 10M --interface 10.0.0.1 -o /dev/null -o /dev/null \
	http://10.0.0.2/bytes/100000 http://10.0.0.2/bytes/5000
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 "$TMP/http.pcap" - -- \
	"$BIN/httpd" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp into httpd" 0 "$status"
expect_grep "a clean report" "answered $TMP/http\.pcap's TCP flows as the recording expects$" "$TMP/out"
expect_grep "both answers, whole" "1 flows: 1 matched, 0 diverged, 0 not replayed; [0-9]+ bytes to the guest, 105[0-9]{3} from it" "$TMP/err"

record "$TMP/noserver.pcap" http_noserver 80 -- curl -s --interface 10.0.0.1 -o /dev/null \
	http://10.0.0.2/bytes/1000
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 "$TMP/noserver.pcap" - -- \
	"$BIN/httpd" -- ip=10.0.0.7/24
cat "$TMP/out"
expect_eq "exit status against a recording without the Server header" 1 "$status"
expect_grep "the header named at its byte" '^tcp flow 1 10\.0\.0\.1:[0-9]+ > 10\.0\.0\.2:80: guest to peer, byte 17: expected "Content-Type: applicatio", got "Server: drydock-httpd\\r\\nC"$' "$TMP/out"

printf 'hello, drydock\nan echo of two lines\n' >"$TMP/lines"
record "$TMP/echo.pcap" echo 7 -- sh -c "nc -N -s 10.0.0.1 10.0.0.2 7 <'$TMP/lines' >'$TMP/echoed'"
cmp "$TMP/lines" "$TMP/echoed" || fail "the recording's echo server did not echo"
run "$TMP/out" "$TMP/err" "$DT" expect --tcp --as 10.0.0.2 "$TMP/echo.pcap" - -- \
	"$BIN/tcpecho" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --tcp into tcpecho" 0 "$status"
expect_grep "the echo, whole" "1 flows: 1 matched, 0 diverged, 0 not replayed; 36 bytes to the guest, 36 from it" "$TMP/err"
echo PASS
