#!/usr/bin/env bash
# Issue 10, defect 3: a far-future timestamp in a pcap trace under the
# virtual clock, with a guest whose periodic timer ticks every 100 ms. A gap
# over an hour is reported (vif, file, records, gap); gap=SECONDS caps every
# gap, the same way each run, and the capture shows the moved times. With
# gap=10 a 30-day and a 2^32-second gap each cost the guest 110 ticks of its
# 100 ms timer (10 s, then linger=1), not the 25.9 million and 43 billion
# they would in full. The guest counts its timer callbacks, which under the
# virtual clock does not depend on how fast the machine is.
set -e
. "$(dirname "$0")/lib.sh"
mac=00:16:3e:00:01:00

# run_gap GAP_SECONDS KEYS: replays the 3-frame trace.
run_gap() {
	"$TOOLS/pcaptool" gen-gap "$TMP/in.pcapng" "$mac" "$1"
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual \
		--vif "pcap=$TMP/in.pcapng,capture=$TMP/cap.pcap,linger=1$2" -- rx-tick 100
	expect_eq "exit status (gap $1 s$2)" 0 "$status"
	"$TOOLS/pcaptool" times "$TMP/cap.pcap" >"$TMP/times" || fail "the capture does not parse"
}

for gap in 2592000 4294967296; do
	run_gap "$gap" ",gap=10"
	expect_grep "a $gap s gap capped by gap=10 costs the guest 110 ticks" \
		"^rx-tick: 3 frames, 110 ticks$" "$TMP/out"
	expect_grep "the gap is reported, with the cap" \
		"^drydock: vif0: $TMP/in.pcapng: records 1-2: gap of $gap s, [0-9]+ days between frames; fed 10 s apart \(gap=\)$" \
		"$TMP/err"
	expect_eq "capture times with gap=10 ($gap s)" "0.000000 10.000000 10.001000 3 records" \
		"$(tr '\n' ' ' <"$TMP/times" | sed 's/ $//')"
	expect_grep "the guest saw the second frame 10 s in" "^rx frame 2 \(64 bytes\) at 10000000000 ns$" \
		"$TMP/out"
done

# Uncapped, a 2-hour gap is kept exactly and reported with the way to cap it.
run_gap 7200 ""
expect_grep "an uncapped gap is reported" \
	"^drydock: vif0: $TMP/in.pcapng: records 1-2: gap of 7200 s, 2 h between frames; the guest's timers run through all of it \(gap=SECONDS caps it\)$" \
	"$TMP/err"
expect_eq "capture times without gap=" "0.000000 7200.000000 7200.001000 3 records" \
	"$(tr '\n' ' ' <"$TMP/times" | sed 's/ $//')"
expect_grep "the guest's timer ran through the 2 h" "^rx-tick: 3 frames, 72010 ticks$" "$TMP/out"

# A gap under an hour is not reported; gap= smaller than it still caps it.
run_gap 60 ",gap=0.5"
[ ! -s "$TMP/err" ] || { cat "$TMP/err"; fail "a 60 s gap was reported"; }
expect_eq "capture times with gap=0.5" "0.000000 0.500000 0.501000 3 records" \
	"$(tr '\n' ' ' <"$TMP/times" | sed 's/ $//')"
expect_grep "gap=0.5: 15 ticks" "^rx-tick: 3 frames, 15 ticks$" "$TMP/out"

# A gap= that is not seconds is refused at start.
run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --vif "pcap=$TMP/in.pcapng,gap=soon" -- rx-tick 100
expect_eq "exit status with gap=soon" 1 "$status"
expect_grep "bad gap=" "gap=soon: expected seconds" "$TMP/err"
