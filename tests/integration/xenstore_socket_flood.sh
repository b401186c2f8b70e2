#!/usr/bin/env bash
# A xenstore socket client that watches 500 nodes, writes them over and over
# and never reads a reply or an event is cut off once 1 MiB waits for it,
# with a line on stderr; the simulator's memory stays bounded and the daemon
# serves other clients on.
set -e
. "$(dirname "$0")/lib.sh"
command -v xenstore-read >/dev/null || fail "xenstore-read missing (run 'make deps': xenstore-utils)"
export XENSTORED_PATH="$TMP/xs.sock"

# The guest outlives the slowest start and the whole flood; it is killed at the end.
"$BIN/testguest" --clock real --xenstore-socket "$XENSTORED_PATH" -- sleep 600 \
	>"$TMP/out" 2>"$TMP/err" &
guest=$!
trap 'kill $guest 2>/dev/null || true; rm -rf "$TMP"' EXIT
# A busy machine may take long to start it: up to 60 s, while the guest lives.
for _ in $(seq 1200); do
	[ -S "$XENSTORED_PATH" ] && break
	kill -0 "$guest" 2>/dev/null || { cat "$TMP/err" >&2; fail "the simulator exited before listening"; }
	sleep 0.05
done
[ -S "$XENSTORED_PATH" ] || fail "the socket did not appear within 60 s"
rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$guest/status"; }
before=$(rss_kb)

"$TOOLS/xs_flood" "$XENSTORED_PATH" watch-noread 500 15 >"$TMP/flood" ||
	{ cat "$TMP/flood" "$TMP/err" >&2; fail "the non-reading client was never cut off"; }
cat "$TMP/flood"
expect_grep "drop reported" \
	'xenstore socket client [0-9]+: leaves [0-9]+ bytes of replies and watch events unread \(limit 1048576\); closing its connection' \
	"$TMP/err"
after=$(rss_kb)
echo "peak RSS: $before kB before, $after kB after"
# The queue is 1 MiB; the tree grows by 500 small nodes. 64 MiB is generous.
[ $((after - before)) -lt 65536 ] || fail "peak RSS grew by $((after - before)) kB"
expect_eq "daemon serves after the drop" testguest "$(xenstore-read /local/domain/1/name)"
kill -0 "$guest" 2>/dev/null || fail "the simulator died"
kill "$guest"
wait "$guest" || true
