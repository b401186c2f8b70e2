# Helpers the httpd tests share (sourced after lib.sh).

# httpd_pattern_sha256 N: the SHA-256 of httpd's /bytes/N answer.
httpd_pattern_sha256() {
	python3 - "$1" <<'PY'
import hashlib, sys
n = int(sys.argv[1])
chunk = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" * 1024
h = hashlib.sha256()
while n:
    k = min(n, len(chunk))
    h.update(chunk[:k])
    n -= k
print(h.hexdigest())
PY
}

# httpd_tap_ns NAME: the test's namespace with dd0 at 10.0.0.1/24 (the guest is 10.0.0.2).
httpd_tap_ns() {
	netns_create "$1"
	ip -n "$NS" tuntap add dev dd0 mode tap
	ip -n "$NS" addr add 10.0.0.1/24 dev dd0
	ip -n "$NS" link set dd0 up
}

# httpd_start OUT VIF-SPEC [HOST-OPTIONS... [-- GUEST-WORDS...]]: starts httpd in the
# namespace (pid in $guest) and waits until it listens.
httpd_start() {
	local out=$1 vif=$2
	shift 2
	local host=() words=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do host+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	words=("$@")
	: >"$out" # now, not in the child after the fork: a reused file still holds the last run's line
	ip netns exec "$NS" "$BIN/httpd" --mem 512 ${host[@]+"${host[@]}"} --vif "$vif" -- \
		ip=10.0.0.2/24 ${words[@]+"${words[@]}"} >"$out" 2>"$out.err" &
	guest=$!
	guest_out=$out
	wait_for_line "$out" '^httpd: listening on TCP port 80$' 30
}

# httpd_stop: SIGTERM (poweroff through xenstore) and the exit status in $status;
# when it is not 0, the end of what the guest printed, to say why.
httpd_stop() {
	kill -TERM "$guest" 2>/dev/null || echo "httpd had already exited" >&2
	wait "$guest" && status=0 || status=$?
	if [ "$status" != 0 ]; then
		echo "httpd exited with status $status; the end of its output:" >&2
		tail -n 20 "$guest_out" "$guest_out.err" >&2
	fi
}

in_ns() { ip netns exec "$NS" "$@"; }

# download_check WHAT N [SECONDS]: GET /bytes/N, SHA-256 checked.
download_check() {
	local got
	got=$(in_ns timeout "${3:-120}" curl -sS --fail http://10.0.0.2/bytes/"$2" | sha256sum | cut -d' ' -f1)
	expect_eq "$1" "$(httpd_pattern_sha256 "$2")" "$got"
}

# upload_check WHAT FILE [SECONDS]: POST /sha256 of FILE, checked against sha256sum.
upload_check() {
	local got
	got=$(in_ns timeout "${3:-120}" curl -sS --fail --data-binary @"$2" http://10.0.0.2/sha256)
	expect_eq "$1" "$(sha256sum <"$2" | cut -d' ' -f1)" "$got"
}
