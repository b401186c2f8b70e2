#!/usr/bin/env bash
# memcheck on a whole unikernel with a disk: kvstore's puts, flushes, power
# cut and recovery, with no error and nothing definitely lost.
set -e
. "$(dirname "$0")/lib.sh"
[ -n "${VALGRIND:-}" ] || skip "no valgrind"
memcheck() {
	run "$TMP/out" "$TMP/err" "$VALGRIND" --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite -q "$@"
}

truncate -s 1M "$TMP/kv.img"
memcheck "$BIN/kvstore" --clock virtual --disk "$TMP/kv.img,raw,xvda,rw" -- load=20
expect_eq "load=20 under memcheck" 0 "$status"
memcheck "$BIN/kvstore" --clock virtual --disk "$TMP/kv.img,raw,xvda,rw" -- verify=20
expect_eq "verify=20 under memcheck" 0 "$status"
memcheck "$BIN/kvstore" --clock virtual --disk "$TMP/kv.img,raw,xvda,rw,powercut=3" -- load=5
expect_eq "a power cut under memcheck" 75 "$status"
