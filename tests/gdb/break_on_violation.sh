#!/usr/bin/env bash
# --break-on-violation: under gdb, a protocol violation stops the program
# (SIGTRAP) inside the guest's hypercall that caused it, and it may go on;
# without a debugger the flag changes nothing.
. "$(dirname "$0")/lib.sh"
args=("${GUEST_ARGS[@]}" --break-on-violation -- violation ip=10.0.0.2/24)
timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" -ex run \
	-ex "echo === bt\n" -ex bt -ex "echo === continue\n" -ex continue \
	--args "$GUEST" "${args[@]}" >"$TMP/out" 2>&1
expect_grep "stopped by the violation" '^Program received signal SIGTRAP' "$TMP/out"
section "$TMP/out" "=== bt" >"$TMP/bt"
expect_grep "in the simulator's report" ' sim_report_violation \(' "$TMP/bt"
expect_grep "inside the guest's hypercall" ' shim_event_channel_op \(cmd=' "$TMP/bt"
expect_grep "on the simulator's stack, switched to by" ' in HYPERVISOR_event_channel_op \(\)' "$TMP/bt"
expect_grep "called by the guest code that made it" ' in app_main \(' "$TMP/bt"
section "$TMP/out" "=== continue" >"$TMP/cont"
expect_grep "the program goes on" '^gdbguest: checkpoint passed' "$TMP/cont"
expect_grep "and exits normally" 'exited normally' "$TMP/cont"

"$GUEST" "${args[@]}" >"$TMP/plain" 2>"$TMP/plain.err" && status=0 || status=$?
expect_eq "exit status without a debugger" 0 "$status"
expect_grep "the violation is reported" '^drydock: protocol violation by domain 1 \(gdbguest\): EVTCHNOP_send at 0x10 ' "$TMP/plain.err"
expect_grep "and the run goes on" '^gdbguest: checkpoint passed' "$TMP/plain"

timeout 90 gdb -nx -q -batch -ex run --args "$GUEST" "${GUEST_ARGS[@]}" -- violation ip=10.0.0.2/24 \
	>"$TMP/noflag" 2>&1
expect_no_grep "without the flag gdb does not stop" 'SIGTRAP' "$TMP/noflag"
expect_grep "and the run ends normally" 'exited normally' "$TMP/noflag"
echo "PASS"
