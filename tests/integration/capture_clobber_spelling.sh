#!/usr/bin/env bash
# Two captures into one file are refused however the file is spelt, and
# whatever it is (sim/toolstack/files.c). A capture file usually does not
# exist yet, so the check cannot ask for its inode: "x.pcap" and "./x.pcap"
# (or its absolute path) are one file all the same, and two vifs writing
# it would overwrite each other's records. A FIFO (a capture piped to
# tcpdump -r -) shared by two captures would interleave two pcap streams.
# A character device (/dev/null) may still be shared.
set -e
. "$(dirname "$0")/lib.sh"

# refused WHAT PATTERN ARGS...: testguest exits 1 at start, says PATTERN, runs nothing.
refused() {
	local what=$1 pattern=$2
	shift 2
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual "$@" -- exit 0
	expect_eq "$what: exit status" 1 "$status"
	expect_grep "$what: the reason" "$pattern" "$TMP/err"
}

cd "$TMP"
truncate -s 1M disk.img
refused "one new file, relative and with ./" \
	"capture=./two.pcap is also vif0's capture" \
	--vif "null,capture=two.pcap" --vif "null,capture=./two.pcap"
[ ! -e two.pcap ] || fail "a refused capture was created"

refused "one new file, relative and absolute" \
	"capture=$TMP/two.pcap is also vif0's capture" \
	--vif "null,capture=two.pcap" --vif "null,capture=$TMP/two.pcap"

mkdir -p sub
refused "one new file, through another directory" \
	"capture=two.pcap is also vif0's capture" \
	--disk "vdev=xvda,access=rw,capture=two.pcap,target=$TMP/disk.img" \
	--vif "null,capture=sub/../two.pcap"

# No reader: were the pair not refused, the first open would wait for one (run's timeout).
mkfifo fifo
refused "one FIFO" "capture=$TMP/fifo is also vif0's capture" \
	--vif "null,capture=$TMP/fifo" --vif "null,capture=$TMP/fifo"

# Distinct new files in different directories, and /dev/null twice, still work.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual \
	--vif "null,capture=two.pcap" --vif "null,capture=sub/two.pcap" \
	--vif "null,capture=/dev/null" --vif "null,capture=/dev/null" -- exit 0
expect_eq "distinct captures: exit status" 0 "$status"
[ -s two.pcap ] && [ -s sub/two.pcap ] || fail "the two captures were not both written"
