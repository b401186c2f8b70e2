#!/usr/bin/env bash
# The block helpers post mortem: gdbguest with a disk panics right after its
# checkpoint, two requests still in flight, under --core; on the core,
# `uk rings vbd51712` and `uk disks` show what they show live at the checkpoint.
. "$(dirname "$0")/blk_lib.sh"
. "$(dirname "$0")/core_lib.sh"
core_files_or_skip

gdb_run "$TMP/live" panic -- "uk rings vbd51712 --slots" "uk disks"

panic_with_core "$TMP/crash"
expect_eq "a crash's exit status" 70 "$status"
expect_grep "the core was dumped" '^drydock: core dumped' "$TMP/err"
core_in "$TMP/crash"

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
