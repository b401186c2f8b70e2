# Shared helpers for the integration tests (sourced by each test script).
# Every check prints what it expected and what it got, then fails the test.
set -u

BIN=${DRYDOCK_BIN:?DRYDOCK_BIN must name the directory holding the unikernels}
TOOLS=${TOOLS:-}
TMP=$(mktemp -d)
trap 'kill_jobs; rm -rf "$TMP"' EXIT

# kill_jobs: the test's background jobs that still run, and their children
# (timeout's, strace's), so that a test that fails leaves no guest behind: a
# spinning one would load the machine for the rest of the run.
kill_jobs() {
	local pid
	for pid in $(jobs -rp); do
		pkill -KILL -P "$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true # reaped here: no "Killed" job notice
	done
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_grep WHAT PATTERN FILE: an extended regular expression must match a line.
expect_grep() {
	grep -Eq -- "$2" "$3" || { echo "--- $3:" >&2; cat "$3" >&2; fail "$1: no line matches /$2/"; }
}

# run OUT ERR CMD...: runs CMD with stdout/stderr to files, sets $status.
run() {
	local out=$1 err=$2
	shift 2
	set +e
	timeout 60 "$@" >"$out" 2>"$err"
	status=$?
	set -e
	[ "$status" -ne 124 ] || fail "timed out after 60 s: $*"
}

# skip MESSAGE: the test cannot run here (CTest counts exit 77 as skipped).
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_tools TOOL...: skips the test unless every TOOL is on the PATH.
need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "needs $tool"
	done
}

# netns_create NAME: a network namespace of our own, removed when the test
# ends. Whether the machine allows it is decided by trying each thing the TAP
# tests need: adding the namespace, running a program inside it (in a chroot
# the add works and the exec fails) and making a TAP device there; the test is
# skipped, saying which one failed, where one does not work.
netns_create() {
	NS=$1
	[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace"
	command -v ip >/dev/null || skip "needs iproute2's ip"
	ip netns add "$NS" 2>"$TMP/netns.err" || skip "cannot create a network namespace: $(cat "$TMP/netns.err")"
	trap 'netns_cleanup' EXIT
	ip netns exec "$NS" true 2>"$TMP/netns.err" ||
		skip "cannot run a program in a network namespace (ip netns exec): $(cat "$TMP/netns.err")"
	ip -n "$NS" tuntap add dev ddprobe mode tap 2>"$TMP/netns.err" ||
		skip "cannot create a TAP device in a network namespace: $(cat "$TMP/netns.err")"
	ip -n "$NS" link del ddprobe
	# No IPv6 chatter (router solicitations) on the test's links.
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS" link set lo up
}

netns_cleanup() {
	local pids
	kill_jobs
	pids=$(ip netns pids "$NS" 2>/dev/null || true)
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}

# wait_for_line FILE REGEX [SECONDS]: waits (30 s by default: a busy machine
# may take seconds to start a guest) for a line in FILE.
wait_for_line() {
	for _ in $(seq $((${3:-30} * 20))); do grep -Eq -- "$2" "$1" && return 0; sleep 0.05; done
	cat "$1" >&2
	fail "no line /$2/ in $1"
}

# wait_for_socket PATH: waits (5 s) for the Unix socket PATH to appear.
# wait_for_socket PATH [PID]: until the Unix socket PATH exists; a busy
# machine may take long to start a simulator: up to 60 s, failing at once if
# PID (the simulator) has exited.
wait_for_socket() {
	for _ in $(seq 1200); do
		[ -S "$1" ] && return 0
		if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
			[ -f "$TMP/err" ] && cat "$TMP/err" >&2
			fail "the simulator exited before listening on $1"
		fi
		sleep 0.05
	done
	fail "the socket $1 did not appear within 60 s"
}

# echo_server_start ADDR PORT LOG [NS]: a Python echo server on ADDR:PORT
# (0: a free port), inside the namespace NS when given, in the background for
# at most 60 s, its output in LOG. Returns once it listens, with its port in
# $echo_port. It serves one connection: echoes what comes until the peer
# closes its side, then closes its own.
echo_server_start() {
	cat >"$TMP/echo_server.py" <<'PY'
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(4)
print("port", l.getsockname()[1], flush=True)
c, _ = l.accept()
while True:
    b = c.recv(65536)
    if not b:
        break
    c.sendall(b)
c.shutdown(socket.SHUT_WR)
c.close()
PY
	: >"$3"
	if [ -n "${4:-}" ]; then
		ip netns exec "$4" timeout 60 python3 "$TMP/echo_server.py" "$1" "$2" >"$3" 2>&1 &
	else
		timeout 60 python3 "$TMP/echo_server.py" "$1" "$2" >"$3" 2>&1 &
	fi
	wait_for_line "$3" '^port [0-9]+$' 20
	echo_port=$(sed -n 's/^port //p' "$3")
}

# free_port tcp|udp: a port on 127.0.0.1 that nothing holds now, for a
# hostfwd. At random, so that tests running in parallel (here or in another
# build on the machine) do not pick the same one, as ports made from $$ could
# (two tests started 7 pids apart); below the kernel's ephemeral range, so
# that no connection's local port takes it before the guest binds it.
free_port() {
	python3 - "$1" <<'PY'
import random, socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for port in random.sample(range(20000, max(low, 30000)), 500):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit("free_port: no free %s port found" % sys.argv[1])
PY
}

# xenstore_guest_start SECONDS: testguest on the real clock, sleeping SECONDS,
# its xenstored on the socket $XENSTORED_PATH ($TMP/xs.sock, exported for
# Xen's xenstore tools); stdout and stderr in $TMP/out and $TMP/err. Returns
# once the socket is there; $guest is its pid, killed when the test ends.
xenstore_guest_start() {
	export XENSTORED_PATH="$TMP/xs.sock"
	"$BIN/testguest" --clock real --xenstore-socket "$XENSTORED_PATH" -- sleep "$1" \
		>"$TMP/out" 2>"$TMP/err" &
	guest=$!
	wait_for_socket "$XENSTORED_PATH" "$guest"
}

# app_project NAME: starts $TMP/app/CMakeLists.txt for a project NAME outside
# this repository that adds drydock, as docs/writing-a-unikernel.md shows; the
# test appends its drydock_add_unikernel() lines and writes the sources.
app_project() {
	local src
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$TMP/app"
	cat >"$TMP/app/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project($1 C)
add_subdirectory($src drydock)
CMAKE
}
