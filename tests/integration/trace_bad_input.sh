#!/usr/bin/env bash
# Malformed and hostile traces given to drydock trace diff, stat and expect
# under valgrind: exit status 2 and one line naming the file, no memcheck
# error; pcap=FILE,as= with a bad address is refused in one line.
set -e
. "$(dirname "$0")/lib.sh"
DT=$BIN/drydock-trace
VALGRIND=${VALGRIND:-valgrind}
CORPUS=${CORPUS:?CORPUS must name the capture corpus}
memcheck=("$VALGRIND" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q)

good=$CORPUS/RADIUS.pcap
: >"$TMP/empty.pcap"
head -c 30 "$good" >"$TMP/header-cut.pcap"
head -c 100 "$good" >"$TMP/record-cut.pcap"
printf 'this is not a capture file at all, not even close' >"$TMP/garbage.pcap"
# A pcapng section header block whose length runs past the file.
printf '\x0a\x0d\x0d\x0a\xff\xff\x00\x00\x4d\x3c\x2b\x1a\x01\x00\x00\x00' >"$TMP/odd.pcapng"
cp "$CORPUS/LINKTYPE_IPV4.pcap" "$TMP/raw-ip.pcap"

for f in empty header-cut record-cut garbage odd.pcapng raw-ip; do
	case $f in *.pcapng) file=$TMP/$f ;; *) file=$TMP/$f.pcap ;; esac
	for cmd in "diff $good $file" "diff $file $good" "stat $file"; do
		run "$TMP/out" "$TMP/err" "${memcheck[@]}" "$DT" $cmd
		expect_eq "$cmd: exit status" 2 "$status"
		expect_eq "$cmd: lines on stderr" 1 "$(wc -l <"$TMP/err")"
		expect_grep "$cmd: names the file" "^drydock trace: $file: " "$TMP/err"
	done
done
expect_grep "a link type is refused by name" 'link type IPV4 \(228, Raw IPv4\) is not supported' "$TMP/err"

run "$TMP/out" "$TMP/err" "${memcheck[@]}" "$DT" expect --as 10.0.0.2 "$TMP/record-cut.pcap" - -- "$BIN/echo" -- ip=10.0.0.7/24
expect_eq "expect on a cut trace: exit status" 2 "$status"
expect_grep "expect: the unikernel's failure in one line" "^drydock trace: expect: .*echo exited with status" "$TMP/err"

run "$TMP/out" "$TMP/err" "${memcheck[@]}" "$DT" diff --map 10.0.0.2 "$good" "$good"
expect_eq "a bad option: exit status" 2 "$status"
expect_eq "a bad option: one line" 1 "$(wc -l <"$TMP/err")"

run "$TMP/out" "$TMP/err" "$BIN/echo" --clock virtual --vif "pcap=$good,as=10.0.0.300" -- ip=10.0.0.7/24
[ "$status" -ne 0 ] || fail "as=10.0.0.300 was accepted"
expect_grep "as= refused" 'as=10\.0\.0\.300: expected the IPv4 address of the recorded host' "$TMP/err"
echo PASS
