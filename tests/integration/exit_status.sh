#!/usr/bin/env bash
# The process exit status is the guest's: uk_exit(3) exits 3, a return of 0 exits 0,
# a failed assertion or a fault is a crash (status 70) with the reason on stderr.
set -e
. "$(dirname "$0")/lib.sh"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- exit 3
expect_eq "uk_exit(3)" 3 "$status"
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- exit 0
expect_eq "uk_exit(0)" 0 "$status"
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- exit 255
expect_eq "uk_exit(255)" 255 "$status"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- assert
expect_eq "crash status" 70 "$status"
expect_grep "panic on the console" '^PANIC in main: assertion failed at .*testguest\.c:[0-9]+: answer == 42$' "$TMP/out"
expect_grep "reason on stderr" 'PANIC in main: assertion failed' "$TMP/err"
expect_grep "crash reported" '^drydock: domain 1 \(testguest\) crashed$' "$TMP/err"

run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- segfault
expect_eq "fault status" 70 "$status"
expect_grep "fault reported" '^drydock: domain 1 \(testguest\) crashed: page fault \(Segmentation fault\) at address 0x10, rip 0x[0-9a-f]+$' "$TMP/err"
