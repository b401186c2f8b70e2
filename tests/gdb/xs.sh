#!/usr/bin/env bash
# uk xs: the simulator's xenstore tree read from memory at a breakpoint is
# what Xen's xenstore-ls prints over the socket once the guest runs on
# (nothing writes to the tree in between); also with -p, watches and
# transactions.
. "$(dirname "$0")/lib.sh"
command -v xenstore-ls >/dev/null || skip "xenstore-ls is not installed (xenstore-utils)"
export XENSTORED_PATH="$TMP/xs.sock"

wait_for_line() {
	for _ in $(seq 400); do grep -Eq -- "$2" "$1" && return 0; sleep 0.05; done
	cat "$1" >&2
	fail "no line /$2/ in $1"
}

# The real clock: the guest's 60 s wait after the checkpoint is real time.
timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" \
	-ex 'break gdbguest_checkpoint' -ex run \
	-ex "pipe uk xs / | cat >$TMP/gdb-root" \
	-ex "pipe uk xs /local/domain/1 | cat >$TMP/gdb-dom" \
	-ex "pipe uk xs -p /local/domain/1/device | cat >$TMP/gdb-perms" \
	-ex "uk xs watches" -ex "uk xs transactions" -ex continue \
	--args "$GUEST" --xenstore-socket "$XENSTORED_PATH" --vif null -- wait ip=10.0.0.2/24 \
	>"$TMP/out" 2>&1 &
gdb_pid=$!
wait_for_line "$TMP/out" '^gdbguest: waiting'
xenstore-ls / >"$TMP/tool-root"
xenstore-ls /local/domain/1 >"$TMP/tool-dom"
xenstore-ls -p /local/domain/1/device >"$TMP/tool-perms"
xenstore-write /local/domain/1/control/shutdown poweroff
wait "$gdb_pid" || true
expect_no_grep "no Python errors" "Python Exception|Error occurred in Python|Undefined command" "$TMP/out"
expect_grep "the guest powered off" 'exited normally' "$TMP/out"

for f in root dom perms; do
	[ -s "$TMP/tool-$f" ] || fail "xenstore-ls printed nothing for $f"
	diff -u "$TMP/tool-$f" "$TMP/gdb-$f" >&2 || fail "uk xs ($f) differs from xenstore-ls"
done
expect_grep "the domain's name in the listing" '^name = "gdbguest"$' "$TMP/gdb-dom"
expect_grep "netback's watch on the frontend's state" \
	'^dom0 +/local/domain/1/device/vif/0/state +vif0$' "$TMP/out"
expect_grep "the guest's watch on control/shutdown" \
	'^dom1 +/local/domain/1/control/shutdown +uk[0-9]+$' "$TMP/out"
expect_grep "no transaction open at the checkpoint" '^0 transactions$' "$TMP/out"
echo "PASS"
