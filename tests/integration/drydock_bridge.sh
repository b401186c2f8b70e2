#!/usr/bin/env bash
# bridge= in an xl.cfg vif, as Xen's vif-bridge script does it: the vif's TAP
# device (vif<domid>.<N>) joins the bridge and comes up, and the guest
# answers a ping from the bridge's address. All inside a network namespace
# of the test's own; a bridge that does not exist fails the start in one
# line.
set -e
. "$(dirname "$0")/lib.sh"
DRYDOCK=$BIN/drydock
export DRYDOCK_RUN_DIR=$TMP/run

netns_create "ddbr$$"
ip -n "$NS" link add br0 type bridge 2>"$TMP/err" || skip "cannot create a bridge: $(cat "$TMP/err")"
ip -n "$NS" addr add 10.0.0.1/24 dev br0
ip -n "$NS" link set br0 up

cat >"$TMP/br.cfg" <<CFG
name = "br"
kernel = "$BIN/echo.xen"
vif = [ 'mac=00:16:3e:00:00:07,bridge=br0,ip=10.0.0.2' ]
CFG
ip netns exec "$NS" "$DRYDOCK" run -d "$TMP/br.cfg" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "run -d"; }
wait_for_line "$DRYDOCK_RUN_DIR/br.console" "answering ping"
ip -n "$NS" -o link show vif1.0 >"$TMP/link"
expect_grep "vif1.0 on the bridge" "master br0" "$TMP/link"
expect_grep "vif1.0 up" "<[^>]*,UP[,>]" "$TMP/link"
ip netns exec "$NS" ping -c 1 -W 5 10.0.0.2 >"$TMP/ping" || { cat "$TMP/ping" "$DRYDOCK_RUN_DIR/br.console"; fail "no answer to ping through the bridge"; }
timeout 30 "$DRYDOCK" shutdown -w br || fail "shutdown -w"

sed -i 's/bridge=br0/bridge=nosuch/' "$TMP/br.cfg"
set +e
ip netns exec "$NS" "$DRYDOCK" run "$TMP/br.cfg" >"$TMP/out" 2>"$TMP/err"
status=$?
set -e
expect_eq "exit status with a missing bridge" 1 "$status"
expect_grep "missing bridge" "br.cfg: vif 0: bridge=nosuch: cannot add vif1.0 to bridge nosuch: no such bridge$" "$TMP/err"
