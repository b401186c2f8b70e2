#!/usr/bin/env bash
# The block helpers post mortem: gdbguest with a disk panics right after its
# checkpoint, two requests still in flight, under --core; on the core,
# `uk rings vbd51712` and `uk disks` show what they show live at the checkpoint.
. "$(dirname "$0")/blk_lib.sh"
pattern=$(cat /proc/sys/kernel/core_pattern)
case "$pattern" in
"|"*) skip "the kernel hands cores to a program here (core_pattern '$pattern'), not to a file" ;;
*/*) skip "the kernel writes cores to '$pattern', outside this test's directory" ;;
esac
[ "$(ulimit -H -c)" != 0 ] || skip "the hard core size limit is 0 (ulimit -H -c)"

gdb_run "$TMP/live" panic -- "uk rings vbd51712 --slots" "uk disks"

mkdir "$TMP/crash"
(cd "$TMP/crash" && exec "$GUEST" "${GUEST_ARGS[@]}" --core -- panic ip=10.0.0.2/24) \
	>"$TMP/out" 2>"$TMP/err" && status=0 || status=$?
expect_eq "a crash's exit status" 70 "$status"
expect_grep "the core was dumped" '^drydock: core dumped' "$TMP/err"
core=$(find "$TMP/crash" -maxdepth 1 -name 'core*' -type f | head -1)
[ -n "$core" ] || fail "no core file in $TMP/crash: $(ls -la "$TMP/crash")"

timeout 90 gdb -nx -q -batch -iex "add-auto-load-safe-path $SCRIPT" \
	-ex "uk rings vbd51712 --slots" -ex "uk disks" "$GUEST" "$core" >"$TMP/post" 2>&1
expect_no_grep "no Python errors" "Python Exception|Error occurred in Python|Undefined command" "$TMP/post"
expect_grep "post mortem: two requests in flight" "^  outstanding: 0 requests not yet taken by the backend, 0 responses not yet taken by the frontend, 2 requests without a response\$" "$TMP/post"
# Everything but addresses (the shared page's, the image's directory) as live.
helpers_of() {
	awk '/^vbd51712 /, 0' "$1" | sed -E 's/0x[0-9a-f]+/ADDR/g; s|/[^ ,]*/disk.img|IMAGE|'
}
helpers_of "$TMP/live" >"$TMP/live.helpers"
helpers_of "$TMP/post" >"$TMP/post.helpers"
[ -s "$TMP/live.helpers" ] || fail "no disk in the live session: $(cat "$TMP/live")"
diff -u "$TMP/live.helpers" "$TMP/post.helpers" >&2 || fail "the core's disk state differs from the live one"
echo "PASS"
