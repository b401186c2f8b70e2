#!/usr/bin/env bash
# Issue 10: a guest that breaks the Xen rules on purpose (testguest
# misbehave: wild pointers in four hypercalls, events on a closed and an
# out-of-range port, a grant revoked while mapped, a console ring index that
# jumps, a xenstore message over 4096 bytes). Each is reported once, with
# the guest's view; the guest gets Xen's answers and runs on to a clean exit;
# under --strict the first one crashes the domain (exit 70) and nothing
# else; under memcheck the simulator makes no error while it all happens.
set -e
. "$(dirname "$0")/lib.sh"
v='^drydock: protocol violation by domain 1 \(testguest\): '

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- misbehave
expect_eq "exit status" 0 "$status"
for line in \
	"EVTCHNOP_send at 0x10 \(4 bytes\) is in the first page: -EFAULT, as Xen's copy_from_guest$" \
	"CONSOLEIO_write buffer at 0x10 \(16 bytes\) is in the first page: -EFAULT" \
	"XENMEM_add_to_physmap at 0x10 \(24 bytes\) is in the first page: -EFAULT" \
	"GNTTABOP_map_grant_ref at 0x10 \(32 bytes\) is in the first page: -EFAULT" \
	"EVTCHNOP_send on port 4, which is not connected \(closed or a VIRQ\)$" \
	"EVTCHNOP_send on port 100000, which is out of range$" \
	"grant ref 8 was rewritten \(flags 0, domid 1\) while domain 1 has it mapped" \
	"console ring: out_prod [0-9]+ is 100000 bytes ahead of out_cons [0-9]+, more than the ring's 2048$" \
	"xenstore ring: message longer than XENSTORE_PAYLOAD_MAX \(length, limit\) \(5000, 4096\); xenstored stops serving this ring until the guest reconnects$"; do
	expect_grep "reported" "$v$line" "$TMP/err"
done
expect_eq "violations reported" 9 "$(grep -c 'protocol violation' "$TMP/err")"
expect_eq "other lines on stderr" "" "$(grep -v 'protocol violation' "$TMP/err" || true)"
# What the guest was answered, as Xen answers.
for line in "EVTCHNOP_send\(0x10\) = -14" "console_io\(write, 16, 0x10\) = -14" \
	"memory_op\(XENMEM_add_to_physmap, 0x10\) = -14" \
	"grant_table_op\(GNTTABOP_map_grant_ref, 0x10, 1\) = -14" \
	"send on closed port 4 = -22" "send on port 100000 = -22" \
	"map own grant 8 = 0, status 0" "end access while mapped = -16" \
	"unmap = 0, status 0" "end access after unmap = 0" \
	"console out_prod jumped 100000 ahead, notify = 0" \
	"xenstore header announcing 5000 bytes sent, notify = 0, ring error field 3" \
	"done, still running"; do
	expect_grep "answered" "^misbehave: $line$" "$TMP/out"
done

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --strict -- misbehave
expect_eq "exit status under --strict" 70 "$status"
expect_eq "violations under --strict" 1 "$(grep -c 'protocol violation' "$TMP/err")"
expect_grep "crashed under --strict" '^drydock: domain 1 \(testguest\) crashed$' "$TMP/err"

if [ -n "${VALGRIND:-}" ] && command -v "$VALGRIND" >/dev/null; then
	run "$TMP/out" "$TMP/err" "$VALGRIND" --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite -q "$BIN/testguest" --clock virtual -- misbehave
	[ "$status" -eq 0 ] || { cat "$TMP/err"; fail "memcheck: status $status"; }
	expect_eq "violations under memcheck" 9 "$(grep -c 'protocol violation' "$TMP/err")"
fi
