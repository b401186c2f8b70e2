#!/usr/bin/env bash
# --seed under the virtual clock: echo asking DHCP on a pcap vif (whose trace
# holds no DHCP server, so the client keeps retransmitting its DISCOVER)
# prints the same output and captures byte-identical files in two runs with
# --seed 1, and --seed 2 draws another DHCP xid (the guest's generator is
# seeded from the simulator's --seed through the platform's entropy).
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

"$TOOLS/iptrace" gen "$TMP/in.pcap" "$mac"
for run in 1a 1b 2; do
	seed=${run%[ab]}
	run "$TMP/out$run" "$TMP/err$run" "$BIN/echo" --clock virtual --seed "$seed" \
		--vif "pcap=$TMP/in.pcap,capture=$TMP/cap$run.pcap,linger=30" -- dhcp
	expect_eq "exit status of run $run" 0 "$status"
	"$TOOLS/pcaptool" dhcp-xids "$TMP/cap$run.pcap" >"$TMP/xids$run" ||
		fail "run $run (--seed $seed) sent no DHCP message"
done

# The client retransmits within the 30 s: several DISCOVERs, one xid per exchange.
[ "$(wc -l <"$TMP/xids1a")" -ge 3 ] || fail "expected 3 or more DISCOVERs in 30 s, got $(wc -l <"$TMP/xids1a")"
expect_eq "one xid for the whole exchange" 1 "$(sort -u "$TMP/xids1a" | wc -l)"

cmp -s "$TMP/out1a" "$TMP/out1b" || fail "two --seed 1 runs printed different output"
cmp -s "$TMP/cap1a.pcap" "$TMP/cap1b.pcap" || fail "two --seed 1 runs captured different files"
xid1=$(head -1 "$TMP/xids1a")
xid2=$(head -1 "$TMP/xids2")
[ "$xid1" != "$xid2" ] || fail "--seed 1 and --seed 2 drew the same DHCP xid $xid1"
