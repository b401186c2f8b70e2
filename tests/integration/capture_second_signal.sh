#!/usr/bin/env bash
# A second SIGINT loses no captured frame: under the virtual clock a replay
# never lets the loop go idle, so the capture's records stay in memory; the
# guest receives all 400 frames of a pcap file, then spins without a
# hypercall. The first SIGINT cannot reach it, the second stops the process,
# and the capture must then hold all 400 records, whole, ending on a record
# boundary, and parse (pcaptool, and tcpdump where it is installed).
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00
count=400
# pcap header 24 bytes, then per frame a 16-byte record header and 64 bytes.
want=$((24 + count * (16 + 64)))

"$TOOLS/pcaptool" gen "$TMP/in.pcap" "$count" "$mac"
"$BIN/testguest" --clock virtual --vif "pcap=$TMP/in.pcap,capture=$TMP/cap.pcap" \
	-- rx-spin "$count" >"$TMP/out" 2>"$TMP/err" &
pid=$!
# A check that fails must not leave the guest spinning for minutes.
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 200); do grep -q '^received' "$TMP/out" && break; sleep 0.1; done
expect_grep "the guest received every frame" "^received $count frames$" "$TMP/out"
kill -INT "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "one SIGINT stopped a guest that could not hear the request"
# The records are still in memory: what this test is about.
size=$(stat -c %s "$TMP/cap.pcap")
[ "$size" -lt "$want" ] || fail "the capture was flushed before the second signal ($size bytes)"
kill -INT "$pid"
wait "$pid" && status=0 || status=$?
expect_eq "exit status after the second SIGINT" 130 "$status"
expect_grep "forced stop logged" '^drydock: Interrupt: stopping domain 1$' "$TMP/err"
expect_eq "capture size after the second SIGINT (bytes)" "$want" "$(stat -c %s "$TMP/cap.pcap")"
"$TOOLS/pcaptool" times "$TMP/cap.pcap" >"$TMP/times" || fail "the capture does not parse"
expect_eq "records in the capture" "$count records" "$(tail -1 "$TMP/times")"
if command -v tcpdump >/dev/null; then
	tcpdump -nr "$TMP/cap.pcap" >"$TMP/dump" 2>"$TMP/dump.err" ||
		{ cat "$TMP/dump.err" >&2; fail "tcpdump cannot read the capture"; }
	expect_eq "frames tcpdump reads" "$count" "$(grep -c '^[0-9][0-9]:' "$TMP/dump")"
fi
