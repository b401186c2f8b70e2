#!/usr/bin/env bash
# Garbage on the xenstore socket closes that client's connection with a message
# on stderr; the daemon keeps serving others and the guest runs on undisturbed.
set -e
. "$(dirname "$0")/lib.sh"
command -v xenstore-read >/dev/null || fail "xenstore-read missing (run 'make deps': xenstore-utils)"

xenstore_guest_start 3
sock=$XENSTORED_PATH

for mode in truncated oversized abrupt garbage; do
	"$TOOLS/xs_poke" "$sock" "$mode" || fail "xs_poke $mode could not talk to the socket"
done
"$TOOLS/xs_poke" "$sock" badtype >"$TMP/badtype" || fail "no answer to an unknown message type"
expect_grep "unknown type answered with ENOSYS" '^reply type 16 req_id 7 payload ENOSYS' "$TMP/badtype"

name=$(XENSTORED_PATH="$sock" xenstore-read /local/domain/1/name)
expect_eq "daemon still serves" testguest "$name"
wait "$guest" && status=0 || status=$?
expect_eq "guest exit status" 0 "$status"
expect_grep "guest ran to the end" '^slept [0-9]+ ns of guest time$' "$TMP/out"
expect_grep "truncated header reported" 'xenstore socket client [0-9]+: hung up in the middle of a message; closing' "$TMP/err"
expect_grep "oversized length reported" 'message length 100000 exceeds XENSTORE_PAYLOAD_MAX \(4096\); closing' "$TMP/err"
expect_eq "clients cut off" 4 "$(grep -c 'closing its connection' "$TMP/err")"
[ ! -e "$sock" ] || fail "the socket file was left behind"
