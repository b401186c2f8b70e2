#!/usr/bin/env bash
# uk evtchn: the known ports (xenstore, console, timer VIRQ, vif 0) with their
# kind, peer, bits and the handlers on both ends; the port numbers agree
# with what the toolstack and netfront wrote in xenstore.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk evtchn" "echo === xs\n" "uk xs /local/domain/1"
section "$TMP/out" "=== xs" >"$TMP/xs"
store=$(awk '/^store = / {on = 1; next} on && /^ port = / {gsub(/[" ]/, "", $3); print $3; exit}' "$TMP/xs")
console=$(awk '/^console = / {on = 1; next} on && /^ port = / {gsub(/[" ]/, "", $3); print $3; exit}' "$TMP/xs")
vif=$(awk '/^   event-channel = / {gsub(/"/, "", $3); print $3; exit}' "$TMP/xs")
[ -n "$store" ] && [ -n "$console" ] && [ -n "$vif" ] || fail "ports not found in xenstore: $(cat "$TMP/xs")"
expect_grep "the xenstore port" "^$store +interdomain +dom0:[0-9]+ +no +no +xenbus_event +dom0 port [0-9]+ -> ring_notified\$" "$TMP/out"
expect_grep "the console port" "^$console +interdomain +dom0:[0-9]+ +no +no +console_event +dom0 port [0-9]+ -> console_notified\$" "$TMP/out"
expect_grep "the vif's port" "^$vif +interdomain +dom0:[0-9]+ +no +no +netfront_event +dom0 port [0-9]+ -> netback_notified\$" "$TMP/out"
expect_grep "the timer VIRQ" '^[0-9]+ +virq TIMER +- +no +no +uk_sched_timer_event +Xen$' "$TMP/out"
expect_eq "ports listed" 4 "$(grep -cE '^[0-9]+ +(interdomain|virq)' "$TMP/out")"
expect_grep "the vCPU's flags" '^vcpu0: evtchn_upcall_pending 0, evtchn_pending_sel 0x0$' "$TMP/out"
echo "PASS"
