#!/usr/bin/env bash
# uk grants: the guest's grants, the ring pages among them mapped by the
# simulator (netback) under the references netfront wrote in xenstore.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk grants" "echo === xs\n" "uk xs /local/domain/1/device/vif/0" \
	"echo === all\n" "uk grants --all"
section "$TMP/out" "=== xs" >"$TMP/xs"
tx=$(awk '$1 == "tx-ring-ref" {gsub(/"/, "", $3); print $3}' "$TMP/xs")
rx=$(awk '$1 == "rx-ring-ref" {gsub(/"/, "", $3); print $3}' "$TMP/xs")
[ -n "$tx" ] && [ -n "$rx" ] || fail "ring refs not found: $(cat "$TMP/xs")"
expect_grep "the TX ring page, mapped by netback" "^$tx +dom0 +0x[0-9a-f]+ +permit_access\|reading\|writing +dom0 handle [0-9]+\$" "$TMP/out"
expect_grep "the RX ring page, mapped by netback" "^$rx +dom0 +0x[0-9a-f]+ +permit_access\|reading\|writing +dom0 handle [0-9]+\$" "$TMP/out"
expect_grep "read-only TX buffers, folded" '^[0-9]+-[0-9]+ +dom0 +0x[0-9a-f]+-0x[0-9a-f]+ +permit_access\|readonly +-$' "$TMP/out"
expect_grep "the count" '^514 active of [0-9]+ entries; [0-9]+ free' "$TMP/out"
section "$TMP/out" "=== all" >"$TMP/all"
# 256 TX + 256 RX buffers and the 2 ring pages, one line each.
expect_eq "entries listed with --all" 514 "$(grep -cE '^[0-9]+ +dom0 ' "$TMP/all")"
echo "PASS"
