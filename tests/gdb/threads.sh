#!/usr/bin/env bash
# uk threads: every guest thread with its id, name, state, where it waits and
# its stack's high-water mark; the running one marked.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk threads"
expect_grep "the running thread, marked" '^\* 2 +main +running +- +128K +[0-9]+$' "$TMP/out"
expect_grep "the xenbus thread waits for watch events, on a static's field" '^  1 +xenbus +blocked +in watch_thread, waitq W\.wq +128K' "$TMP/out"
expect_grep "the sleeper waits for its deadline" \
	'^  3 +sleeper +blocked +in sleeper, until 10\.000000000 s \(10\.000000000 s from now\) +128K' "$TMP/out"
expect_grep "the waiter waits on its queue, with no deadline" \
	'^  4 +waiter +blocked +in waiter_block, waitq gdbguest_wq +128K +[0-9]+$' "$TMP/out"
expect_grep "netfront's receive thread, on its queue" '^  5 +netfront-rx0 +blocked +in rx_thread, waitq netfront vif0 rx_wq +128K' "$TMP/out"
expect_grep "the count" '^5 threads; guest time 0\.000000000 s' "$TMP/out"
# High-water marks: some of the stack used, far from all of it (these
# threads call little), and the blocked ones used less than main.
awk '$NF ~ /^[0-9]+$/ && ($NF <= 0 || $NF > 32768) {bad = 1} END {exit bad}' "$TMP/out" ||
	fail "a stack high-water mark out of range: $(cat "$TMP/out")"
main=$(awk '$3 == "main" {print $NF}' "$TMP/out")
waiter=$(awk '$2 == "waiter" {print $NF}' "$TMP/out")
[ "$waiter" -lt "$main" ] || fail "the waiter used $waiter bytes of stack, main $main"
echo "PASS"
