#!/usr/bin/env bash
# hello under the virtual clock: banner, command line, nine exact 100 ms sleeps, exit 0.
set -e
. "$(dirname "$0")/lib.sh"

run "$TMP/out" "$TMP/err" "$BIN/hello" --clock virtual -- one "two words"
expect_eq "exit status" 0 "$status"
expect_grep "banner" '^Hello from drydock! This is hello\.$' "$TMP/out"
expect_grep "command line" '^command line: \[one\] \[two words\]$' "$TMP/out"
expect_grep "virtual wall clock" '^wall clock: 2000-01-01 00:00:00 UTC$' "$TMP/out"
expect_eq "exact sleeps" 9 "$(grep -c 'sleep [123] of 100 ms took 100\.000 ms$' "$TMP/out")"
for t in 1 2 3; do
	expect_eq "thread $t sleeps" 3 "$(grep -c "^thread $t: " "$TMP/out")"
done
# The staggered starts interleave the threads: 1 2 3 1 2 3 1 2 3.
order=$(grep -o '^thread [123]' "$TMP/out" | cut -c8 | tr -d '\n')
expect_eq "wake-up order" 123123123 "$order"
expect_grep "goodbye" '^all 3 threads done after 330 ms of guest time; goodbye$' "$TMP/out"
expect_eq "stderr" "" "$(cat "$TMP/err")"
