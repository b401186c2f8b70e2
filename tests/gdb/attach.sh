#!/usr/bin/env bash
# drydock-gdb attach NAME: finds the running unikernel by its domain name and
# attaches gdb with the helpers; the guest runs on after the detach.
. "$(dirname "$0")/lib.sh"
DRYDOCK_GDB="$(dirname "$SCRIPT")/drydock-gdb"
name="gdbtest-$$"
"$GUEST" --name "$name" --vif null -- wait ip=10.0.0.2/24 >"$TMP/out" 2>"$TMP/err" &
guest=$!
trap 'kill -9 $guest 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 200); do grep -q '^gdbguest: waiting' "$TMP/out" && break; sleep 0.05; done
grep -q '^gdbguest: waiting' "$TMP/out" || fail "the guest did not start: $(cat "$TMP/err")"

"$DRYDOCK_GDB" list >"$TMP/list"
expect_grep "listed by name" "^$guest $name\$" "$TMP/list"
timeout 60 "$DRYDOCK_GDB" attach "$name" -batch -ex "uk threads" >"$TMP/gdb" 2>&1
grep -q "ptrace: Operation not permitted" "$TMP/gdb" && skip "this machine does not allow ptrace attach"
expect_no_grep "no Python errors" "Python Exception|Error occurred in Python|Undefined command" "$TMP/gdb"
expect_grep "attached to the guest's thread list" '^  4 +waiter +blocked +in waiter_block, waitq gdbguest_wq ' "$TMP/gdb"
expect_grep "stopped while the scheduler waits" 'the scheduler is running \(no thread\)' "$TMP/gdb"
"$DRYDOCK_GDB" attach "no-such-$name" 2>"$TMP/none" && fail "attach to a missing name succeeded"
expect_grep "a missing name is an error" "no running unikernel named 'no-such-$name'" "$TMP/none"

kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "the guest powers off after the detach" 0 "$status"
echo "PASS"
