#!/usr/bin/env bash
# kvstore over UDP (rootless user-mode networking, a port forward on
# 127.0.0.1): a PUT is answered, a GET returns it, and after the unikernel is
# stopped and started again on the same image the GET still does.
set -e
. "$(dirname "$0")/lib.sh"
command -v nc >/dev/null || skip "needs nc (run 'make deps')"

port=$(free_port udp)
truncate -s 1M "$TMP/kv.img"

start() {
	# Emptied now, not by the child after the fork: the wait below must not
	# find the first run's line in a reused file.
	: >"$TMP/out"
	"$BIN/kvstore" --vif "user,hostfwd=udp:127.0.0.1:$port-:7000" \
		--disk "$TMP/kv.img,raw,xvda,rw" -- dhcp >"$TMP/out" 2>"$TMP/err" &
	guest=$!
	wait_for_line "$TMP/out" '^kvstore: serving on UDP port 7000$'
}
stop() {
	kill -TERM "$guest"
	wait "$guest" && status=0 || status=$?
	expect_eq "exit status" 0 "$status"
}
ask() {
	printf '%s\n' "$1" | nc -u -w 1 127.0.0.1 "$port"
}

start
expect_eq "PUT" "OK" "$(ask 'PUT colour blue')"
expect_eq "GET" "VALUE blue" "$(ask 'GET colour')"
expect_eq "GET of a missing key" "NOTFOUND" "$(ask 'GET shape')"
expect_grep "a bad request" '^ERROR ' <(ask 'DELETE colour')
stop
start
expect_grep "recovered from the image" '^kvstore: recovered 1 records, 1 keys$' "$TMP/out"
expect_eq "GET after a restart" "VALUE blue" "$(ask 'GET colour')"
stop
