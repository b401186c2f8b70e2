#!/usr/bin/env bash
# The replay's progress line: on a terminal (script(1) makes one) it shows
# frames, percent, rate, guest time and ETA and is cleared at the end; with
# stderr not a terminal, or before progress=SECONDS, nothing is printed.
set -e
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "needs script(1) to give the replay a terminal"
mac=00:16:3e:00:01:00
"$TOOLS/pcaptool" gen "$TMP/in.pcap" 5000 "$mac"

script -qfec "$BIN/l2echo --clock virtual --vif pcap=$TMP/in.pcap,linger=0,progress=0" \
	"$TMP/tty" >/dev/null
tr '\r' '\n' <"$TMP/tty" >"$TMP/lines"
expect_grep "the progress line" "^vif0: $TMP/in\.pcap: 1024 frames, [0-9]+%, [0-9]+ frames/s, guest time [0-9]+\.[0-9]{3} s, ETA [0-9]+ s" "$TMP/lines"
grep -aq $'\r\e\[K' "$TMP/tty" || fail "the progress line was not cleared"

run "$TMP/out" "$TMP/err" "$BIN/l2echo" --clock virtual --vif "pcap=$TMP/in.pcap,linger=0,progress=0"
expect_eq "exit status" 0 "$status"
! grep -aq "frames/s" "$TMP/err" "$TMP/out" || fail "a progress line with stderr not a terminal"
script -qfec "$BIN/l2echo --clock virtual --vif pcap=$TMP/in.pcap,linger=0" "$TMP/tty2" >/dev/null
! grep -aq "frames/s" "$TMP/tty2" || fail "a progress line for a replay shorter than 2 s"
echo PASS
