#!/usr/bin/env bash
# uk net: the interface with its address, the ARP entry for 10.0.0.1 still
# resolving with the datagram queued behind it, the UDP socket, the counters.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk net"
expect_grep "the interface on vif 0" '^if0: mac 00:16:3e:00:01:00 mtu 1500, vif0$' "$TMP/out"
expect_grep "its address" '^  inet 10\.0\.0\.2 netmask 255\.255\.255\.0 gateway 0\.0\.0\.0$' "$TMP/out"
expect_grep "10.0.0.1 resolving, the datagram queued" '^  10\.0\.0\.1 +- +resolving +1 +1\.000000000 s \(in 1\.000000000 s\) +[1-9][0-9]*$' "$TMP/out"
expect_grep "the UDP socket on port 7" '^udp +0\.0\.0\.0:7 +bound +0 \(0 bytes\) +0 +0$' "$TMP/out"
expect_grep "the counters" '^  counters: tx_frames [0-9]+, arp_requests_sent [0-9]+$' "$TMP/out"
echo "PASS"
