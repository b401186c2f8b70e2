#!/usr/bin/env bash
# A second SIGINT loses no line of a disk's capture= log: the guest writes
# 200 sectors, one request each, then spins without a hypercall, so the
# loop never runs again and the log's last lines stay in memory. The first
# SIGINT cannot reach the guest; the second stops the process, and the log
# must then hold its header, each request and its response, every line
# whole and none twice.
set -e
. "$(dirname "$0")/lib.sh"
count=200
want=$((1 + 2 * count))

truncate -s 1M "$TMP/d.img"
"$BIN/blkspin" --clock virtual --disk "$TMP/d.img,raw,xvda,rw,capture=$TMP/log" \
	-- "$count" >"$TMP/out" 2>"$TMP/err" &
pid=$!
# A check that fails must not leave the guest spinning for minutes.
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 200); do grep -q '^wrote' "$TMP/out" && break; sleep 0.1; done
expect_grep "the guest wrote every sector" "^wrote $count sectors$" "$TMP/out"
kill -INT "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "one SIGINT stopped a guest that could not hear the request"
# The last lines are still in memory: what this test is about. What went
# out (when the loop went idle) is whole lines.
lines=$(grep -c '' "$TMP/log" || true)
[ "$lines" -lt "$want" ] || fail "the log was complete before the second signal ($lines lines)"
expect_eq "the log ends on a whole line before the second signal" "" "$(tail -c 1 "$TMP/log")"
kill -INT "$pid"
wait "$pid" && status=0 || status=$?
expect_eq "exit status after the second SIGINT" 130 "$status"
expect_grep "forced stop logged" '^drydock: Interrupt: stopping domain 1$' "$TMP/err"
expect_eq "the log ends on a whole line" "" "$(tail -c 1 "$TMP/log")"
expect_eq "lines in the log" "$want" "$(wc -l <"$TMP/log")"
# The header, then sector i's write and its answer for each i in order: each line once.
awk -v n="$count" '
	NR == 1 {
		if ($0 !~ /^# drydock vbd capture 1: vbd xvda, /) { print "no header: " $0; bad = 1; exit 1 }
		next
	}
	NR % 2 == 0 {
		s = (NR - 2) / 2
		if ($0 !~ "^[0-9]+\\.[0-9]+ req slot [0-9]+ id [0-9]+ write sectors " s "\\+1 segs 1$") {
			print "line " NR ": not the write of sector " s ": " $0; bad = 1; exit 1
		}
		id = $6; next
	}
	{
		if ($0 !~ "^[0-9]+\\.[0-9]+ rsp id " id " write okay$") {
			print "line " NR ": not the answer to id " id ": " $0; bad = 1; exit 1
		}
	}
	END { if (!bad && NR != 2 * n + 1) { print NR " lines"; exit 1 } }
' "$TMP/log" >"$TMP/check" || { cat "$TMP/check" >&2; fail "the log is not each write and its answer"; }
