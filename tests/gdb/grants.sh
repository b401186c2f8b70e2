#!/usr/bin/env bash
# uk grants: the guest's grants, the ring pages among them mapped by the
# simulator (netback) under the references netfront wrote in xenstore, each
# named for what netfront uses it for.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk grants" "echo === xs\n" "uk xs /local/domain/1/device/vif/0" \
	"echo === all\n" "uk grants --all"
section "$TMP/out" "=== xs" >"$TMP/xs"
tx=$(awk '$1 == "tx-ring-ref" {gsub(/"/, "", $3); print $3}' "$TMP/xs")
rx=$(awk '$1 == "rx-ring-ref" {gsub(/"/, "", $3); print $3}' "$TMP/xs")
[ -n "$tx" ] && [ -n "$rx" ] || fail "ring refs not found: $(cat "$TMP/xs")"
expect_grep "the TX ring page, mapped by netback" "^$tx +dom0 +0x[0-9a-f]+ +permit_access\|reading\|writing +dom0 handle [0-9]+ +netfront vif0 tx ring\$" "$TMP/out"
expect_grep "the RX ring page, mapped by netback" "^$rx +dom0 +0x[0-9a-f]+ +permit_access\|reading\|writing +dom0 handle [0-9]+ +netfront vif0 rx ring\$" "$TMP/out"
expect_grep "read-only TX buffers, folded" '^[0-9]+-[0-9]+ +dom0 +0x[0-9a-f]+-0x[0-9a-f]+ +permit_access\|readonly +- +netfront vif0 tx buffer$' "$TMP/out"
expect_grep "writable RX buffers, folded" '^[0-9]+-[0-9]+ +dom0 +0x[0-9a-f]+-0x[0-9a-f]+ +permit_access +- +netfront vif0 rx buffer$' "$TMP/out"
expect_grep "the count" '^514 active of [0-9]+ entries; [0-9]+ free' "$TMP/out"
section "$TMP/out" "=== all" >"$TMP/all"
# 256 TX + 256 RX buffers and the 2 ring pages, one line each.
expect_eq "entries listed with --all" 514 "$(grep -cE '^[0-9]+ +dom0 ' "$TMP/all")"
expect_eq "TX buffers, each named" 256 "$(grep -cE ' +netfront vif0 tx buffer$' "$TMP/all")"
expect_eq "RX buffers, each named" 256 "$(grep -cE ' +netfront vif0 rx buffer$' "$TMP/all")"
echo "PASS"
