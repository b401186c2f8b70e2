#!/usr/bin/env bash
# bench/ping_cost: instructions per ICMP echo round trip that echo answers
# over a TAP device under the real clock, counted by callgrind — the TAP
# path's counterpart of bench/udp_cost (which replays a pcap under the
# virtual clock and never touches the TAP, the real clock or a blocking wait).
#
#   bench/ping_cost.sh BUILD_DIR [--strace] [--profile OUT]
#
# Two runs of build/bin/echo on a TAP in a network namespace made for the
# run (dd0, 10.0.0.1/24; echo at 10.0.0.2), each answering `ping -f -c N`
# (N = 200, then 2200) and then ended with SIGTERM; the figure is the
# difference of their instruction totals over the difference of the replies
# ping got, so boot, ARP and shutdown cancel out. What is left is one
# round trip on the TAP path: the wait, the libuv pass, the read, netback,
# the guest, the reply's write. Unlike udp_cost the count moves a little
# from run to run (the real clock: timers that fall due, a ping sent again
# while callgrind is slow); a few tens of instructions.
#
# --strace: also count echo's system calls per round trip (strace -f -c,
# 200 and 2200 pings in the same way, no callgrind).
# --profile OUT: keep the larger run's callgrind file as OUT.
# KEEP_TMP=1 in the environment keeps the run's directory (both callgrind
# files, both strace summaries), whose path it prints: subtracting the
# smaller run's per-function totals from the larger one's gives each
# function's cost per ping.
# Needs root, network namespaces and valgrind; otherwise prints a message
# and exits 77 (skipped).
set -eu
build=${1:?usage: ping_cost.sh BUILD_DIR [--strace] [--profile OUT]}
shift
profile= do_strace=
while [ $# -gt 0 ]; do
	case $1 in
	--strace) do_strace=1; shift ;;
	--profile) profile=${2:?--profile OUT}; shift 2 ;;
	*) echo "bench/ping_cost: unknown argument $1" >&2; exit 2 ;;
	esac
done
small=200
big=2200
mac=00:16:3e:00:01:00
addr=10.0.0.2
ns=drydock-bench-ping-cost-$$

if ! command -v valgrind >/dev/null; then
	echo "bench/ping_cost: skipped (needs valgrind)"
	exit 77
fi
if [ -n "$do_strace" ] && ! command -v strace >/dev/null; then
	echo "bench/ping_cost: skipped (needs strace for --strace)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
bench_netns_or_skip ping_cost "$ns" 77
tmp=$(mktemp -d)
[ -z "${KEEP_TMP:-}" ] || echo "bench/ping_cost: keeping $tmp" >&2
cleanup() {
	local p
	p=$(ip netns pids "$ns" 2>/dev/null) || true
	[ -z "$p" ] || kill -KILL $p 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
bench_tap_dd0 "$ns" 10.0.0.1/24

# run N TOOL...: echo under TOOL answers `ping -f -c N`; prints the replies
# ping got. The tool's output is $tmp/out.N.
run() {
	local n=$1 log=$tmp/log.$1 pid kids i rx
	shift
	: >"$log"
	ip netns exec "$ns" "$@" "$build/bin/echo" --vif "tap=dd0,mac=$mac" -- \
		"ip=$addr/24" >"$log" 2>&1 &
	pid=$!
	for i in $(seq 600); do
		grep -q "echo: answering" "$log" && break
		sleep 0.1
	done
	if ! grep -q "echo: answering" "$log"; then
		echo "bench/ping_cost: echo did not start:" >&2
		cat "$log" >&2
		exit 1
	fi
	rx=$(ip netns exec "$ns" timeout 300 ping -n -f -q -c "$n" -W 2 "$addr" |
		awk '/packets transmitted/ { for (i = 1; i <= NF; i++)
			if ($(i + 1) ~ /^received/) print $i }')
	# Under strace echo is its child, under valgrind the process itself.
	kids=$(ps -o pid= --ppid "$pid" || true)
	kill -TERM ${kids:-$pid} 2>/dev/null || true
	wait "$pid" || true
	echo "${rx:-0}"
}

# count N: prints "INSTRUCTIONS REPLIES" of echo answering N pings under callgrind.
count() {
	local n=$1 out=$tmp/cg.$1 rx
	rx=$(run "$n" valgrind --tool=callgrind --callgrind-out-file="$out" ${2:+"$2"})
	echo "$(awk '/^totals:/ { print $2 }' "$out") $rx"
}

# syscalls N: prints echo's system call total while answering N pings, and the replies.
syscalls() {
	local n=$1 rx
	rx=$(run "$n" strace -f -c -o "$tmp/strace.$n")
	echo "$(awk '$NF == "total" { print $4 }' "$tmp/strace.$n") $rx"
}

read -r i_small rx_small <<<"$(count "$small")"
read -r i_big rx_big <<<"$(count "$big" ${profile:+--dump-instr=yes})"
[ -z "$profile" ] || cp "$tmp/cg.$big" "$profile"
if [ "$rx_big" -le "$rx_small" ] || [ -z "$i_small" ] || [ -z "$i_big" ]; then
	echo "bench/ping_cost: no usable counts ($rx_small and $rx_big replies)" >&2
	exit 1
fi
echo "bench/ping_cost: $(((i_big - i_small) / (rx_big - rx_small))) instructions per ping" \
     "answered over a TAP (callgrind, ping -f -c $small and $big, $rx_small and $rx_big replies)"
if [ -n "$do_strace" ]; then
	read -r s_small rx_small <<<"$(syscalls "$small")"
	read -r s_big rx_big <<<"$(syscalls "$big")"
	# Per call: the difference of the two runs' counts over the replies'.
	# A row is "% seconds usecs/call calls [errors] syscall".
	awk -v a="$s_small" -v b="$s_big" -v c="$rx_small" -v d="$rx_big" '
		FNR == 1 { f++ }
		$4 ~ /^[0-9]+$/ && $NF ~ /^[a-z_0-9]+$/ && $NF != "total" {
			n[f, $NF] = $4; names[$NF] = 1
		}
		END {
			printf "bench/ping_cost: %.2f system calls per ping (strace -f -c, %d and %d replies):", (b - a) / (d - c), c, d
			for (k in names) {
				r = (n[2, k] - n[1, k]) / (d - c)
				if (r >= 0.01)
					printf " %s %.2f", k, r
			}
			printf "\n"
		}' "$tmp/strace.$small" "$tmp/strace.$big"
fi
