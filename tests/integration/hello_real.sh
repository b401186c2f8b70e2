#!/usr/bin/env bash
# hello under the real clock: every 100 ms sleep takes at least 100 ms of host
# time (a timer never fires early) and the run ends cleanly.
set -e
. "$(dirname "$0")/lib.sh"

start=$(date +%s%N)
run "$TMP/out" "$TMP/err" "$BIN/hello"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "exit status" 0 "$status"
expect_eq "sleeps reported" 9 "$(grep -c 'took [0-9]*\.[0-9]* ms$' "$TMP/out")"
early=$(grep -o 'took [0-9]*\.' "$TMP/out" | tr -dc '0-9\n' | awk '$1 < 100' | wc -l)
expect_eq "sleeps shorter than 100 ms" 0 "$early"
[ "$elapsed_ms" -ge 320 ] || fail "the whole run took $elapsed_ms ms, less than the 320 ms slept"
