#!/usr/bin/env bash
# echo over a TAP inside a network namespace made by the test: ping with 0%
# loss, a 4000-byte ping (fragmented both ways), a UDP echo with nc, and an
# address from dnsmasq's DHCP server in the same namespace. All traffic stays
# inside the namespace.
set -e
. "$(dirname "$0")/lib.sh"
netns_create "drydock-echo-$$"
for tool in ping nc dnsmasq; do
	command -v "$tool" >/dev/null || skip "needs $tool (run 'make deps')"
done
# (Background jobs call ip netns exec directly, so that $! is the program itself.)
in_ns() { ip netns exec "$NS" "$@"; }

ip -n "$NS" tuntap add dev dd0 mode tap
ip -n "$NS" addr add 10.0.0.1/24 dev dd0
ip -n "$NS" link set dd0 up

# 1. A static address: ping, a fragmented ping, UDP echo.
ip netns exec "$NS" "$BIN/echo" --vif tap=dd0 -- ip=10.0.0.2/24 gw=10.0.0.1 >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^echo: answering ping and UDP port 7$'
in_ns ping -c 20 -i 0.05 -W 2 10.0.0.2 >"$TMP/ping" || { cat "$TMP/ping" >&2; fail "ping"; }
expect_grep "ping without loss" ' 20 received, 0% packet loss' "$TMP/ping"
in_ns ping -c 5 -i 0.1 -s 4000 -W 2 10.0.0.2 >"$TMP/ping4000" || { cat "$TMP/ping4000" >&2; fail "ping -s 4000"; }
expect_grep "fragmented ping without loss" ' 5 received, 0% packet loss' "$TMP/ping4000"
reply=$(printf 'hello over udp\n' | in_ns nc -u -w 1 10.0.0.2 7)
expect_eq "UDP echo" "hello over udp" "$reply"
kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "exit status" 0 "$status"
expect_grep "fragments reassembled" 'echo replies [1-9]' "$TMP/out"

# 2. An address from dnsmasq (DHCP only: port=0 turns its DNS off).
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=dd0 --bind-interfaces \
	--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h --dhcp-leasefile="$TMP/leases" \
	--pid-file="$TMP/dnsmasq.pid" >"$TMP/dnsmasq.log" 2>&1 &
wait_for_line "$TMP/dnsmasq.log" 'DHCP, IP range 10\.0\.0\.50'
ip netns exec "$NS" "$BIN/echo" --vif tap=dd0 -- dhcp >"$TMP/out2" 2>"$TMP/err2" &
guest=$!
# A DISCOVER lost while dnsmasq binds is resent after 4 s (+-1), per RFC 2131.
wait_for_line "$TMP/out2" '^echo: answering ping and UDP port 7$' 20
expect_grep "lease from dnsmasq" '^net: vif0 10\.0\.0\.(5[0-9]|60)/24 gw 10\.0\.0\.1 \(dhcp from 10\.0\.0\.1\)$' "$TMP/out2"
addr=$(sed -n 's|^net: vif0 \([0-9.]*\)/24.*|\1|p' "$TMP/out2")
in_ns ping -c 3 -i 0.1 -W 2 "$addr" >"$TMP/ping3" || { cat "$TMP/ping3" >&2; fail "ping the DHCP address"; }
expect_grep "dnsmasq leased it" "$addr" "$TMP/leases"
kill -TERM "$guest"
wait "$guest" || true
