#!/usr/bin/env bash
# uk rings: both sides' indexes of the netif rings match the guest's own
# counters (netfront's frames sent, the stack's frames sent) and the
# simulator's (the vif's frames from the guest); xenstore and console too.
. "$(dirname "$0")/lib.sh"
nf='((struct netfront *)((struct net_if *)'"'"'net/netif.c'"'"'::ifs.head)->nf)'
gdb_run "$TMP/out" exit -- "uk rings" \
	"echo === tx\n" "uk rings netif0 tx --slots" \
	"echo === counters\n" "p/d $nf->stats.tx_frames" \
	"p/d ((struct net_if *)'net/netif.c'::ifs.head)->stats.tx_frames" \
	"p/d current_domain->vifs[0]->stats.from_guest_frames" \
	"p/d 'xenbus_ring.c'::R.next_req_id" "p/d current_domain->xs_ring.requests"
section "$TMP/out" "=== counters" >"$TMP/counters"
sent=$(sed -n 's/^\$1 = //p' "$TMP/counters")
[ "$sent" -gt 0 ] 2>/dev/null || fail "netfront sent no frame: $(cat "$TMP/counters")"
expect_eq "the stack's frames sent" "$sent" "$(sed -n 's/^\$2 = //p' "$TMP/counters")"
expect_eq "the vif's frames from the guest" "$sent" "$(sed -n 's/^\$3 = //p' "$TMP/counters")"
expect_grep "TX shared indexes: one request and response per frame" \
	"^  shared +req_prod $sent +req_event [0-9]+ +rsp_prod $sent " "$TMP/out"
# netfront takes TX responses in only once half the ring is in use (netfront_tx.c).
expect_grep "TX frontend indexes" "^  frontend +req_prod_pvt $sent +rsp_cons 0 " "$TMP/out"
expect_grep "TX responses answered, not yet taken in" \
	"^  outstanding: 0 requests not yet taken by the backend, $sent responses not yet taken by the frontend, 0 requests without a response" "$TMP/out"
expect_grep "TX backend indexes" "^  backend +req_cons $sent +rsp_prod_pvt $sent " "$TMP/out"
expect_grep "RX: every buffer posted, none used" '^  shared +req_prod 256 +req_event [0-9]+ +rsp_prod 0 ' "$TMP/out"
expect_grep "netfront's counters" "^  netfront: tx_frames $sent, " "$TMP/out"
section "$TMP/out" "=== tx" >"$TMP/tx"
expect_grep "--slots: the responses not yet taken in decoded" "^    rsp $((sent - 1)) \(slot $((sent - 1))\): id [0-9]+ status 0\$" "$TMP/tx"
expect_no_grep "only the TX ring" '^netif0 rx' "$TMP/tx"
served=$(sed -n 's/^\$5 = //p' "$TMP/counters")
expect_eq "xenstore requests: the guest's ids and the simulator's count" "$served" "$(sed -n 's/^\$4 = //p' "$TMP/counters")"
expect_grep "xenstore ring, both sides" "^  simulator: $served requests served, 0 reply bytes queued" "$TMP/out"
expect_grep "xenstore ring, all consumed" '^  req +req_cons ([0-9]+) +req_prod \1 +\(0 bytes waiting' "$TMP/out"
expect_grep "console ring" '^  out +out_cons ([0-9]+) +out_prod \1 ' "$TMP/out"
echo "PASS"
