#!/usr/bin/env bash
# The netif offloads on the user backend (libslirp, rootless): the guest's
# TCP sends 64 KiB frames, netback cuts them into segments and fills their
# checksums in software (sim/backends/gso.c) before libslirp sees them.
# examples/httpd sends 10 MB through hostfwd (SHA-256 checked) with the
# offloads on and with gso=0; the capture never holds a frame over 1514 bytes.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
for tool in curl python3 sha256sum; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done

largest_frame() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, big = 24, 0
while off + 16 <= len(d):
    incl, orig = struct.unpack_from("<II", d, off + 8)
    big, off = max(big, orig), off + 16 + incl
print(big)
PY
}

for keys in "" ",gso=0"; do
	port=$(free_port tcp)
	: >"$TMP/out"
	"$BIN/httpd" --vif "user,hostfwd=tcp:127.0.0.1:$port-:80,capture=$TMP/cap.pcap$keys" -- dhcp \
		>"$TMP/out" 2>"$TMP/err" &
	guest=$!
	trap 'kill $guest 2>/dev/null || true; rm -rf "$TMP"' EXIT
	wait_for_line "$TMP/out" '^httpd: listening on TCP port 80$' 30
	got=$(timeout 60 curl -sS "http://127.0.0.1:$port/bytes/10000000" | sha256sum | cut -d' ' -f1)
	expect_eq "10 MB through hostfwd (vif keys '$keys')" "$(httpd_pattern_sha256 10000000)" "$got"
	kill -TERM "$guest"
	wait "$guest" && status=0 || status=$?
	expect_eq "httpd exit status (vif keys '$keys')" 0 "$status"
	big=$(largest_frame "$TMP/cap.pcap")
	[ "$big" -le 1514 ] || fail "vif keys '$keys': a captured frame of $big bytes"
	[ "$big" -ge 1400 ] || fail "vif keys '$keys': the largest captured frame is $big bytes"
	if grep -q "protocol violation" "$TMP/err"; then
		fail "vif keys '$keys': $(cat "$TMP/err")"
	fi
done
