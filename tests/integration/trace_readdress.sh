#!/usr/bin/env bash
# Readdressing: echo is recorded at 10.0.0.2 with another MAC (the
# recording), then replayed as that host at 10.0.0.7 with
# drydock trace expect --as: a clean report, the same answers. With the
# peer's ARP gone and strangers' frames added, the replayer answers the
# guest's ARP and drops and counts the strangers. A changed answer in the
# expectation is reported at its frame and field.
set -e
. "$(dirname "$0")/lib.sh"
DT=$BIN/drydock-trace
hostmac=02:00:00:00:00:20

"$TOOLS/iptrace" gen "$TMP/in.pcap" "$hostmac"
run "$TMP/out" "$TMP/err" "$BIN/echo" --clock virtual \
	--vif "pcap=$TMP/in.pcap,capture=$TMP/rec.pcap,linger=1,mac=$hostmac" -- ip=10.0.0.2/24
expect_eq "exit status of the recording" 0 "$status"

run "$TMP/out" "$TMP/err" "$DT" expect --as 10.0.0.2 --capture "$TMP/cap.pcap" \
	"$TMP/rec.pcap" - -- "$BIN/echo" -- ip=10.0.0.7/24
cat "$TMP/out" "$TMP/err"
expect_eq "exit status of expect --as" 0 "$status"
expect_grep "a clean report" "^expect: .*/echo answered $TMP/rec\.pcap as the recording expects$" "$TMP/out"
expect_grep "the readdressing summed up" "as=10\.0\.0\.2: 7 frames fed to the guest at 10\.0\.0\.7, 8 of 10\.0\.0\.2's own not fed, 0 of other hosts dropped" "$TMP/err"
expect_grep "the guest answered every ping" 'icmp echo replies 3' "$TMP/out"
# What the guest sent is the recording's, at its own address and MAC.
run "$TMP/out" "$TMP/err" "$DT" diff -n time,mac --map 10.0.0.2=10.0.0.7 \
	--expected-from 10.0.0.2 --actual-from 00:16:3e:00:01:00 "$TMP/rec.pcap" "$TMP/cap.pcap"
expect_eq "the guest's frames against the host's" 0 "$status"

"$TOOLS/tracemix" noise "$TMP/rec.pcap" "$TMP/noisy.pcap"
run "$TMP/out" "$TMP/err" "$BIN/echo" --clock virtual \
	--vif "pcap=$TMP/noisy.pcap,as=10.0.0.2,capture=$TMP/cap2.pcap,linger=1" -- ip=10.0.0.7/24
expect_eq "exit status with strangers" 0 "$status"
expect_grep "strangers dropped and counted, ARP answered" "as=10\.0\.0\.2: 6 frames fed to the guest at 10\.0\.0\.7, 6 of 10\.0\.0\.2's own not fed, 24 of other hosts dropped; 1 ARP requests answered, 0 not" "$TMP/err"
expect_grep "every datagram echoed" '^echo: 3 datagrams received, 3 echoed, 0 send errors$' "$TMP/out"
expect_grep "every ping answered" 'icmp echo replies 3' "$TMP/out"
# The same under memcheck: no error in the readdresser or the ARP answers.
run "$TMP/out" "$TMP/err" "${VALGRIND:-valgrind}" --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite -q "$BIN/echo" --clock virtual \
	--vif "pcap=$TMP/noisy.pcap,as=10.0.0.2,linger=1" -- ip=10.0.0.7/24
expect_eq "exit status under valgrind" 0 "$status"
expect_grep "under valgrind too" "1 ARP requests answered, 0 not" "$TMP/err"

# The host's second UDP echo (record 13) with its payload's byte 3 changed.
"$TOOLS/tracemix" flip "$TMP/rec.pcap" "$TMP/changed.pcap" 13 45
run "$TMP/out" "$TMP/err" "$DT" expect --as 10.0.0.2 --expected-from 10.0.0.2 \
	--capture "$TMP/cap3.pcap" "$TMP/rec.pcap" "$TMP/changed.pcap" -- "$BIN/echo" -- ip=10.0.0.7/24
expect_eq "exit status of expect against a changed answer" 1 "$status"
expect_grep "the frame and field" "^frame 7 \(record 13 of $TMP/changed\.pcap, record [0-9]+ of $TMP/cap3\.pcap\): udp\.payload\[3\] \(frame byte 45\): expected 0x[0-9a-f]{2}( '.')?, got 0x[0-9a-f]{2}( '.')?$" "$TMP/out"
echo PASS
