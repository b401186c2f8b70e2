#!/usr/bin/env bash
# The netif offloads over a TAP inside a network namespace made by the test
# (all traffic stays in it): examples/httpd sends 20 MB and takes 20 MB
# (SHA-256 checked) with the offloads on, as by default, then with
# sg=0,gso=0,csum=0. On, the guest's TCP hands netback 64 KiB frames that
# reach the kernel whole behind a virtio-net header, and the kernel hands
# the guest whole 64 KiB segments in return (TUNSETOFFLOAD, netfront's
# receive offloads): the TAP counts far fewer packets each way than the
# capture shows segments, and no captured frame is over 1514 bytes. Off,
# every segment is a packet.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
need_tools curl python3 sha256sum
httpd_tap_ns "drydock-offload-$$"
mb=20
head -c $((mb * 1000000)) /dev/urandom >"$TMP/up"

# pcap_frames FILE: "FRAMES LARGEST" of a pcap file (the capture's frames, to the guest and from it).
pcap_frames() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n, big = 24, 0, 0
while off + 16 <= len(d):
    incl, orig = struct.unpack_from("<II", d, off + 8)
    n, big, off = n + 1, max(big, orig), off + 16 + incl
print(n, big)
PY
}

# tap_rx_packets: packets the kernel took from the guest on dd0.
tap_rx_packets() {
	ip -n "$NS" -s link show dd0 | awk '/RX:/ { getline; print $2; exit }'
}

# tap_tx_packets: packets the kernel gave the guest on dd0.
tap_tx_packets() {
	ip -n "$NS" -s link show dd0 | awk '/TX:/ { getline; print $2; exit }'
}

# one_run KEYS: 20 MB each way with the vif keys KEYS; sets $segments, $largest (the
# capture's frames, both ways), $packets (what the TAP took from the guest during the download)
# and $up_packets (what it gave the guest during the upload).
one_run() {
	local before
	httpd_start "$TMP/out" "tap=dd0,capture=$TMP/cap.pcap$1"
	before=$(tap_rx_packets)
	download_check "$mb MB download (vif keys '$1')" $((mb * 1000000))
	packets=$(($(tap_rx_packets) - before))
	before=$(tap_tx_packets)
	upload_check "$mb MB upload (vif keys '$1')" "$TMP/up"
	up_packets=$(($(tap_tx_packets) - before))
	httpd_stop
	expect_eq "httpd exit status (vif keys '$1')" 0 "$status"
	read -r segments largest <<<"$(pcap_frames "$TMP/cap.pcap")"
	echo "vif keys '$1': $segments frames captured (largest $largest bytes); the download was $packets packets on the TAP, the upload $up_packets"
	[ "$largest" -le 1514 ] || fail "a captured frame of $largest bytes: the capture shows frames as on a wire"
}

one_run ""
[ "$packets" -lt $((mb * 1000000 / 1448 / 4)) ] ||
	fail "offloads on: the $mb MB download was $packets packets on the TAP; GSO frames make far fewer"
[ "$up_packets" -lt $((mb * 1000000 / 1448 / 4)) ] ||
	fail "offloads on: the $mb MB upload was $up_packets packets on the TAP; GSO frames make far fewer"
[ "$segments" -ge $((mb * 1000000 / 1448)) ] || fail "offloads on: only $segments frames captured"

one_run ",sg=0,gso=0,csum=0"
[ "$packets" -ge $((mb * 1000000 / 1448)) ] ||
	fail "offloads off: the $mb MB download was $packets packets on the TAP, fewer than its segments"
[ "$up_packets" -ge $((mb * 1000000 / 1448)) ] ||
	fail "offloads off: the $mb MB upload was $up_packets packets on the TAP, fewer than its segments"
