#!/usr/bin/env bash
# Xen's own xenstore tools against a running unikernel, through --xenstore-socket:
# xenstore-ls shows the domain's tree, xenstore-write reaches the guest's watch,
# xenstore-watch sees the guest's own write, and control/shutdown = poweroff
# ends the process with status 0 within a second.
set -e
. "$(dirname "$0")/lib.sh"
command -v xenstore-ls >/dev/null || fail "xenstore-ls missing (run 'make deps': xenstore-utils)"
export XENSTORED_PATH="$TMP/xs.sock"

# 1. hello waits for greetings; the tools inspect and drive it.
"$BIN/hello" --xenstore-socket "$XENSTORED_PATH" --xs data/motd=welcome -- wait \
	>"$TMP/hello.out" 2>"$TMP/hello.err" &
hello=$!
wait_for_socket "$XENSTORED_PATH"
wait_for_line "$TMP/hello.out" '^waiting for data/greeting'
xenstore-ls /local/domain/1 >"$TMP/ls"
expect_grep "name in the tree" '^name = "hello"$' "$TMP/ls"
expect_grep "domid in the tree" '^domid = "1"$' "$TMP/ls"
expect_grep "--xs entry in the tree" '^ motd = "welcome"$' "$TMP/ls"
expect_grep "store ring in the tree" '^ ring-ref = "[0-9]+"$' "$TMP/ls"
expect_grep "guest read xenstore" '^xenstore says: name hello, domid 1$' "$TMP/hello.out"

xenstore-write /local/domain/1/data/greeting "hi"
wait_for_line "$TMP/hello.out" '^greeting: hi$'
xenstore-write /local/domain/1/data/greeting "hello again"
wait_for_line "$TMP/hello.out" '^greeting: hello again$'

start=$(date +%s%N)
xenstore-write /local/domain/1/control/shutdown poweroff
wait "$hello" && status=0 || status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "exit status after poweroff" 0 "$status"
[ "$ms" -lt 1000 ] || fail "poweroff took $ms ms"
expect_grep "poweroff seen" '^shutdown requested: poweroff$' "$TMP/hello.out"
[ ! -e "$XENSTORED_PATH" ] || fail "the socket file was left behind"

# 2. xenstore-watch sees a write the guest makes. The guest writes once
# data/go exists, which the test writes once the watch is registered (its
# first event): a write at a fixed time could come before a watch that a
# busy machine started late, and the watch would then wait for nothing.
"$BIN/testguest" --xenstore-socket "$XENSTORED_PATH" -- xs-write-on data/status ready data/go \
	>"$TMP/tg.out" 2>"$TMP/tg.err" &
guest=$!
wait_for_socket "$XENSTORED_PATH" "$guest"
: >"$TMP/watch"
timeout 30 xenstore-watch -n 2 /local/domain/1/data/status >"$TMP/watch" 2>&1 &
watcher=$!
wait_for_line "$TMP/watch" '^/local/domain/1/data/status'
xenstore-write /local/domain/1/data/go 1
wait "$watcher" || true
expect_eq "watch events (registration, then the guest's write)" 2 \
	"$(grep -c '^/local/domain/1/data/status' "$TMP/watch")"
expect_eq "value the guest wrote" ready "$(xenstore-read /local/domain/1/data/status)"
xenstore-write /local/domain/1/control/shutdown poweroff
wait "$guest" && status=0 || status=$?
expect_eq "testguest exit status" 0 "$status"
