#!/usr/bin/env bash
# bench/udp_cost: instructions per UDP datagram that echo receives and
# answers, replayed from a pcap trace under the virtual clock and counted by
# callgrind. The count is deterministic (same binary, same trace, same
# figure), so unlike the other benches it does not depend on the machine's
# load, and a check can hold it to a recorded figure.
#
#   bench/udp_cost.sh BUILD_DIR [--check FIGURE_FILE BUILD_TYPE] [--profile OUT]
#
# Two runs of build/bin/echo, fed SMALL and BIG datagrams (64-byte payload,
# 10 us apart, after one ARP request), each ending when echo has answered
# them all (count=N); the figure is the difference of their instruction
# totals over the difference of their datagrams, so boot and shutdown
# cancel out and what is left is the whole path of one datagram: pcap
# reader, sim timer, netback, grant copy, event channel, the guest's
# netfront, IPv4, UDP, the socket, echo, and the answer back out to netback.
#
# --check: exit 1 when the figure is more than 20% above the one recorded in
# FIGURE_FILE (a line "BUILD_TYPE instructions"); exit 77 (skipped) when the
# file has no figure for BUILD_TYPE or valgrind is missing.
# --profile OUT: also keep the BIG run's callgrind file (with --dump-instr=yes)
# as OUT, for callgrind_annotate or kcachegrind.
set -eu
build=${1:?usage: udp_cost.sh BUILD_DIR [--check FIGURE_FILE BUILD_TYPE] [--profile OUT]}
shift
figure_file= build_type= profile=
while [ $# -gt 0 ]; do
	case $1 in
	--check) figure_file=${2:?--check FIGURE_FILE BUILD_TYPE}
		 build_type=${3:?--check FIGURE_FILE BUILD_TYPE}; shift 3 ;;
	--profile) profile=${2:?--profile OUT}; shift 2 ;;
	*) echo "bench/udp_cost: unknown argument $1" >&2; exit 2 ;;
	esac
done
small=100
big=1100
mac=00:16:3e:00:01:00
margin_pct=20

if ! command -v valgrind >/dev/null; then
	echo "bench/udp_cost: skipped (needs valgrind)"
	exit 77
fi
recorded=
if [ -n "$figure_file" ]; then
	recorded=$(awk -v t="$build_type" '$1 == t { print $2 }' "$figure_file")
	if [ -z "$recorded" ]; then
		echo "bench/udp_cost: skipped (no figure recorded for build type '$build_type' in $figure_file)"
		exit 77
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count N [EXTRA VALGRIND ARGS...]: prints the instruction total of echo
# answering N datagrams.
count() {
	local n=$1 out=$tmp/cg.$1
	shift
	"$build/bench/udp_trace" "$tmp/in$n.pcap" "$mac" "$n"
	if ! valgrind --tool=callgrind --callgrind-out-file="$out" "$@" \
		"$build/bin/echo" --clock virtual --vif "pcap=$tmp/in$n.pcap,linger=0" \
		-- ip=10.0.0.2/24 "count=$n" >"$tmp/out$n" 2>"$tmp/err$n"; then
		echo "bench/udp_cost: echo failed on $n datagrams:" >&2
		cat "$tmp/out$n" "$tmp/err$n" >&2
		exit 1
	fi
	if ! grep -q "^echo: $n datagrams received, $n echoed, 0 send errors$" "$tmp/out$n"; then
		echo "bench/udp_cost: echo did not answer all $n datagrams:" >&2
		cat "$tmp/out$n" >&2
		exit 1
	fi
	awk '/^totals:/ { print $2 }' "$out"
}

total_small=$(count "$small")
if [ -n "$profile" ]; then
	total_big=$(count "$big" --dump-instr=yes)
	cp "$tmp/cg.$big" "$profile"
else
	total_big=$(count "$big")
fi
per_frame=$(((total_big - total_small) / (big - small)))
echo "bench/udp_cost: $per_frame instructions per UDP datagram echoed (64-byte payload;" \
     "callgrind, $small and $big datagrams under the virtual clock; goal <= 2500)"
[ -z "$profile" ] || echo "bench/udp_cost: profile of the $big-datagram run in $profile"
if [ -n "$recorded" ]; then
	limit=$((recorded + recorded * margin_pct / 100))
	if [ "$per_frame" -gt "$limit" ]; then
		echo "bench/udp_cost: FAIL: $per_frame is more than ${margin_pct}% above the" \
		     "recorded $recorded for $build_type (limit $limit); see bench/README.md"
		exit 1
	fi
	echo "bench/udp_cost: within ${margin_pct}% of the recorded $recorded ($build_type)"
fi
