#!/usr/bin/env bash
# Frames read straight into the guest's RX buffers over a TAP, inside a
# network namespace made by the test (all traffic stays in it):
# examples/httpd takes 20 MB and sends 20 MB (SHA-256 checked) with the
# offloads on and no capture file, so the TAP backend reads each large
# frame with readv into the pages of the guest's posted buffers
# (sim/backends/vif_rx_direct.c); strace counts those readv calls. Then
# the same with capture=, which must see every frame first: no readv, the
# copy path, the same bytes.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
need_tools curl sha256sum strace
httpd_tap_ns "drydock-rxdirect-$$"
mb=20
head -c $((mb * 1000000)) /dev/urandom >"$TMP/up"

# traced_run NAME KEYS: 20 MB each way under strace with the vif keys KEYS; sets
# $readv, the readv calls httpd made.
traced_run() {
	local out=$TMP/out.$1 tracer pid
	shift
	: >"$out"
	ip netns exec "$NS" strace -f -qq -e trace=readv -c -o "$TMP/strace" "$BIN/httpd" \
		--mem 512 --vif "tap=dd0$1" -- ip=10.0.0.2/24 >"$out" 2>"$out.err" &
	tracer=$!
	wait_for_line "$out" '^httpd: listening on TCP port 80$' 30
	upload_check "$mb MB upload (vif keys '$1')" "$TMP/up"
	download_check "$mb MB download (vif keys '$1')" $((mb * 1000000))
	pid=$(pgrep -P "$tracer" -x httpd) || fail "httpd under strace: no process"
	kill -TERM "$pid"
	wait "$tracer" || fail "httpd (vif keys '$1') exited with status $?: $(tail -n 5 "$out.err")"
	readv=$(awk '$NF == "readv" { print $4 }' "$TMP/strace")
	readv=${readv:-0}
	echo "vif keys '$1': $readv readv calls"
}

traced_run direct ""
# 20 MB in segments of up to 64 KiB: about 310; most must have gone straight in.
[ "$readv" -ge 150 ] || fail "offloads on, no capture: only $readv frames read into the guest's buffers"
traced_run copy ",capture=$TMP/cap.pcap"
expect_eq "readv calls with capture= (the copy path)" 0 "$readv"
echo "PASS"
