#!/usr/bin/env bash
# The simulator's side of a hypercall runs on its own stack
# (hypercall_shim/stack_switch.S), yet a backtrace from a backend walks on
# across the switch into the guest thread that made the hypercall, up to
# app_main: stopped in the null backend's transmit while gdbguest's main
# thread sends its first frame (net_init's ARP announcement); `uk threads`
# still says which thread runs. Then stopped in the simulator's wait while
# the main thread sleeps in place (runtime/sched.c, idle_in_place): the
# helpers find that thread from the stack pointer the trampoline saved.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit null_transmit -- "echo === bt\n" bt "echo === threads\n" "uk threads"
section "$TMP/out" "=== bt" >"$TMP/bt"
expect_grep "stopped in the backend" '^#0 +null_transmit \(' "$TMP/bt"
expect_grep "netback's frames on the way" ' netback_' "$TMP/bt"
expect_grep "the C side of the hypercall" ' shim_event_channel_op \(' "$TMP/bt"
expect_grep "the switch" ' in HYPERVISOR_event_channel_op \(\)' "$TMP/bt"
expect_grep "the guest's driver that notified" ' netfront_try_send \(' "$TMP/bt"
expect_grep "and on to the application" ' app_main \(' "$TMP/bt"
expect_grep "down to the thread's start" ' in thread_start \(' "$TMP/bt"
expect_no_grep "no broken walk" 'corrupt stack|Backtrace stopped' "$TMP/bt"
# The switch frame comes after every simulator frame and before every guest one.
sw=$(grep -n ' in HYPERVISOR_event_channel_op ()' "$TMP/bt" | head -1 | cut -d: -f1)
shim=$(grep -n ' shim_event_channel_op (' "$TMP/bt" | head -1 | cut -d: -f1)
app=$(grep -n ' app_main (' "$TMP/bt" | head -1 | cut -d: -f1)
[ "$shim" -lt "$sw" ] && [ "$sw" -lt "$app" ] || fail "frame order: shim $shim, switch $sw, app_main $app"
section "$TMP/out" "=== threads" >"$TMP/threads"
expect_grep "the main thread is the running one" '^\* +[0-9]+ +main +running' "$TMP/threads"

gdb_run "$TMP/wait" wait -- "break sim_run_until_event" continue "echo === in place\n" "uk threads" \
	"echo === in place bt\n" bt
section "$TMP/wait" "=== in place" >"$TMP/inplace"
expect_grep "the main thread waits in place, in app_main" '^ +[0-9]+ +main +blocked +in app_main, until ' "$TMP/inplace"
expect_grep "the idle loop runs on its stack" 'the scheduler is running \(no thread\) on the stack of the thread waiting in place' "$TMP/inplace"
section "$TMP/wait" "=== in place bt" >"$TMP/inplace_bt"
expect_grep "bt: the block's switch" ' in HYPERVISOR_sched_op \(\)' "$TMP/inplace_bt"
expect_grep "bt: the idle pass in place" ' idle_in_place ' "$TMP/inplace_bt"
expect_grep "bt: the sleep in app_main" ' app_main \(' "$TMP/inplace_bt"
echo "PASS"
