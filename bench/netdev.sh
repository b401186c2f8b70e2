#!/usr/bin/env bash
# bench/netdev: frames per second through l2echo over a TAP device, for 64-byte
# and 1500-byte frames, beside tap_l2echo (a plain C program echoing on the same
# kind of TAP) in the same run. All traffic stays inside a network namespace
# made for the run. Needs root; prints a message and exits 0 otherwise.
#
#   bench/netdev.sh BUILD_DIR [FRAMES [ROUNDS]]
#
# FRAMES frames of each size per round (default 100000), in ROUNDS rounds
# (default 5) that alternate between the two responders; each figure is the
# median of its rounds, printed with their spread (lowest-highest).
set -eu
build=${1:?usage: netdev.sh BUILD_DIR [FRAMES [ROUNDS]]}
frames=${2:-100000}
rounds=${3:-5}
mac=00:16:3e:00:01:00
ns=drydock-bench-$$

. "$(dirname "$0")/lib.sh"
bench_netns_or_skip netdev "$ns" 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; p=$(ip netns pids "$ns"); [ -z "$p" ] || kill $p 2>/dev/null; sleep 0.2; ip netns del "$ns"' EXIT
bench_tap_dd0 "$ns"

rate() { # SIZE: frames/s as rawpeer reports it
	ip netns exec "$ns" "$build/tests/rawpeer" dd0 "$mac" "$frames" "$1" 64 |
		sed -n 's/.* \([0-9]*\) frames\/s$/\1/p'
}
measure() { # KEY COMMAND...: starts the responder, one round of both sizes, stops it
	local key=$1
	shift
	ip netns exec "$ns" "$@" >/dev/null 2>&1 &
	local pid=$!
	sleep 0.5
	echo "$(rate 64) $(rate 1500)" >>"$tmp/$key"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
# stats KEY COLUMN: "MEDIAN LOW HIGH" of that column over the rounds.
stats() {
	sort -n -k"$2" "$tmp/$1" | awk -v c="$2" '{ v[NR] = $c }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%d %d %d\n", m, v[1], v[NR] }'
}

for r in $(seq "$rounds"); do
	measure base "$build/bench/tap_l2echo" dd0
	measure dd "$build/bin/l2echo" --vif "tap=dd0,mac=$mac"
done
echo "bench/netdev: $frames frames each way per round, window 64, $rounds alternating rounds;" \
     "frames/s, median (lowest-highest)"
printf '%-24s %28s %28s\n' "" "64 B" "1500 B"
for key in base dd; do
	read -r m64 l64 h64 <<<"$(stats "$key" 1)"
	read -r m15 l15 h15 <<<"$(stats "$key" 2)"
	name="tap_l2echo (baseline)"
	[ "$key" = base ] || name="l2echo (drydock)"
	printf '%-24s %10d (%7d-%7d) %10d (%7d-%7d)\n' "$name" "$m64" "$l64" "$h64" "$m15" "$l15" "$h15"
	eval "${key}_64=$m64; ${key}_1500=$m15"
done
awk -v a="$dd_64" -v b="$base_64" -v c="$dd_1500" -v d="$base_1500" 'BEGIN {
	if (b > 0 && d > 0)
		printf "l2echo reaches %.0f%% (64 B) and %.0f%% (1500 B) of the baseline (goal: 85%%)\n",
		       100 * a / b, 100 * c / d
}'
