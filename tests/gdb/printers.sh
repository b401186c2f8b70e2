#!/usr/bin/env bash
# Pretty-printers: IPv4 addresses, MACs, grant references, threads, sockets.
. "$(dirname "$0")/lib.sh"
nif="((struct net_if *)'net/netif.c'::ifs.head)"
gdb_run "$TMP/out" exit -- "p $nif->cfg.addr" "p $nif->link" \
	"p ((struct netfront *)$nif->nf)->tx_ring_page.gref" "p *'sched.c'::S.all" \
	"p *'udp.c'::udp_bound"
expect_grep "ip4_addr_t" '^\$1 = 10\.0\.0\.2$' "$TMP/out"
expect_grep "a MAC in struct net_link" '^\$2 = \{.*mac = 00:16:3e:00:01:00, mtu = 1500, .*\}$' "$TMP/out"
expect_grep "grant_ref_t with its entry" '^\$3 = gref [0-9]+ \(dom0, frame 0x[0-9a-f]+, flags 0x[0-9a-f]+\)$' "$TMP/out"
expect_grep "struct uk_thread" "^\\\$4 = thread 5 'netfront-rx0' blocked, rsp 0x[0-9a-f]+\$" "$TMP/out"
expect_grep "struct net_socket" '^\$5 = udp 0\.0\.0\.0:7, 0 queued$' "$TMP/out"
echo "PASS"
