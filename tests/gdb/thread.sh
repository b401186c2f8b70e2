#!/usr/bin/env bash
# uk thread N: bt, frame, up and info locals show a suspended thread from its
# saved context; uk thread current goes back; the program then runs on.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- \
	"echo === uk thread 4\n" "uk thread 4" \
	"echo === bt\n" "bt" \
	"echo === frame 3\n" "frame 3" \
	"echo === up\n" "up" "info locals" \
	"echo === uk thread 3 bt\n" "uk thread 3" "bt" \
	"echo === current\n" "uk thread current" "bt 1" \
	"echo === continue\n" "continue"
section "$TMP/out" "=== bt" >"$TMP/bt"
expect_grep "the waiter's innermost frame: where it switched out" '^#1 .* in switch_to_scheduler \(\) at .*runtime/sched\.c' "$TMP/bt"
expect_grep "the queue it waits on" '^#2 +uk_waitq_wait \(wq=wq@entry=0x[0-9a-f]+ <gdbguest_wq>, deadline_ns=deadline_ns@entry=0\)' "$TMP/bt"
expect_grep "the function it blocked in" '^#3 .* in waiter_block \(\) at .*gdbguest\.c' "$TMP/bt"
expect_grep "its thread function" '^#4 .* in waiter \(arg=' "$TMP/bt"
expect_no_grep "not the running thread's frames" 'gdbguest_checkpoint|app_main' "$TMP/bt"
section "$TMP/out" "=== frame 3" >"$TMP/frame"
expect_grep "frame N selects the thread's frame" '^#3 .* in waiter_block \(\)' "$TMP/frame"
section "$TMP/out" "=== up" >"$TMP/up"
expect_grep "up walks to the caller" '^#4 .* in waiter \(arg=' "$TMP/up"
section "$TMP/out" "=== uk thread 3 bt" >"$TMP/bt3"
expect_grep "the sleeper sleeps 10 s" '^#4 +uk_sleep_ns \(ns=ns@entry=10000000000\)' "$TMP/bt3"
expect_grep "in the sleeper" '^#5 .* in sleeper \(arg=' "$TMP/bt3"
section "$TMP/out" "=== current" >"$TMP/cur"
expect_grep "back to the running thread" '^#0 +gdbguest_checkpoint \(\)' "$TMP/cur"
section "$TMP/out" "=== continue" >"$TMP/cont"
expect_grep "the program runs on unharmed" '^gdbguest: checkpoint passed' "$TMP/cont"
expect_grep "and exits normally" 'exited normally' "$TMP/cont"

# Resuming with a thread selected runs the real thread, unharmed.
gdb_run "$TMP/out2" exit -- "uk thread 3" "continue"
expect_grep "the program runs on after uk thread N" '^gdbguest: checkpoint passed' "$TMP/out2"
expect_grep "and exits normally" 'exited normally' "$TMP/out2"
echo "PASS"
