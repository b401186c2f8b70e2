#!/usr/bin/env bash
# Issue 10, defect 9: --vif tap=NAME opens an existing TAP device and never
# makes one (TUNSETIFF would make a transient TAP, as root, that vanishes at
# exit). A name the kernel cannot take (too long, a space, '/', ':', '.' or
# '..') is refused when the options are read (exit 2) with the reason; a
# missing interface exits 1 saying it does not exist and how to make it, and
# nothing is left behind; an interface that exists and is not a TAP says so.
# The device checks run in a network namespace of the test's own.
set -e
. "$(dirname "$0")/lib.sh"

# bad_name NAME REASON: refused at parse time, before any device is touched.
bad_name() {
	run "$TMP/out" "$TMP/err" "$BIN/l2echo" --vif "tap=$1"
	expect_eq "status for tap='$1'" 2 "$status"
	expect_grep "reason for tap='$1'" "interface name '$1'.*$2" "$TMP/err"
}
bad_name "a b" "may not contain a space"
bad_name "dd/0" "may not contain '/'"
bad_name "dd:0" "may not contain ':'"
bad_name ".." "may not be '.' or '..'"
bad_name "averyveryverylongname" "is longer than 15 characters"

netns_create "drydock-tapname-$$"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"

ip netns exec "$NS" timeout 20 "$BIN/l2echo" --vif tap=ddmissing >"$TMP/out" 2>"$TMP/err" &&
	status=0 || status=$?
expect_eq "status for a missing TAP" 1 "$status"
expect_grep "says it does not exist" \
	"cannot open TAP device ddmissing: no network interface of that name \(drydock does not create one: ip tuntap add dev ddmissing mode tap" \
	"$TMP/err"
if ip -n "$NS" link show ddmissing >/dev/null 2>&1; then
	fail "a TAP named ddmissing was created"
fi

ip -n "$NS" link add ddveth0 type veth peer name ddveth1
ip netns exec "$NS" timeout 20 "$BIN/l2echo" --vif tap=ddveth0 >"$TMP/out" 2>"$TMP/err" &&
	status=0 || status=$?
expect_eq "status for a veth" 1 "$status"
expect_grep "says it is not a TAP" "cannot open TAP device ddveth0: the interface exists and is not a TAP" \
	"$TMP/err"

# An existing TAP still opens: the guest connects and is stopped by SIGTERM.
ip -n "$NS" tuntap add dev ddtap0 mode tap
ip netns exec "$NS" "$BIN/l2echo" --vif tap=ddtap0 >"$TMP/out" 2>"$TMP/err" &
guest=$!
wait_for_line "$TMP/out" '^l2echo: vif0 .* echoing$'
kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "status after SIGTERM" 0 "$status"
