#!/usr/bin/env bash
# drydock trace diff and stat on the capture corpus: every Ethernet file
# equals itself (and prints nothing), every other file is one line naming it
# (exit 2); a one-byte change is named by frame, field, offset and values.
set -e
. "$(dirname "$0")/lib.sh"
DT=$BIN/drydock-trace
CORPUS=${CORPUS:?CORPUS must name the capture corpus}

equal=0 bad=0
for f in "$CORPUS"/*.pcap; do
	set +e
	"$DT" diff "$f" "$f" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	case $rc in
	0)	[ ! -s "$TMP/out" ] || fail "$f: diff against itself printed $(head -1 "$TMP/out")"
		equal=$((equal + 1)) ;;
	2)	expect_eq "$f: lines on stderr" 1 "$(wc -l <"$TMP/err")"
		expect_grep "$f: the reason names the file" "^drydock trace: $f: " "$TMP/err"
		bad=$((bad + 1)) ;;
	*)	cat "$TMP/out" "$TMP/err"; fail "$f: diff against itself exited $rc" ;;
	esac
done
[ "$equal" -ge 150 ] || fail "only $equal corpus files compared equal to themselves"
echo "corpus: $equal equal to themselves, $bad refused in one line"

# RADIUS.pcap's second record is a UDP datagram: byte 50 is its payload's byte 8.
"$TOOLS/tracemix" flip "$CORPUS/RADIUS.pcap" "$TMP/flip.pcap" 2 50
run "$TMP/out" "$TMP/err" "$DT" diff "$CORPUS/RADIUS.pcap" "$TMP/flip.pcap"
expect_eq "exit status of a diff against a one-byte change" 1 "$status"
expect_grep "the byte named" '^frame 2: udp\.payload\[8\] \(frame byte 50\): expected 0x[0-9a-f]{2}( .*)?, got 0x[0-9a-f]{2}( .*)?$' "$TMP/out"
expect_eq "the first line is the divergence" 1 "$(grep -c '^frame ' "$TMP/out")"
expect_grep "context in tcpdump's style" '^  >    2  0\.[0-9]{9}  IP 10\.0\.0\.100\.[0-9]+ > 10\.0\.0\.1\.[0-9]+: UDP, length [0-9]+$' "$TMP/out"

# The first byte of every Ethernet file's first frame (unless empty): eth.dst, frame 1.
for f in "$CORPUS"/*.pcap; do
	"$DT" diff "$f" "$f" >/dev/null 2>&1 || continue
	rc=0
	"$TOOLS/tracemix" flip "$f" "$TMP/flip.pcap" 1 0 || rc=$?
	[ "$rc" -ne 3 ] || continue
	[ "$rc" -eq 0 ] || fail "tracemix flip $f exited $rc"
	run "$TMP/out" "$TMP/err" "$DT" diff "$f" "$TMP/flip.pcap"
	expect_eq "$f: exit status against a one-byte change" 1 "$status"
	expect_grep "$f: eth.dst named" '^frame 1: eth\.dst: expected ([0-9a-f]{2}:){5}[0-9a-f]{2}, got ([0-9a-f]{2}:){5}[0-9a-f]{2}$' "$TMP/out"
done

run "$TMP/out" "$TMP/err" "$DT" stat "$CORPUS/RADIUS.pcap"
expect_eq "stat's exit status" 0 "$status"
expect_grep "link type" '^link type: EN10MB \(Ethernet\)$' "$TMP/out"
expect_grep "frames" '^frames:    4 \(687 bytes, 0 captured short\)$' "$TMP/out"
expect_grep "duration" '^duration:  0\.043882000 s$' "$TMP/out"
expect_grep "flows" '^flows:     1 \(TCP 0, UDP 1, ICMP 0, other IPv4 0\)$' "$TMP/out"
expect_grep "hosts" '^hosts:     2 IPv4 addresses$' "$TMP/out"
echo PASS
