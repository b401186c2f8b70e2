#!/usr/bin/env bash
# Bad --vif specs and unusable backends give one clear line; malformed pcap
# input names the file and the record and never crashes.
set -e
. "$(dirname "$0")/lib.sh"
corpus="$(dirname "$0")/../corpus/pcap"

run "$TMP/out" "$TMP/err" "$BIN/l2echo" --vif bogus
expect_eq "status for an unknown backend" 2 "$status"
expect_grep "names the backends" 'tap=IFNAME, user, pcap=FILE or null' "$TMP/err"
run "$TMP/out" "$TMP/err" "$BIN/l2echo" --vif null,mac=zz:00
expect_eq "status for a bad MAC" 2 "$status"
expect_grep "names the MAC" "zz:00" "$TMP/err"

run "$TMP/out" "$TMP/err" "$BIN/l2echo" --vif pcap="$TMP/missing.pcap"
expect_eq "status for a missing pcap file" 1 "$status"
expect_grep "names the file" "missing.pcap" "$TMP/err"

# The corpus is part of the repository: a missing file fails the test.
[ -f "$corpus/LINKTYPE_IPV4.pcap" ] || fail "the corpus file $corpus/LINKTYPE_IPV4.pcap is missing"
run "$TMP/out" "$TMP/err" "$BIN/l2echo" --clock virtual --vif pcap="$corpus/LINKTYPE_IPV4.pcap"
expect_eq "status for a non-Ethernet pcap" 1 "$status"
expect_grep "names the link type" 'LINKTYPE_IPV4.pcap.*(link type|RAW|IPV4)' "$TMP/err"

# A file cut in the middle of its third record: two frames are fed, then the
# reader stops with the record number and the replay ends normally.
"$TOOLS/pcaptool" gen "$TMP/whole.pcap" 5 00:16:3e:00:01:00
head -c $((24 + 2 * (16 + 64) + 16 + 20)) "$TMP/whole.pcap" >"$TMP/cut.pcap"
run "$TMP/out" "$TMP/err" "$BIN/l2echo" --clock virtual --vif pcap="$TMP/cut.pcap",linger=0.5
expect_eq "status after a truncated pcap" 0 "$status"
expect_grep "names the record" 'cut.pcap.*record 3' "$TMP/err"
expect_grep "two frames echoed" '^vif0: rx 2 frames' "$TMP/out"
