#!/usr/bin/env bash
# Issue 10, defect 4: a capture is complete up to the last frame the loop
# handled before it went idle, even when the process is then killed with
# SIGKILL (no exit handler runs). l2echo answers 400 frames from a pcap file
# under the real clock and lingers; as soon as the capture holds all 800
# frames (or after 20 s) it is killed -9, and the file must parse to its end
# with all 800 records and no record cut in half.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00
count=400
# pcap header 24 bytes, then per frame a 16-byte record header and 64 bytes.
want=$((24 + 2 * count * (16 + 64)))

"$TOOLS/pcaptool" gen "$TMP/in.pcap" "$count" "$mac"
"$BIN/l2echo" --vif "pcap=$TMP/in.pcap,capture=$TMP/cap.pcap,linger=60" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
size=0
for _ in $(seq 200); do
	size=$(stat -c %s "$TMP/cap.pcap" 2>/dev/null || echo 0)
	[ "$size" -lt "$want" ] || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null || { cat "$TMP/out" "$TMP/err"; fail "l2echo ended before the kill"; }
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
size=$(stat -c %s "$TMP/cap.pcap")
expect_eq "capture size after SIGKILL (bytes)" "$want" "$size"
"$TOOLS/pcaptool" times "$TMP/cap.pcap" >"$TMP/times" || fail "the capture does not parse"
expect_eq "records in the capture" "$((2 * count)) records" "$(tail -1 "$TMP/times")"
