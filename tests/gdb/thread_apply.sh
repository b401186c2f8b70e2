#!/usr/bin/env bash
# uk thread apply all bt: a backtrace of every thread, each ending in the
# function it runs or blocked in; the selection is restored afterwards.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk thread apply all bt" "echo === after\n" "bt 1"
for t in "1 (xenbus)" "2 (main)" "3 (sleeper)" "4 (waiter)" "5 (netfront-rx0)"; do
	expect_grep "a header for thread $t" "^Thread ${t//[()]/\\&}:\$" "$TMP/out"
done
awk '/^Thread 4 \(waiter\):/ {on = 1; next} /^Thread/ {on = 0} on' "$TMP/out" >"$TMP/waiter"
expect_grep "the waiter's stack" ' in waiter_block \(\)' "$TMP/waiter"
awk '/^Thread 2 \(main\):/ {on = 1; next} /^Thread/ {on = 0} on' "$TMP/out" >"$TMP/main"
expect_grep "the running thread's real stack" '^#0 +gdbguest_checkpoint \(\)' "$TMP/main"
awk '/^Thread 1 \(xenbus\):/ {on = 1; next} /^Thread/ {on = 0} on' "$TMP/out" >"$TMP/xenbus"
expect_grep "the xenbus thread's stack" ' in watch_thread \(' "$TMP/xenbus"
section "$TMP/out" "=== after" >"$TMP/after"
expect_grep "the selection is back to the real stack" '^#0 +gdbguest_checkpoint \(\)' "$TMP/after"
echo "PASS"
