#!/usr/bin/env bash
# --core: a panicking guest leaves a core file (and still exits 70); on it the
# helpers work post mortem: `uk threads` shows what a live session shows at
# uk_panic, `uk thread N` and bt show a suspended thread, bt the panic. A
# faulting guest leaves one too; without --core and with ulimit -c 0, none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/core_lib.sh"
core_files_or_skip

gdb_run "$TMP/live" panic uk_panic -- "uk threads"

panic_with_core "$TMP/crash"
expect_eq "a crash's exit status, core or not" 70 "$status"
expect_grep "the panic" 'PANIC in main: gdbguest: crashing on purpose' "$TMP/err"
expect_grep "the core was dumped" '^drydock: core dumped' "$TMP/err"
core_in "$TMP/crash"

timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" \
	-ex "echo === bt\n" -ex bt -ex "echo === threads\n" -ex "uk threads" \
	-ex "echo === thread 4\n" -ex "uk thread 4" -ex bt "$GUEST" "$core" >"$TMP/post" 2>&1
expect_no_grep "no Python errors" "Python Exception|Error occurred in Python|Undefined command" "$TMP/post"
section "$TMP/post" "=== bt" >"$TMP/bt"
expect_grep "the crash's stack: uk_panic" ' in uk_panic \(fmt=' "$TMP/bt"
expect_grep "called by the application" ' in app_main \(' "$TMP/bt"

# The thread table, with addresses and the running thread's stack use (the
# panic path goes deeper than uk_panic's entry) left out.
table_of() {
	awk '/^  Id +Name/ {on = 1} on {print} /^[0-9]+ threads;/ {on = 0}' "$1" |
		sed -E 's/0x[0-9a-f]+/ADDR/g; /^\* /s/ +[0-9]+$//'
}
table_of "$TMP/live" >"$TMP/live.table"
table_of "$TMP/post" >"$TMP/post.table"
[ -s "$TMP/post.table" ] || fail "no uk threads table from the core: $(cat "$TMP/post")"
diff -u "$TMP/live.table" "$TMP/post.table" >&2 || fail "uk threads differs between the live run and the core"
section "$TMP/post" "=== thread 4" >"$TMP/t4"
expect_grep "a suspended thread's stack from the core" ' in waiter_block \(\)' "$TMP/t4"

# A fault: the core's stack runs through the crash handler into the guest.
mkdir "$TMP/fault"
(cd "$TMP/fault" && exec "${DRYDOCK_BIN:?}/testguest" --core --clock virtual -- segfault) \
	>"$TMP/fault.out" 2>"$TMP/fault.err" && status=0 || status=$?
expect_eq "a fault's exit status" 70 "$status"
expect_grep "the core was dumped" '^drydock: core dumped' "$TMP/fault.err"
core=$(find "$TMP/fault" -maxdepth 1 -name 'core*' -type f | head -1)
[ -n "$core" ] || fail "no core file after the fault"
timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" -ex bt \
	"$DRYDOCK_BIN/testguest" "$core" >"$TMP/fault.bt" 2>&1
expect_grep "through the fault handler" '<signal handler called>' "$TMP/fault.bt"
expect_grep "to the faulting guest code" '^#[0-9]+ +app_main \(.*testguest\.c' "$TMP/fault.bt"

# Neither --core nor ulimit -c: no core.
mkdir "$TMP/none"
(cd "$TMP/none" && ulimit -c 0 && exec "$GUEST" "${GUEST_ARGS[@]}" -- panic ip=10.0.0.2/24) \
	>/dev/null 2>"$TMP/none.err" && status=0 || status=$?
expect_eq "the crash status without a core" 70 "$status"
expect_no_grep "no core dumped" 'core dumped' "$TMP/none.err"
[ -z "$(ls -A "$TMP/none")" ] || fail "a core was left without --core: $(ls "$TMP/none")"
echo "PASS"
