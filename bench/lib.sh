# Sourced by the bench scripts that need a network namespace of their own.

# bench_netns_or_skip NAME NS STATUS: makes the namespace NS, or prints
# "bench/NAME: skipped (why)" and exits with STATUS (0 for a bench that
# reports, 77 for one CTest runs) where this machine cannot: no root, no
# network namespaces, or, as in a chroot, a namespace that can be added but
# not run in.
bench_netns_or_skip() {
	if [ "$(id -u)" != 0 ] || ! ip netns add "$2" 2>/dev/null; then
		echo "bench/$1: skipped (needs root and network namespaces)"
		exit "$3"
	fi
	if ! ip netns exec "$2" true 2>/dev/null; then
		ip netns del "$2"
		echo "bench/$1: skipped (cannot run a program in a network namespace)"
		exit "$3"
	fi
}

# bench_tap_dd0 NS [ADDR/LEN]: in namespace NS, IPv6 off (no router
# solicitations on the TAP), loopback up, and a TAP dd0 up, with ADDR/LEN
# when given.
bench_tap_dd0() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
	ip -n "$1" tuntap add dev dd0 mode tap
	[ -z "${2:-}" ] || ip -n "$1" addr add "$2" dev dd0
	ip -n "$1" link set dd0 up
}
