#!/usr/bin/env bash
# A capture that outgrows the file size limit (ulimit -f: the kernel cuts the
# write short, then sends SIGXFSZ and fails the next with EFBIG) costs the
# capture's tail, not the process: SIGXFSZ, whose default action kills the
# process with a core and no word, is ignored as SIGPIPE is (sim/host/signals.c).
# The run goes on, says the capture is incomplete, powers off on SIGINT with
# status 0, and the capture holds the whole records that fit.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00
count=4000
limit_kib=64

"$TOOLS/pcaptool" gen "$TMP/in.pcap" "$count" "$mac"
# stdout to /dev/null: the limit applies to regular files only, and the guest
# prints a line per frame.
( ulimit -f "$limit_kib"
  exec "$BIN/testguest" --clock virtual --vif "pcap=$TMP/in.pcap,capture=$TMP/cap.pcap" \
	-- rx-tick 100 >/dev/null 2>"$TMP/err" ) &
pid=$!
# The capture's 256 KiB buffer fills after about 3,300 frames: its write hits the limit.
for _ in $(seq 300); do
	grep -q 'writing capture file' "$TMP/err" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -INT "$pid" 2>/dev/null || true
wait "$pid" && status=0 || status=$?
[ "$status" -ne 153 ] || fail "the process was killed by SIGXFSZ (status 153)"
expect_eq "exit status after SIGINT" 0 "$status"
expect_grep "the incomplete capture is reported" \
	"^drydock: vif0: writing capture file $TMP/cap.pcap failed: File too large; "\
"the capture is incomplete$" \
	"$TMP/err"
size=$(stat -c %s "$TMP/cap.pcap")
[ "$size" -le $((limit_kib * 1024)) ] || fail "the capture outgrew the limit ($size bytes)"
# pcap header 24 bytes, then per frame a 16-byte record header and 64 bytes.
expect_eq "the capture ends on a whole record (bytes past the header mod 80)" 0 \
	$(((size - 24) % 80))
"$TOOLS/pcaptool" times "$TMP/cap.pcap" >"$TMP/times" || fail "the capture does not parse"
expect_eq "records in the capture" "$(((size - 24) / 80)) records" "$(tail -1 "$TMP/times")"
