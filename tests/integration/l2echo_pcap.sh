#!/usr/bin/env bash
# l2echo fed from a pcap file under the virtual clock, with every frame
# captured: each input frame is answered with the MACs swapped, the replay ends
# by itself after the linger time, and two runs capture byte-identical files.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

"$TOOLS/pcaptool" gen "$TMP/in.pcap" 50 "$mac"
for run in 1 2; do
	start=$(date +%s%N)
	run "$TMP/out$run" "$TMP/err$run" "$BIN/l2echo" --clock virtual \
		--vif "pcap=$TMP/in.pcap,mac=$mac,capture=$TMP/cap$run.pcap,linger=2"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "exit status of run $run (poweroff after the replay)" 0 "$status"
	[ "$ms" -lt 2000 ] || fail "a virtual replay with 2 s of linger took $ms ms of wall time"
done
expect_grep "vif up" "^l2echo: vif0 $mac mtu 1500, echoing$" "$TMP/out1"
expect_grep "counters" '^vif0: rx 50 frames 3200 bytes, tx 50 frames 3200 bytes, rx errors 0, tx errors 0$' "$TMP/out1"
"$TOOLS/pcaptool" check-echo "$TMP/cap1.pcap" 50 >"$TMP/check" || { cat "$TMP/check"; fail "echoes do not match the input"; }
cmp -s "$TMP/cap1.pcap" "$TMP/cap2.pcap" || fail "two virtual-clock runs captured different files"
command -v tcpdump >/dev/null && { tcpdump -r "$TMP/cap1.pcap" -c 2 >/dev/null 2>&1 || fail "tcpdump cannot read the capture"; }
true
