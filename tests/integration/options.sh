#!/usr/bin/env bash
# Host options: bad ones give one clear line and status 2; the rest take effect.
set -e
. "$(dirname "$0")/lib.sh"

bad_opt() { local pat=$1; shift; run "$TMP/out" "$TMP/err" "$BIN/testguest" "$@";
	expect_eq "status for '$*'" 2 "$status"
	expect_eq "lines on stderr for '$*'" 1 "$(wc -l <"$TMP/err")"
	expect_grep "message for '$*'" "$pat" "$TMP/err"; }

bad_opt "unknown option '--frobnicate'" --frobnicate
bad_opt "--mem takes a size in MiB" --mem lots
bad_opt "--mem takes a size in MiB" --mem 1
bad_opt "--clock takes 'real' or 'virtual'" --clock fast
bad_opt "--domid takes a domain id" --domid 0
bad_opt "--domid takes a domain id" --domid 40000
bad_opt "--seed takes a non-negative integer" --seed -5
bad_opt "guest arguments go after --" wait

run "$TMP/out" "$TMP/err" "$BIN/testguest" --help
expect_eq "--help status" 0 "$status"
expect_grep "--help text" '^usage: .*testguest \[OPTIONS\] \[-- GUEST ARGS\.\.\.\]$' "$TMP/out"

# Quoting survives the trip through the guest command line.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual -- args 'a b' '' 'q"uote' 'back\slash' "it's"
expect_eq "args status" 0 "$status"
expect_eq "args" "$(printf '[a b]\n[]\n[q"uote]\n[back\\slash]\n[it'"'"'s]')" "$(cat "$TMP/out")"

# --name and --domid reach the domain (the crash line names both).
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --name probe --domid 7 -- assert
expect_grep "name and domid" '^drydock: domain 7 \(probe\) crashed$' "$TMP/err"
