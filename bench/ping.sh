#!/usr/bin/env bash
# bench/ping: ICMP round trips (ping -f) and UDP echoes through echo — the
# IPv4 stack on netfront over a TAP device — beside tap_responder (a plain C
# program answering ARP, ping and UDP port 7 on the same kind of TAP) and
# tap_responder --epoll (the same program waiting in epoll_wait, as any event
# loop waits: the ceiling of a responder built on one) in the same run. Each
# responder gets a network namespace of its own, made for the run, with the
# same TAP (dd0, 10.0.0.1/24) and address (10.0.0.2); all traffic stays
# inside them. All three run all the time and are measured in alternating
# rounds. Needs root; prints a message and exits 0 otherwise.
#
#   bench/ping.sh BUILD_DIR [COUNT [ROUNDS]]
#
# COUNT pings and COUNT UDP datagrams (64-byte payload, window 8) against
# each responder, in ROUNDS rounds; defaults 100000 and 5.
set -eu
build=${1:?usage: ping.sh BUILD_DIR [COUNT [ROUNDS]]}
count=${2:-100000}
rounds=${3:-5}
mac=00:16:3e:00:01:00
addr=10.0.0.2
udp_size=64
udp_window=8
per_round=$(((count + rounds - 1) / rounds))
# Everything runs on one CPU: the responders, ping and udp_flood. Spread over
# two CPUs, each round trip waits for a sleeping CPU to wake up, and that
# wait (5 to 20 us here, varying from run to run) hides the work per packet.
cpu=$(($(nproc) - 1))
ns_base=drydock-bench-ping-base-$$
ns_ep=drydock-bench-ping-ep-$$
ns_dd=drydock-bench-ping-dd-$$

