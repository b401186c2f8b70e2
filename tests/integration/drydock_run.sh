#!/usr/bin/env bash
# `drydock run CFG`: the xl config drydock_add_unikernel writes beside each
# PVH image runs in the simulator and does what the executable does (same
# console, same exit status, under the virtual clock); the command's usage
# errors exit 2 in one line; a bad config names its line and column.
set -e
. "$(dirname "$0")/lib.sh"
DRYDOCK=$BIN/drydock
XEN=$BIN/../xen
export DRYDOCK_RUN_DIR=$TMP/run

[ -e "$XEN/hello.cfg" ] || skip "no PVH images were built (DRYDOCK_XEN is off), so no configs beside them"

# Each example's generated config against the executable itself.
for name in hello echo l2echo testguest; do
	[ -e "$XEN/$name.cfg" ] || fail "no $XEN/$name.cfg"
	run "$TMP/direct.out" "$TMP/direct.err" "$BIN/$name" --clock virtual --timeout 1 -- one two
	direct=$status
	run "$TMP/run.out" "$TMP/run.err" "$DRYDOCK" run --clock virtual --timeout 1 "$XEN/$name.cfg" -- one two
	expect_eq "$name: exit status of drydock run" "$direct" "$status"
	cmp -s "$TMP/direct.out" "$TMP/run.out" || {
		diff "$TMP/direct.out" "$TMP/run.out" >&2 || true
		fail "$name: drydock run printed something else than $name itself"
	}
	expect_grep "$name: the keys drydock leaves to xl, in one line" \
		"^.*$name.cfg: not used by drydock: tsc_mode$" "$TMP/run.err"
	[ "$name" != hello ] || expect_grep "hello ran" '^command line: \[one\] \[two\]$' "$TMP/run.out"
done

# The file's own settings reach the guest: name, extra, memory.
sed -e 's/^name = .*/name = "fromcfg"/' -e 's/^extra = .*/extra = "x \\"y z\\""/' \
	-e 's/^memory = .*/memory = 5/' "$XEN/hello.cfg" >"$XEN/fromcfg-test.cfg"
run "$TMP/out" "$TMP/err" "$DRYDOCK" run --clock virtual "$XEN/fromcfg-test.cfg"
rm -f "$XEN/fromcfg-test.cfg"
expect_eq "exit status" 0 "$status"
expect_grep "name from the file" "^xenstore says: name fromcfg, domid 1$" "$TMP/out"
expect_grep "extra from the file" '^command line: \[x\] \[y z\]$' "$TMP/out"

# Bad use: one line on stderr and exit 2.
for args in "" "bogus" "run" "run a.cfg b.cfg" "run --register x.cfg" "list extra" \
	"shutdown" "console a b" "help nosuch" "xenstore"; do
	set +e
	# shellcheck disable=SC2086
	"$DRYDOCK" $args >"$TMP/out" 2>"$TMP/err"
	status=$?
	set -e
	expect_eq "exit status of 'drydock $args'" 2 "$status"
	[ -z "$args" ] || expect_eq "lines on stderr of 'drydock $args'" 1 "$(wc -l <"$TMP/err")"
done
"$DRYDOCK" help >"$TMP/out"
expect_grep "help lists run" "^  drydock run " "$TMP/out"
"$DRYDOCK" help run >"$TMP/out"
expect_grep "help run" "^usage: drydock run \[-d\]" "$TMP/out"

# A malformed or unknown setting: the line and column, exit 2 from the executable.
printf 'kernel = "hello.xen"\nmemory = 8\nmemroy = 8\n' >"$XEN/typo-test.cfg"
run "$TMP/out" "$TMP/err" "$DRYDOCK" run "$XEN/typo-test.cfg"
expect_eq "exit status for an unknown key" 2 "$status"
expect_grep "unknown key" "typo-test.cfg:3:1: unknown key 'memroy'$" "$TMP/err"
printf 'kernel = "hello.xen"\nvcpus = 2\n' >"$XEN/typo-test.cfg"
run "$TMP/out" "$TMP/err" "$DRYDOCK" run "$XEN/typo-test.cfg"
expect_grep "two vCPUs" "typo-test.cfg:2:9: vcpus = 2: drydock runs one vCPU" "$TMP/err"
printf 'kernel = "nosuch.xen"\n' >"$XEN/typo-test.cfg"
run "$TMP/out" "$TMP/err" "$DRYDOCK" run "$XEN/typo-test.cfg"
rm -f "$XEN/typo-test.cfg"
expect_eq "exit status for a kernel without an executable" 1 "$status"
expect_grep "no executable" "no sim executable nosuch beside it" "$TMP/err"
