#!/usr/bin/env bash
# examples/httpd over a TAP in the test's own namespace with the simulator's
# impairment on the vif (docs/networking.md "Impairment"), SHA-256 checked:
# with loss=5%,reorder=2%,dup=1% in both directions a 100 MB upload and a
# 100 MB download (the guest sends with RACK-TLP, net/tcp_rack.c: a lost
# retransmission or a tail loss costs a round trip or two, not the 200 ms
# RTO, so the download must finish within 90 s; it takes about 30 s here),
# then 100 MB each way through a link limited to rate=200 Mbit/s (which must
# take at least the time the rate allows). All traffic stays in the namespace.
set -e
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/httpd_lib.sh"
need_tools curl python3 sha256sum
httpd_tap_ns "drydock-httpdi-$$"
head -c 104857600 /dev/urandom >"$TMP/up"

# 1. Loss, reordering and duplication. The counters show they happened.
httpd_start "$TMP/out" tap=dd0,loss=5%,reorder=2%,dup=1% --seed 11 --
start=$(date +%s%N)
upload_check "100 MB upload under loss" "$TMP/up" 200
echo "loss: 100 MB upload in $((($(date +%s%N) - start) / 1000000)) ms"
start=$(date +%s%N)
download_check "100 MB download under loss" 104857600 90
echo "loss: 100 MB download in $((($(date +%s%N) - start) / 1000000)) ms"
httpd_stop
expect_eq "exit status (loss)" 0 "$status"

# 2. A 200 Mbit/s link: 100 MB (838.9 Mbit) take at least 4.2 s each way.
httpd_start "$TMP/out2" tap=dd0,rate=200 --
start=$(date +%s%N)
upload_check "100 MB upload at 200 Mbit/s" "$TMP/up" 120
download_check "100 MB download at 200 Mbit/s" 104857600 120
ms=$((($(date +%s%N) - start) / 1000000))
echo "200 Mbit/s: 2 x 100 MB in $ms ms"
[ "$ms" -ge 8000 ] || fail "2 x 100 MB through a 200 Mbit/s link took $ms ms, under the 8.4 s the rate allows"
httpd_stop
expect_eq "exit status (rate)" 0 "$status"
