# Shared helpers for the integration tests (sourced by each test script).
# Every check prints what it expected and what it got, then fails the test.
set -u

BIN=${DRYDOCK_BIN:?DRYDOCK_BIN must name the directory holding the unikernels}
TOOLS=${TOOLS:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_grep WHAT PATTERN FILE: an extended regular expression must match a line.
expect_grep() {
	grep -Eq -- "$2" "$3" || { echo "--- $3:" >&2; cat "$3" >&2; fail "$1: no line matches /$2/"; }
}

# run OUT ERR CMD...: runs CMD with stdout/stderr to files, sets $status.
run() {
	local out=$1 err=$2
	shift 2
	set +e
	timeout 60 "$@" >"$out" 2>"$err"
	status=$?
	set -e
	[ "$status" -ne 124 ] || fail "timed out after 60 s: $*"
}
