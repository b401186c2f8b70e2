#!/usr/bin/env bash
# SIGINT asks the guest to power off through control/shutdown, and it ends
# cleanly with status 0; a second signal stops a guest that ignores the request.
set -e
. "$(dirname "$0")/lib.sh"

"$BIN/hello" -- wait >"$TMP/out" 2>"$TMP/err" &
pid=$!
# Up and its handlers installed before the signal (a busy machine may take seconds).
wait_for_line "$TMP/out" '^waiting for data/greeting' 30
kill -INT "$pid"
wait "$pid" && status=0 || status=$?
expect_eq "exit status after SIGINT" 0 "$status"
expect_grep "request logged" 'Interrupt: asking domain 1 to power off' "$TMP/err"
expect_grep "guest saw poweroff" '^shutdown requested: poweroff$' "$TMP/out"

# A guest spinning without a hypercall cannot hear the request; the second
# signal stops it at once, with the signal's status.
"$BIN/testguest" -- spin 30 >"$TMP/out2" 2>"$TMP/err2" &
pid=$!
# Spinning before the first signal: earlier, the guest could still hear the request.
wait_for_line "$TMP/out2" '^spinning' 30
kill -TERM "$pid"
sleep 0.3
kill -0 "$pid" || fail "one SIGTERM stopped a guest that could not hear the request"
kill -TERM "$pid"
wait "$pid" && status=0 || status=$?
expect_eq "exit status after the second SIGTERM" 143 "$status"
expect_grep "forced stop logged" '^drydock: Terminated: stopping domain 1$' "$TMP/err2"
