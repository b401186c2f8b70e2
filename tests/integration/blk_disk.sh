#!/usr/bin/env bash
# --disk end to end: a bad spec or image is one clear line and exit 2; a
# kvstore's records land in the image byte for byte and are recovered from it.
set -e
. "$(dirname "$0")/lib.sh"

truncate -s 1M "$TMP/d.img"
truncate -s 1001 "$TMP/odd.img"
: >"$TMP/empty.img"

# spec-or-image  expected-text
while IFS='|' read -r spec want; do
	run "$TMP/out" "$TMP/err" "$BIN/kvstore" --disk "$spec"
	expect_eq "status for --disk '$spec'" 2 "$status"
	expect_grep "reason for '$spec'" "$want" "$TMP/err"
	expect_eq "one line for '$spec'" 1 "$(wc -l <"$TMP/err")"
done <<SPECS
$TMP/missing.img,raw,xvda|cannot open image '.*missing.img'.*No such file
$TMP/odd.img,raw,xvda|is 1001 bytes
$TMP/empty.img,raw,xvda|is 0 bytes
$TMP,raw,xvda|cannot open image
$TMP/d.img,qcow2,xvda|format 'qcow2' is not supported
$TMP/d.img,raw|no vdev
vdev=xvda|no image
$TMP/d.img,raw,xvda,rw,bogus=1|unknown disk key 'bogus'
$TMP/d.img,raw,fd0|bad vdev 'fd0'
SPECS
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --disk "$TMP/d.img,raw,xvda" --disk "$TMP/d.img,raw,xvda"
expect_eq "status for a vdev given twice" 2 "$status"
expect_grep "names the vdev" "vdev xvda is already disk 0" "$TMP/err"

# Three puts, then the image holds three records with the values in them.
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --clock virtual --disk "vdev=xvda,target=$TMP/d.img" \
	-- load=3
expect_eq "status of load=3" 0 "$status"
expect_grep "third put answered" '^powercut-ack 3$' "$TMP/out"
expect_eq "record 2 in sector 2" "KVR1" "$(dd if="$TMP/d.img" bs=512 skip=2 count=1 2>/dev/null | head -c 4)"
dd if="$TMP/d.img" bs=512 skip=1 count=1 2>/dev/null | grep -aq 'value-1-' ||
	fail "sector 1 does not hold k1's value"
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --clock virtual --disk "$TMP/d.img,raw,xvda,ro" -- verify=3
expect_eq "a read-only disk is refused by kvstore" 1 "$status"
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --clock virtual --disk "$TMP/d.img,,xvda,w" -- verify=3
expect_eq "status of verify=3" 0 "$status"
expect_grep "recovered" 'recovered 3 records' "$TMP/out"

# capture=: every request and response, readable, with the power cut noted.
truncate -s 1M "$TMP/c.img"
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --clock virtual \
	--disk "$TMP/c.img,raw,xvda,rw,capture=$TMP/c.txt,powercut=2" -- load=3
expect_eq "status of a cut run" 75 "$status"
expect_grep "capture header" '^# drydock vbd capture 1: vbd xvda' "$TMP/c.txt"
expect_grep "the first put's write" '^[0-9]+\.[0-9]{9} req slot 1 id [0-9]+ write sectors 0\+1 segs 1$' "$TMP/c.txt"
expect_grep "its answer" '^[0-9]+\.[0-9]{9} rsp id [0-9]+ write okay$' "$TMP/c.txt"
expect_grep "the flush" ' req slot 2 id [0-9]+ flush segs 0$' "$TMP/c.txt"
expect_grep "the cut" ' powercut write 2: 1 unflushed' "$TMP/c.txt"
run "$TMP/out" "$TMP/err" "$BIN/kvstore" --disk "$TMP/c.img,raw,xvda,capture=$TMP/no/such/dir/c.txt"
expect_eq "status for an unwritable capture file" 1 "$status"
expect_grep "names the capture file" "cannot write capture file '.*no/such/dir/c.txt'" "$TMP/err"
