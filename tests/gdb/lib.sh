# Shared by the gdb helper tests: gdbguest run under gdb in batch mode to
# gdbguest_checkpoint (tests/gdb/gdbguest.c says what state it is in there).
set -u
GUEST=${GDBGUEST:?GDBGUEST must name the gdbguest executable}
SCRIPT=${GDB_SCRIPT:?GDB_SCRIPT must name tools/gdb/drydock-gdb.py}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_grep WHAT REGEX FILE
expect_grep() {
	grep -Eq -- "$2" "$3" || { echo "--- $3:" >&2; cat "$3" >&2; fail "$1: no line matches /$2/"; }
}

expect_no_grep() {
	! grep -Eq -- "$2" "$3" || { echo "--- $3:" >&2; cat "$3" >&2; fail "$1: a line matches /$2/"; }
}

command -v gdb >/dev/null || skip "gdb is not installed"
gdb -nx -batch -ex 'python print("python-ok")' 2>/dev/null | grep -q python-ok ||
	skip "this gdb has no Python, which drydock's helpers need"

GUEST_ARGS=(--clock virtual --vif null)

# gdb_run OUT MODE [BREAK] -- GDB-COMMAND...: gdbguest under gdb, stopped at
# BREAK (gdbguest_checkpoint by default); the helpers load from the
# executable's .debug_gdb_scripts entry. Fails on any Python error.
gdb_run() {
	local out=$1 mode=$2 stop=gdbguest_checkpoint args=()
	shift 2
	if [ "$1" != -- ]; then stop=$1; shift; fi
	shift
	for c in "$@"; do args+=(-ex "$c"); done
	timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" \
		-ex "break $stop" -ex run "${args[@]}" \
		--args "$GUEST" "${GUEST_ARGS[@]}" -- "$mode" ip=10.0.0.2/24 >"$out" 2>&1
	[ $? -ne 124 ] || fail "gdb timed out"
	# "Thread 1 "NAME" hit Breakpoint 1, ..." once blkback's thread pool has started.
	expect_grep "stopped at $stop" "^(Thread [0-9]+ \"[^\"]*\" hit )?Breakpoint 1, .*$stop" "$out"
	expect_no_grep "no Python errors" "Python Exception|Error occurred in Python|Undefined command" "$out"
}

# section OUT START: the lines of OUT from the first matching START up to the next "=== " marker.
section() {
	awk -v s="$2" 'index($0, s) == 1 {on = 1; next} /^=== / {on = 0} on' "$1"
}
