#!/usr/bin/env bash
# Every way a start can fail after the options are parsed exits 1 with the
# simulator freed: memcheck finds nothing definitely lost (issue 10, defect 8;
# it used to lose 105 KB on each of these paths).
set -e
. "$(dirname "$0")/lib.sh"
VALGRIND=${VALGRIND:?VALGRIND must name valgrind}

memcheck() {
	local what=$1
	shift
	run "$TMP/out" "$TMP/err" "$VALGRIND" -q --leak-check=full \
		--errors-for-leak-kinds=definite --error-exitcode=99 "$BIN/testguest" --clock virtual "$@"
	[ "$status" != 99 ] || { cat "$TMP/err" >&2; fail "$what: memcheck found errors or a leak"; }
	expect_eq "status for $what" 1 "$status"
}

memcheck "a pcap file that does not exist" --vif pcap="$TMP/missing.pcap"
expect_grep "names the file" 'missing\.pcap' "$TMP/err"
memcheck "a second vif that cannot open" --vif null --vif pcap="$TMP/missing.pcap",capture="$TMP/c.pcap"
memcheck "a bad --xs path" --vif null --xs 'bad//path=1'
expect_grep "names the entry" '^drydock: --xs bad//path=1' "$TMP/err"
memcheck "a bad hostfwd" --vif user,hostfwd=bogus
memcheck "a xenstore socket in a missing directory" --xenstore-socket "$TMP/no/such/dir/x.sock"
echo "PASS"
