#!/usr/bin/env bash
# --timeout SECONDS: a guest that runs longer than that much guest time is
# powered off, with one line saying so, and the process exits 124. Under the
# virtual clock the limit costs no wall time.
set -e
. "$(dirname "$0")/lib.sh"

now_ms() { date +%s%3N; }

# lib.sh's run treats 124 as its own timeout(1) firing: 124 is also what
# --timeout exits with, so here the outer limit kills (137) instead.
run() {
	local out=$1 err=$2
	shift 2
	set +e
	timeout -s KILL 60 "$@" >"$out" 2>"$err"
	status=$?
	set -e
	[ "$status" -ne 137 ] || fail "killed after 60 s: $*"
}

# The issue's case: echo with nothing to echo would wait forever.
start=$(now_ms)
run "$TMP/out" "$TMP/err" "$BIN/echo" --clock virtual --vif null --timeout 5
took=$(( $(now_ms) - start ))
expect_eq "status of echo after --timeout 5" 124 "$status"
expect_grep "says why" '^drydock: domain 1 \(echo\): timeout after 5 s of guest time' "$TMP/err"
[ "$took" -lt 4000 ] || fail "5 s of virtual guest time took $took ms of wall time"

# Decimals, and a guest whose own timer is further away than the limit.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --timeout 2.5 -- sleep 100
expect_eq "status of a sleeping guest" 124 "$status"
expect_grep "names the decimal limit" 'timeout after 2\.5 s of guest time' "$TMP/err"

# Under the real clock the limit is host time: at least that long, not much more.
start=$(now_ms)
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock real --timeout 0.3 -- sleep 100
took=$(( $(now_ms) - start ))
expect_eq "status under the real clock" 124 "$status"
[ "$took" -ge 300 ] || fail "--timeout 0.3 under the real clock ended after $took ms"
[ "$took" -lt 10000 ] || fail "--timeout 0.3 under the real clock took $took ms"

# A guest that ends first keeps its own status, and nothing is said.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --timeout 5 -- exit 3
expect_eq "status of a guest that ends before the limit" 3 "$status"
if grep -q timeout "$TMP/err"; then cat "$TMP/err" >&2; fail "a timeout was reported"; fi
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --timeout 5 -- sleep 1
expect_eq "status of a guest that sleeps less than the limit" 0 "$status"

# Bad values are refused before anything starts.
for bad in 0 0.0 -1 1s 1e3 .5 1.0000000001 4294967296 ''; do
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --timeout "$bad"
	expect_eq "status for --timeout '$bad'" 2 "$status"
	expect_grep "names the option for '$bad'" "--timeout takes seconds" "$TMP/err"
done
echo "PASS"
