#!/usr/bin/env bash
# examples/httpd on the user backend (libslirp, rootless): curl on the host
# fetches the page and 10 MB through hostfwd=tcp:127.0.0.1:PORT-:80, and
# posts 10 MB to /sha256, as the README's `make demo` line does.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
for tool in curl python3 sha256sum; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
port=$(free_port tcp)
touch "$TMP/out"
"$BIN/httpd" --vif "user,hostfwd=tcp:127.0.0.1:$port-:80" -- dhcp >"$TMP/out" 2>"$TMP/err" &
guest=$!
trap 'kill $guest 2>/dev/null || true; rm -rf "$TMP"' EXIT
wait_for_line "$TMP/out" '^httpd: listening on TCP port 80$' 30
url=http://127.0.0.1:$port
timeout 20 curl -sS "$url/" >"$TMP/page" || fail "curl through hostfwd"
expect_grep "the page" '<h1>Hello from a drydock unikernel</h1>' "$TMP/page"
got=$(timeout 60 curl -sS "$url/bytes/10000000" | sha256sum | cut -d' ' -f1)
expect_eq "10 MB through hostfwd" "$(httpd_pattern_sha256 10000000)" "$got"
head -c 10000000 /dev/urandom >"$TMP/up"
expect_eq "10 MB posted through hostfwd" "$(sha256sum <"$TMP/up" | cut -d' ' -f1)" \
	"$(timeout 60 curl -sS --data-binary @"$TMP/up" "$url/sha256")"
kill -TERM "$guest"
wait "$guest" && status=0 || status=$?
expect_eq "httpd exit status after SIGTERM" 0 "$status"
