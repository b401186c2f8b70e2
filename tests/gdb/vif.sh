#!/usr/bin/env bash
# uk vif: the simulator's vif 0 (null backend, connected) counted as many
# frames from the guest as netfront sent.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk vif" "echo === p\n" \
	"p/d ((struct netfront *)((struct net_if *)'net/netif.c'::ifs.head)->nf)->stats.tx_frames"
sent=$(sed -n 's/^\$1 = //p' "$TMP/out")
expect_grep "vif 0" '^vif0: null, mac 00:16:3e:00:01:00, mtu 1500, connected$' "$TMP/out"
expect_grep "frames from the guest: netfront's count" \
	"^  to_guest_frames 0, to_guest_bytes 0, to_guest_dropped 0, oversized_dropped 0, from_guest_frames $sent, from_guest_bytes [0-9]+, to_guest_impair.lost 0, .*from_guest_impair.queue_dropped 0\$" "$TMP/out"
echo "PASS"
