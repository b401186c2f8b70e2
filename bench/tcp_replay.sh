#!/usr/bin/env bash
# bench/tcp_replay: TCP-aware replay of an HTTP download trace into
# examples/httpd (pcap=FILE,as=IP,tcp=replay under the virtual clock), in
# payload bytes per second of the guest's answer replayed and compared
# byte for byte (goal: 1 GB/s), beside the time to read the file (cat).
# The trace is written by tcp_replay_trace.py (a download of /bytes/N shaped
# as tcpdump records one on Linux's loopback: 65 KB segments), since
# tcpdump drops frames of a fast download on a busy machine.
#
#   bench/tcp_replay.sh BUILD_DIR [MEGABYTES] [RUNS]     (default 1000 MB, 3 runs)
set -eu
build=$(cd "${1:?usage: tcp_replay.sh BUILD_DIR [MEGABYTES] [RUNS]}" && pwd)
mb=${2:-1000}
runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "bench/tcp_replay: skipped (needs python3)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trace=$work/download.pcap

now() { date +%s.%N; }
python3 "$here/tcp_replay_trace.py" "$trace" "$((mb * 1000000))"
t0=$(now); cat "$trace" >/dev/null; t1=$(now)
printf 'bench/tcp_replay: a %s MB answer, trace of %s bytes; reading it: %.3f s\n' "$mb" \
	"$(stat -c %s "$trace")" "$(echo "$t1 - $t0" | bc -l)"
best=
for r in $(seq "$runs"); do
	t0=$(now)
	"$build/bin/httpd" --clock virtual --vif "pcap=$trace,as=10.0.0.2,tcp=replay,linger=0" \
		-- ip=10.0.0.7/24 >/dev/null 2>"$work/err"
	t1=$(now)
	grep -q "1 matched, 0 diverged" "$work/err" ||
		{ cat "$work/err"; echo "bench/tcp_replay: the replay did not match"; exit 1; }
	s=$(echo "$t1 - $t0" | bc -l)
	printf '  run %d: %.3f s, %.0f MB/s of payload\n' "$r" "$s" "$(echo "$mb / $s" | bc -l)"
	if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
done
printf 'bench/tcp_replay: best %.0f MB/s of payload replayed and compared (goal 1000)\n' \
	"$(echo "$mb / $best" | bc -l)"
