#!/usr/bin/env bash
# The rootless user-mode backend (libslirp) with a host port forward: a TCP
# connection to the forwarded port on 127.0.0.1 makes libslirp look for the
# guest's address 10.0.2.15 with an ARP request, which arrives through netback
# and netfront (seen in the capture) and is echoed by l2echo. Needs no privilege
# and sends nothing off the machine (the forward listens on loopback only).
set -e
. "$(dirname "$0")/lib.sh"

port=$(free_port tcp)
"$BIN/l2echo" --vif "user,hostfwd=tcp:127.0.0.1:$port-:7,capture=$TMP/cap.pcap" \
	>"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^l2echo: vif0 .* echoing$'
# The forward accepts at once; slirp then tries to reach the guest.
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "the host port forward on 127.0.0.1:$port refused"
# Until the capture (written whenever the loop goes idle) holds the ARP
# request, 30 s at most: a fixed second was too short on a busy machine.
for _ in $(seq 300); do
	"$TOOLS/pcaptool" arp-requests "$TMP/cap.pcap" 10.0.2.15 >/dev/null 2>&1 && break
	sleep 0.1
done
exec 3>&-
kill -INT "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "exit status" 0 "$status"
"$TOOLS/pcaptool" arp-requests "$TMP/cap.pcap" 10.0.2.15 >"$TMP/arp" ||
	{ cat "$TMP/arp" "$TMP/err" >&2; fail "no ARP request for 10.0.2.15 reached the guest"; }
expect_grep "echoed frames counted" '^vif0: rx [1-9][0-9]* frames .* tx [1-9][0-9]* frames' "$TMP/out"
