#!/usr/bin/env bash
# A domain that ends with a failure says so on its console before it goes (runtime/exit.c):
# on Xen that line is all there is to tell an application's failure from Xen's own reasons.
# A success stays the application's to announce: nothing is added to its output.
set -e
. "$(dirname "$0")/lib.sh"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- exit 3
expect_eq "uk_exit(3)" 3 "$status"
expect_grep "the failure on the console" '^drydock: exit status 3: the domain ends as crashed$' "$TMP/out"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- exit 0
expect_eq "uk_exit(0)" 0 "$status"
expect_eq "nothing added to a success's output" "" "$(cat "$TMP/out")"
