#!/usr/bin/env bash
# A guest formats with the runtime's own vsnprintf (runtime/libc) in the sim
# build as on Xen, not with the host C library's: %f and the other floating
# point conversions print "?" (padded to their width) in both, and the
# arguments after them still line up.
set -e
. "$(dirname "$0")/lib.sh"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- format
expect_eq "exit status" 0 "$status"
expect_eq "uk_printf" 'uk_printf: [?] [       ?] [?   |] [-42] [   ab] [0xff]' \
	"$(grep '^uk_printf: ' "$TMP/out")"
expect_eq "snprintf" 'snprintf: [?] [7] [(nil)]' "$(grep '^snprintf: ' "$TMP/out")"
