#!/usr/bin/env bash
# A xenstore socket client that hangs up before reading its reply costs only
# its own connection, never the process (SIGPIPE): 20 clients that send an
# XS_READ and close at once, then xenstore-watch killed while another client
# writes the node it watches, 5 times. The guest runs on and the daemon serves.
set -e
. "$(dirname "$0")/lib.sh"
command -v xenstore-watch >/dev/null || fail "xenstore-watch missing (run 'make deps': xenstore-utils)"

xenstore_guest_start 30

"$TOOLS/xs_flood" "$XENSTORED_PATH" read-close 20 || fail "xs_flood read-close failed"
sleep 0.2
kill -0 "$guest" 2>/dev/null || { cat "$TMP/err" >&2; fail "the simulator died after clients hung up"; }
expect_eq "daemon serves after 20 hang-ups" testguest "$(xenstore-read /local/domain/1/name)"

for round in 1 2 3 4 5; do
	xenstore-write /local/domain/1/data/k "start $round"
	xenstore-watch /local/domain/1/data/k >"$TMP/watch" 2>&1 &
	watcher=$!
	disown "$watcher" # no job notice when it is killed
	for i in $(seq 30); do
		xenstore-write /local/domain/1/data/k "$round.$i"
		[ "$i" != 10 ] || kill -9 "$watcher" 2>/dev/null || true
	done
	while kill -0 "$watcher" 2>/dev/null; do sleep 0.01; done
	kill -0 "$guest" 2>/dev/null || { cat "$TMP/err" >&2; fail "the simulator died when xenstore-watch was killed (round $round)"; }
done
expect_eq "last write stored" "5.30" "$(xenstore-read /local/domain/1/data/k)"

xenstore-write /local/domain/1/control/shutdown poweroff
wait "$guest" && status=0 || status=$?
expect_eq "exit status after poweroff" 0 "$status"
[ ! -e "$XENSTORED_PATH" ] || fail "the socket file was left behind"
