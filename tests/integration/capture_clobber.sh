#!/usr/bin/env bash
# capture= never names a file the run reads or another capture writes: a
# capture is created (truncated) before the guest starts, so a vif capturing
# into its own pcap= input destroyed the trace it was to replay, and the
# guest then saw 0 frames with no word said. Each such spec is refused at
# start, naming both uses, and the file is left as it was
# (sim/toolstack/files.c).
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

"$TOOLS/pcaptool" gen "$TMP/in.pcap" 10 "$mac"
cp "$TMP/in.pcap" "$TMP/keep.pcap"
truncate -s 1M "$TMP/disk.img"
cp "$TMP/disk.img" "$TMP/disk.keep"

# refused WHAT PATTERN ARGS...: testguest exits 1 at start, says PATTERN, runs nothing.
refused() {
	local what=$1 pattern=$2
	shift 2
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual "$@" -- exit 0
	expect_eq "$what: exit status" 1 "$status"
	expect_grep "$what: the reason" "$pattern" "$TMP/err"
}

refused "a capture into its own pcap= input" \
	"capture=$TMP/in.pcap is vif0's pcap= input" \
	--vif "pcap=$TMP/in.pcap,capture=$TMP/in.pcap"
cmp -s "$TMP/in.pcap" "$TMP/keep.pcap" || fail "the pcap= input was changed"

# The same file by another name.
ln -s "$TMP/in.pcap" "$TMP/link.pcap"
refused "a capture into another vif's pcap= input, through a link" \
	"capture=$TMP/link.pcap is vif0's pcap= input" \
	--vif "pcap=$TMP/in.pcap" --vif "null,capture=$TMP/link.pcap"
cmp -s "$TMP/in.pcap" "$TMP/keep.pcap" || fail "the pcap= input was changed"

refused "two vifs capturing into one file" \
	"capture=$TMP/two.pcap is also vif0's capture" \
	--vif "null,capture=$TMP/two.pcap" --vif "null,capture=$TMP/two.pcap"

refused "a vif capture into a disk image" \
	"capture=$TMP/disk.img is disk xvda's image" \
	--disk "$TMP/disk.img,raw,xvda,rw" --vif "null,capture=$TMP/disk.img"
cmp -s "$TMP/disk.img" "$TMP/disk.keep" || fail "the disk image was changed"

refused "a disk's capture into its own image" \
	"capture=$TMP/disk.img is disk xvda's image" \
	--disk "vdev=xvda,access=rw,capture=$TMP/disk.img,target=$TMP/disk.img"
cmp -s "$TMP/disk.img" "$TMP/disk.keep" || fail "the disk image was changed"

# Distinct files still work.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual \
	--vif "pcap=$TMP/in.pcap,capture=$TMP/cap.pcap" -- exit 0
expect_eq "a capture beside its input: exit status" 0 "$status"
