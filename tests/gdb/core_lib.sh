# Shared by the --core tests (core.sh, blk_core.sh), sourced after lib.sh (or
# blk_lib.sh): whether a crash here leaves a core file in its directory, a
# panic of gdbguest under --core, and the core file it left.

# core_files_or_skip: skips the test unless the kernel writes a crashing
# process's core to a file in its working directory.
core_files_or_skip() {
	local pattern
	pattern=$(cat /proc/sys/kernel/core_pattern)
	case "$pattern" in
	"|"*) skip "the kernel hands cores to a program here (core_pattern '$pattern'), not to a file" ;;
	*/*) skip "the kernel writes cores to '$pattern', outside this test's directory" ;;
	esac
	[ "$(ulimit -H -c)" != 0 ] || skip "the hard core size limit is 0 (ulimit -H -c)"
}

# panic_with_core DIR: gdbguest panics under --core, run in the new
# directory DIR; its output in $TMP/out and $TMP/err, its exit status in $status.
panic_with_core() {
	mkdir "$1"
	(cd "$1" && exec "$GUEST" "${GUEST_ARGS[@]}" --core -- panic ip=10.0.0.2/24) \
		>"$TMP/out" 2>"$TMP/err" && status=0 || status=$?
}

# core_in DIR: sets $core to the core file in DIR; fails the test when there is none.
core_in() {
	core=$(find "$1" -maxdepth 1 -name 'core*' -type f | head -1)
	[ -n "$core" ] || fail "no core file in $1: $(ls -la "$1")"
}
