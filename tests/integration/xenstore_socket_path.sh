#!/usr/bin/env bash
# --xenstore-socket paths bind() would get wrong are refused with a line that
# says what is wrong: 108 bytes or more (sun_path), a directory that does not
# exist, a "directory" that is a file. Nothing is created anywhere.
set -e
. "$(dirname "$0")/lib.sh"

long="$TMP/$(printf 'x%.0s' $(seq $((108 - ${#TMP} - 1))))"
expect_eq "test path length" 108 "${#long}"
run "$TMP/long.out" "$TMP/long.err" "$BIN/testguest" --xenstore-socket "$long" -- exit 0
expect_eq "exit status for a 108-byte path" 1 "$status"
expect_grep "limit named" 'path is 108 bytes long: a Unix socket path must be shorter than 108 bytes \(sun_path\)' "$TMP/long.err"
[ -z "$(ls "$TMP" | grep -v -e '\.out$' -e '\.err$')" ] || fail "something was created: $(ls "$TMP")"
ok="${long%x}"
run "$TMP/ok.out" "$TMP/ok.err" "$BIN/testguest" --xenstore-socket "$ok" -- exit 0
expect_eq "exit status for a 107-byte path" 0 "$status"

run "$TMP/nodir.out" "$TMP/nodir.err" "$BIN/testguest" --xenstore-socket /nonexistent/dir/x.sock -- exit 0
expect_eq "exit status for a missing directory" 1 "$status"
expect_grep "missing directory named" 'directory /nonexistent/dir: No such file or directory' "$TMP/nodir.err"
if grep -q 'Permission denied' "$TMP/nodir.err"; then fail "a missing directory reported as 'Permission denied'"; fi

touch "$TMP/file"
run "$TMP/notdir.out" "$TMP/notdir.err" "$BIN/testguest" --xenstore-socket "$TMP/file/x.sock" -- exit 0
expect_eq "exit status for a file as directory" 1 "$status"
expect_grep "non-directory named" "$TMP/file is not a directory" "$TMP/notdir.err"
