#!/usr/bin/env bash
# pcap=FILE walked from its mapping (a classic pcap file, traces/pcap_walk.h)
# against the same records read through libpcap: the copy's header says
# version 2.3, which the mapped walk leaves to libpcap (libpcap reads 2.3's
# records as 2.4's while no captured length exceeds its wire length). The
# captures are byte-identical and the lines the same, for echo's trace, a
# readdressed one with strangers (as=), and a trace cut inside its last record.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

# both NAME FILE ARGS...: replays FILE from $TMP/map/ (mapped) and from
# $TMP/lib/ (the 2.3 copy, libpcap) with the vif keys ARGS; the captures, stdout
# and stderr of the two must be the same.
both() {
	local name=$1 file=$2 keys=$3 how
	shift 3
	mkdir -p "$TMP/map" "$TMP/lib"
	cp "$file" "$TMP/map/in.pcap"
	cp "$file" "$TMP/lib/in.pcap"
	# The version's minor number, bytes 6-7 of a little-endian header: 4 -> 3.
	printf '\003' | dd of="$TMP/lib/in.pcap" bs=1 seek=6 conv=notrunc status=none
	for how in map lib; do
		(cd "$TMP/$how" && run out err "$BIN/echo" --clock virtual \
			--vif "pcap=in.pcap,capture=cap.pcap,linger=1$keys" -- "$@" &&
			echo "$status" >status)
	done
	expect_eq "$name: exit status" "$(cat "$TMP/lib/status")" "$(cat "$TMP/map/status")"
	cmp "$TMP/lib/cap.pcap" "$TMP/map/cap.pcap" || fail "$name: the captures differ"
	cmp "$TMP/lib/out" "$TMP/map/out" || fail "$name: stdout differs"
	cmp "$TMP/lib/err" "$TMP/map/err" || { diff "$TMP/lib/err" "$TMP/map/err"; fail "$name: stderr differs"; }
}

"$TOOLS/iptrace" gen "$TMP/in.pcap" "$mac"
both "echo" "$TMP/in.pcap" "" ip=10.0.0.2/24
"$TOOLS/iptrace" check "$TMP/map/cap.pcap" >"$TMP/check" || { cat "$TMP/check"; fail "answers"; }
expect_grep "every answer" '^arp replies 1, echo replies 3/3, udp echoes 3/3, bad 0$' "$TMP/check"

# A recording of echo at 10.0.0.2 with strangers added, replayed as=10.0.0.2.
hostmac=02:00:00:00:00:20
"$TOOLS/iptrace" gen "$TMP/host.pcap" "$hostmac"
run "$TMP/out" "$TMP/err" "$BIN/echo" --clock virtual \
	--vif "pcap=$TMP/host.pcap,capture=$TMP/rec.pcap,linger=1,mac=$hostmac" -- ip=10.0.0.2/24
expect_eq "exit status of the recording" 0 "$status"
"$TOOLS/tracemix" noise "$TMP/rec.pcap" "$TMP/noisy.pcap"
both "as=" "$TMP/noisy.pcap" ",as=10.0.0.2" ip=10.0.0.7/24
expect_grep "strangers dropped" "6 frames fed to the guest at 10\.0\.0\.7, 6 of 10\.0\.0\.2's own not fed, 24 of other hosts dropped" "$TMP/map/err"

# Cut inside its last record (a nanosecond file, echo's capture): the frames
# before it fed, then the same error.
size=$(stat -c %s "$TMP/rec.pcap")
head -c $((size - 10)) "$TMP/rec.pcap" >"$TMP/cut.pcap"
both "a cut record" "$TMP/cut.pcap" "" ip=10.0.0.2/24
expect_grep "the cut said" "in\.pcap: record [0-9]*: truncated dump file; tried to read [0-9]* captured bytes, only got [0-9]*; no more frames are fed from it" "$TMP/map/err"

# Truncated while replayed (the real clock): records 3 on are moved 5 s later,
# the file is emptied once the guest is up, and the frame waiting for its time
# (record 3, or 2 if it still waits for the guest's buffers) is not fed but
# said, instead of a SIGBUS taken for the guest's crash, and the run ends.
python3 - "$TMP/in.pcap" "$TMP/late.pcap" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
at, n = 24, 0
while at < len(b):
    n += 1
    if n >= 3:
        struct.pack_into('<I', b, at, struct.unpack_from('<I', b, at)[0] + 5)
    at += 16 + struct.unpack_from('<I', b, at + 8)[0]
open(sys.argv[2], 'wb').write(b)
PY
# Files of its own: the background shell truncates a reused $TMP/out only
# after the fork, so the wait could read the recording run's line instead.
timeout 60 "$BIN/echo" --vif "pcap=$TMP/late.pcap,linger=1" -- ip=10.0.0.2/24 \
	>"$TMP/late.out" 2>"$TMP/late.err" &
pid=$!
wait_for_line "$TMP/late.out" '^net: vif0 10\.0\.0\.2/24 \(static\)$' 30
: >"$TMP/late.pcap"
set +e
wait "$pid"
status=$?
set -e
cat "$TMP/late.err"
expect_eq "exit status when truncated" 0 "$status"
expect_grep "the truncation said" "^drydock: vif0: $TMP/late\.pcap: record [23]: the file was truncated while it was read; no more frames are fed from it$" "$TMP/late.err"
