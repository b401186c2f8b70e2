#!/usr/bin/env bash
# echo from a pcap trace of ARP, ping and UDP requests under the virtual clock:
# the ARP reply, each echo reply and each UDP echo are checked field by field,
# and two runs capture byte-identical files.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

"$TOOLS/iptrace" gen "$TMP/in.pcap" "$mac"
for run in 1 2; do
	run "$TMP/out$run" "$TMP/err$run" "$BIN/echo" --clock virtual \
		--vif "pcap=$TMP/in.pcap,capture=$TMP/cap$run.pcap,linger=1" -- ip=10.0.0.2/24
	expect_eq "exit status of run $run" 0 "$status"
done
expect_grep "configured" '^net: vif0 10\.0\.0\.2/24 \(static\)$' "$TMP/out1"
"$TOOLS/iptrace" check "$TMP/cap1.pcap" >"$TMP/check" || { cat "$TMP/check" "$TMP/out1"; fail "answers"; }
expect_grep "every answer" '^arp replies 1, echo replies 3/3, udp echoes 3/3, bad 0$' "$TMP/check"
cmp -s "$TMP/cap1.pcap" "$TMP/cap2.pcap" || fail "two virtual-clock runs captured different files"
