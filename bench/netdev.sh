#!/usr/bin/env bash
# bench/netdev: frames per second through l2echo over a TAP device, for 64-byte
# and 1500-byte frames, beside tap_l2echo (a plain C program echoing on the same
# kind of TAP) in the same run. All traffic stays inside a network namespace
# made for the run. Needs root; prints a message and exits 0 otherwise.
#
#   bench/netdev.sh BUILD_DIR [FRAMES]
set -eu
build=${1:?usage: netdev.sh BUILD_DIR [FRAMES]}
frames=${2:-100000}
mac=00:16:3e:00:01:00
ns=drydock-bench-$$

if [ "$(id -u)" != 0 ] || ! ip netns add "$ns" 2>/dev/null; then
	echo "bench/netdev: skipped (needs root and network namespaces)"
	exit 0
fi
# In a chroot the add works and running a program inside fails: try that too.
if ! ip netns exec "$ns" true 2>/dev/null; then
	ip netns del "$ns"
	echo "bench/netdev: skipped (cannot run a program in a network namespace)"
	exit 0
fi
trap 'p=$(ip netns pids "$ns"); [ -z "$p" ] || kill $p 2>/dev/null; sleep 0.2; ip netns del "$ns"' EXIT
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" tuntap add dev dd0 mode tap
ip -n "$ns" link set dd0 up

rate() { # SIZE: frames/s as rawpeer reports it
	ip netns exec "$ns" "$build/tests/rawpeer" dd0 "$mac" "$frames" "$1" 64 |
		sed -n 's/.* \([0-9]*\) frames\/s$/\1/p'
}
measure() { # NAME COMMAND...: starts the responder, measures both sizes, stops it
	local name=$1
	shift
	ip netns exec "$ns" "$@" >/dev/null 2>&1 &
	local pid=$!
	sleep 0.5
	r64=$(rate 64)
	r1500=$(rate 1500)
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	printf '%-28s %12s %12s\n' "$name" "$r64" "$r1500"
	eval "${name//[^a-z0-9]/_}_64=\$r64; ${name//[^a-z0-9]/_}_1500=\$r1500"
}

echo "bench/netdev: $frames frames each way, window 64, frames/s"
printf '%-28s %12s %12s\n' "" "64 B" "1500 B"
measure "tap_l2echo (baseline)" "$build/bench/tap_l2echo" dd0
measure "l2echo (drydock)" "$build/bin/l2echo" --vif "tap=dd0,mac=$mac"
awk -v a="$l2echo__drydock__64" -v b="$tap_l2echo__baseline__64" \
    -v c="$l2echo__drydock__1500" -v d="$tap_l2echo__baseline__1500" 'BEGIN {
	if (b > 0 && d > 0)
		printf "l2echo reaches %.0f%% (64 B) and %.0f%% (1500 B) of the baseline (goal: 80%%)\n",
		       100 * a / b, 100 * c / d
}'
