#!/usr/bin/env bash
# l2echo over a TAP device inside a network namespace of the test's own, with
# a packet-socket peer in the same namespace: 1000 frames of 64 and of 1500
# bytes come back with their MAC addresses swapped. No traffic leaves the namespace.
set -e
. "$(dirname "$0")/lib.sh"
netns_create "drydock-l2echo-$$"
mac=00:16:3e:00:01:00

ip -n "$NS" tuntap add dev dd0 mode tap
ip -n "$NS" link set dd0 up
ip netns exec "$NS" "$BIN/l2echo" --vif "tap=dd0,mac=$mac" >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^l2echo: vif0 .* echoing$'
for size in 64 1500; do
	ip netns exec "$NS" "$TOOLS/rawpeer" dd0 "$mac" 1000 "$size" 16 >"$TMP/peer$size" ||
		{ cat "$TMP/peer$size" "$TMP/err" >&2; fail "echo of $size-byte frames"; }
	expect_grep "$size-byte echoes" '^sent 1000 received 1000 bad 0 ' "$TMP/peer$size"
done
kill -INT "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "exit status" 0 "$status"
expect_grep "counters" '^vif0: rx 2000 frames .* tx 2000 frames .* rx errors 0, tx errors 0$' "$TMP/out"