. "$(dirname "$0")/lib.sh"
bench_netns_or_skip ping "$ns_base" 0
tmp=$(mktemp -d)
cleanup() {
	local ns p
	for ns in "$ns_base" "$ns_ep" "$ns_dd"; do
		p=$(ip netns pids "$ns" 2>/dev/null) || continue
		[ -z "$p" ] || kill -TERM $p 2>/dev/null || true
	done
	sleep 0.2
	for ns in "$ns_base" "$ns_ep" "$ns_dd"; do
		p=$(ip netns pids "$ns" 2>/dev/null) || continue
		[ -z "$p" ] || kill -KILL $p 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns_ep"
ip netns add "$ns_dd"
for ns in "$ns_base" "$ns_ep" "$ns_dd"; do
	bench_tap_dd0 "$ns" 10.0.0.1/24
done

# start KEY NAME READY COMMAND...: starts a responder in namespace ns_KEY,
# waits for READY in its output and for it to answer ping.
start() {
	local key=$1 name=$2 ready=$3 ns log=$tmp/$1.log i
	shift 3
	eval "ns=\$ns_$key; name_$key=\$name"
	: >"$log"
	ip netns exec "$ns" taskset -c "$cpu" "$@" >"$log" 2>&1 &
	eval "pid_$key=$!"
	for i in $(seq 100); do
		grep -q "$ready" "$log" && break
		sleep 0.1
	done
	if ! grep -q "$ready" "$log" ||
	   ! ip netns exec "$ns" ping -n -q -c 3 -i 0.05 -W 2 "$addr" >/dev/null; then
		echo "bench/ping: $name did not start or does not answer ping:" >&2
		cat "$log" >&2
		exit 1
	fi
}

# round KEY: one round of pings and UDP echoes against responder KEY; appends
# "ping RECEIVED MS AVG_MS" and udp_flood's line to $tmp/KEY.results.
round() {
	local key=$1 ns
	eval "ns=\$ns_$key"
	ip netns exec "$ns" taskset -c "$cpu" ping -n -f -q -c "$per_round" "$addr" | awk '
		/packets transmitted/ {
			for (i = 1; i <= NF; i++) {
				if ($(i + 1) ~ /^received/) rx = $i
				if ($i == "time") { t = $(i + 1); sub(/ms.*/, "", t) }
			}
		}
		/^rtt / { split($4, v, "/"); avg = v[2] }
		END { print "ping", rx + 0, t + 0, avg + 0 }' >>"$tmp/$key.results"
	ip netns exec "$ns" taskset -c "$cpu" "$build/bench/udp_flood" "$addr" "$per_round" \
		"$udp_size" "$udp_window" >>"$tmp/$key.results" || true
}

# row KEY: prints the table row of responder KEY and leaves its figures in
# KEY_rtps, KEY_rtt, KEY_udp.
row() {
	local key=$1 name
	eval "name=\$name_$key"
	eval "$(awk -v k="$key" -v name="$name" '
		$1 == "ping" { rx += $2; ms += $3; rtt += $2 * $4 }
		$1 == "udp_flood:" && $4 == "received" { urx += $5; us += $9; urtt += $5 * $15 }
		END {
			rtps = ms > 0 ? rx / (ms / 1000) : 0
			udp = us > 0 ? urx / us : 0
			printf "printf \"%%-26s %%12.0f %%12.1f %%12.0f %%12.1f\\n\" \"%s\" %f %f %f %f\n",
			       name, rtps, rx ? rtt / rx * 1000 : 0, udp, urx ? urtt / urx : 0
			printf "%s_rtps=%f; %s_rtt=%f; %s_udp=%f\n", k, rtps, k,
			       rx ? rtt / rx * 1000 : 0, k, udp
		}' "$tmp/$key.results")"
}

start base "tap_responder (baseline)" "answering" "$build/bench/tap_responder" dd0 "$addr" "$mac"
start ep "tap_responder --epoll" "answering" "$build/bench/tap_responder" --epoll dd0 \
	"$addr" "$mac"
start dd "echo (drydock)" "echo: answering" \
	"$build/bin/echo" --vif "tap=dd0,mac=$mac" -- "ip=$addr/24" gw=10.0.0.1
for r in $(seq "$rounds"); do
	round base
	round ep
	round dd
done
for key in base ep dd; do
	eval "kill -TERM \$pid_$key 2>/dev/null || true; wait \$pid_$key 2>/dev/null || true"
done

echo "bench/ping: $((per_round * rounds)) pings (ping -f) and as many UDP echoes" \
     "($udp_size-byte payload, window $udp_window) each, in $rounds alternating rounds, all on CPU $cpu"
printf '%-26s %12s %12s %12s %12s\n' "" "ping rt/s" "ping rtt us" "udp echo/s" "udp rtt us"
row base
row ep
row dd
awk -v a="$dd_rtps" -v b="$base_rtps" -v c="$dd_rtt" -v d="$base_rtt" \
    -v e="$dd_udp" -v f="$base_udp" 'BEGIN {
	if (b > 0 && f > 0)
		printf "echo reaches %.0f%% of the baseline'"'"'s ping round trips/s, %.0f%% of its UDP echoes/s (mean ping rtt %+.1f us)\n",
		       100 * a / b, 100 * e / f, c - d
	print "goal: at least 90% of the baseline (Solo5 spt reaches about 75%)"
}'
awk -v a="$ep_rtps" -v b="$base_rtps" -v e="$ep_udp" -v f="$base_udp" 'BEGIN {
	if (b > 0 && f > 0)
		printf "an event loop'"'"'s ceiling: tap_responder --epoll reaches %.0f%% of the baseline'"'"'s ping round trips/s, %.0f%% of its UDP echoes/s\n",
		       100 * a / b, 100 * e / f
}'
# Round by round: echo's round against the baseline's just before it, which
# the machine's load moved less than it moved the whole run.
awk '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	FNR == 1 { f++ }
	$1 == "ping" && $3 > 0 { p[f, ++np[f]] = $2 / $3 }
	$1 == "udp_flood:" && $4 == "received" && $11 > 0 { u[f, ++nu[f]] = $11 }
	END {
		for (i = 1; i <= np[1] && i <= np[2]; i++) pr[++n] = 100 * p[2, i] / p[1, i]
		for (i = 1; i <= nu[1] && i <= nu[2]; i++) ur[++m] = 100 * u[2, i] / u[1, i]
		if (n && m)
			printf "round by round: ping %.0f%% (median; %.0f%% to %.0f%%), UDP %.0f%% (%.0f%% to %.0f%%)\n",
			       med(pr, n), pr[1], pr[n], med(ur, m), ur[1], ur[m]
	}' "$tmp/base.results" "$tmp/dd.results"
