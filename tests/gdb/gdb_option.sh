#!/usr/bin/env bash
# --gdb: one command starts the unikernel under gdb, with the same options
# (less --gdb), the guest's words untouched and the helpers loaded.
. "$(dirname "$0")/lib.sh"
printf 'show args\nhelp uk\n' | timeout 90 "$GUEST" --gdb "${GUEST_ARGS[@]}" -- exit ip=10.0.0.2/24 \
	>"$TMP/out" 2>&1
expect_grep "the program ran" '^gdbguest: checkpoint passed' "$TMP/out"
expect_grep "to its end" 'exited normally' "$TMP/out"
expect_grep "with the same arguments, less --gdb" \
	'"--clock virtual --vif null -- exit ip=10\.0\.0\.2/24"' "$TMP/out"
expect_grep "the helpers were loaded" 'drydock: green threads, Xen state and the simulator' "$TMP/out"
echo "PASS"
