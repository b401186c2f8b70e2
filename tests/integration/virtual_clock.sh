#!/usr/bin/env bash
# The virtual clock: a 10 s sleep costs no wall time and lasts exactly 10 s of
# guest time; two runs of the same guest are identical, hypercall by hypercall.
set -e
. "$(dirname "$0")/lib.sh"

start=$(date +%s%N)
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- sleep 10
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "exit status" 0 "$status"
expect_grep "guest time" '^slept 10000000000 ns of guest time$' "$TMP/out"
[ "$elapsed_ms" -lt 1000 ] || fail "a virtual 10 s sleep took $elapsed_ms ms of wall time"

for i in 1 2; do
	run "$TMP/out$i" "$TMP/trace$i" "$BIN/hello" --clock virtual --trace-hypercalls -- x
	expect_eq "exit status of run $i" 0 "$status"
done
cmp -s "$TMP/out1" "$TMP/out2" || fail "two virtual runs printed different output"
cmp -s "$TMP/trace1" "$TMP/trace2" || fail "two virtual runs made different hypercalls"
expect_grep "trace has the block calls" '^hypercall: sched_op\(SCHEDOP_block\) = 0$' "$TMP/trace1"
