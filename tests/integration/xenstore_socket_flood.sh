#!/usr/bin/env bash
# A xenstore socket client that watches 500 nodes, writes them over and over
# and never reads a reply or an event is cut off once 1 MiB waits for it,
# with a line on stderr; the simulator's memory stays bounded and the daemon
# serves other clients on.
set -e
. "$(dirname "$0")/lib.sh"
command -v xenstore-read >/dev/null || fail "xenstore-read missing (run 'make deps': xenstore-utils)"

# The guest outlives the slowest start and the whole flood; it is killed at the end.
xenstore_guest_start 600
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
