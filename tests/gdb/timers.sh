#!/usr/bin/env bash
# uk timers: the guest's armed timers earliest first, with their callbacks and
# owners (the sleeper's deadline, gdbguest_timer, ARP's retry), and Xen's timer.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk timers"
expect_grep "ARP's retry for 10.0.0.1, first" '^1\.000000000 s \(in 1\.000000000 s\) +- +entry_timer_fire ' "$TMP/out"
expect_grep "gdbguest_timer, 5 s ahead" '^5\.000000000 s \(in 5\.000000000 s\) +- +timer_fired +- +gdbguest_timer$' "$TMP/out"
expect_grep "the sleeper's deadline, owned by its thread" \
	'^10\.000000000 s \(in 10\.000000000 s\) +- +wait_timed_out \(a thread.s deadline\) +thread 3 \(sleeper\) ' "$TMP/out"
expect_grep "the count" '^3 guest timers armed; guest time 0\.000000000 s' "$TMP/out"
expect_grep "Xen's single-shot timer" '^Xen single-shot timer \(set_timer_op\): [0-9]+\.[0-9]{9} s' "$TMP/out"
# Earliest first.
grep -E '^[0-9]+\.[0-9]{9} s \(' "$TMP/out" | awk '{print $1}' >"$TMP/deadlines"
sort -n -c "$TMP/deadlines" || fail "timers not earliest first: $(cat "$TMP/deadlines")"
echo "PASS"
