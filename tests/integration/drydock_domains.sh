#!/usr/bin/env bash
# Domains started in the background with `drydock run -d`, found by name:
# list shows them, xenstore reaches their store (the ip libxl writes for a
# vif), console follows their console log, shutdown -w powers one off and
# waits, on_poweroff = "restart" boots it again, destroy stops it at once,
# and a second domain of the same name is refused. Every domain runs echo
# on a null vif (it waits for traffic that never comes) in a runtime
# directory of the test's own.
set -e
. "$(dirname "$0")/lib.sh"
DRYDOCK=$BIN/drydock
export DRYDOCK_RUN_DIR=$TMP/run

cleanup() {
	for d in "$DRYDOCK_RUN_DIR"/*/; do
		[ -e "$d/info" ] || continue
		kill -9 "$(sed -n 's/^pid=//p' "$d/info")" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# alive PID: running, not a zombie left for a parent (a container's init) to reap.
alive() {
	[ -e "/proc/$1/stat" ] && ! grep -Eq '\) [ZX] ' "/proc/$1/stat"
}

cfg() { # cfg NAME [EXTRA LINE]
	cat >"$TMP/$1.cfg" <<CFG
name = "$1"
kernel = "$BIN/echo.xen"
memory = 16
vif = [ 'mac=00:16:3e:00:00:05,ip=10.0.0.2' ]
drydock_vif = [ 'null' ]
${2:-}
CFG
}

cfg web
cfg worker 'on_poweroff = "restart"'
"$DRYDOCK" run -d "$TMP/web.cfg" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "run -d web"; }
expect_grep "run -d says where" "^web: running in the background, pid [0-9]+; console: drydock console web$" "$TMP/out"
"$DRYDOCK" run -d --domid 7 "$TMP/worker.cfg" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; fail "run -d worker"; }

"$DRYDOCK" list >"$TMP/list"
expect_grep "list: web" "^web +1 +[0-9]+ real +[0-9.]+  $DRYDOCK_RUN_DIR/web/xenstore.sock  null,mac=00:16:3e:00:00:05$" "$TMP/list"
expect_grep "list: worker with its domid" "^worker +7 " "$TMP/list"
expect_eq "domains listed" 3 "$(wc -l <"$TMP/list")"

# The same name again is refused, and the running domain's console survives.
set +e
"$DRYDOCK" run -d "$TMP/web.cfg" >"$TMP/out" 2>"$TMP/err"
status=$?
set -e
expect_eq "exit status of a second web" 1 "$status"
expect_grep "second web refused" "^drydock: domain web already exists \(pid [0-9]+" "$TMP/err"

# xenstore: the socket, and Xen's tools through it.
expect_eq "xenstore socket" "$DRYDOCK_RUN_DIR/web/xenstore.sock" "$("$DRYDOCK" xenstore web)"
if command -v xenstore-read >/dev/null; then
	expect_eq "the vif's ip in the backend, as libxl writes it" 10.0.0.2 \
		"$("$DRYDOCK" xenstore worker read /local/domain/0/backend/vif/7/0/ip)"
	"$DRYDOCK" xenstore web ls /local/domain/1 >"$TMP/ls"
	expect_grep "xenstore ls" '^name = "web"' "$TMP/ls"
else
	echo "note: xenstore-utils not installed; the xenstore CMD part is not tested"
fi

# console follows web's log until web ends; shutdown -w waits for that.
wait_for_line "$DRYDOCK_RUN_DIR/web.console" "answering ping" 30
"$DRYDOCK" console web >"$TMP/console" &
console=$!
timeout 30 "$DRYDOCK" shutdown -w web || fail "shutdown -w web"
timeout 10 tail --pid=$console -f /dev/null || fail "console did not end with the domain"
wait $console || fail "console's exit status"
expect_grep "console: the start" "^echo: answering ping and UDP port 7$" "$TMP/console"
expect_grep "console: the end" "^shutdown requested: poweroff$" "$TMP/console"
"$DRYDOCK" list >"$TMP/list"
expect_eq "web gone from the list" "" "$(grep '^web ' "$TMP/list" || true)"
[ ! -e "$DRYDOCK_RUN_DIR/web" ] || fail "web's entry is still in the runtime directory"

# on_poweroff = "restart": the domain boots again, same name, same process.
pid=$(sed -n 's/^pid=//p' "$DRYDOCK_RUN_DIR/worker/info")
"$DRYDOCK" shutdown worker
# Up to 30 s: a busy machine may take seconds to boot the guest again.
for _ in $(seq 600); do
	[ "$(grep -c 'answering ping' "$DRYDOCK_RUN_DIR/worker.console")" = 2 ] && break
	sleep 0.05
done
expect_eq "worker booted twice" 2 "$(grep -c 'answering ping' "$DRYDOCK_RUN_DIR/worker.console")"
expect_grep "restart said" "shut down \(reason 0\): restarting it" "$DRYDOCK_RUN_DIR/worker.console"
for _ in $(seq 600); do [ -e "$DRYDOCK_RUN_DIR/worker/info" ] && break; sleep 0.05; done
expect_eq "worker's pid after the restart" "$pid" "$(sed -n 's/^pid=//p' "$DRYDOCK_RUN_DIR/worker/info")"

# destroy: at once, and the entry goes.
"$DRYDOCK" destroy worker
alive "$pid" && fail "worker's process $pid still runs after destroy"
[ ! -e "$DRYDOCK_RUN_DIR/worker" ] || fail "worker's entry is still in the runtime directory"
set +e
"$DRYDOCK" shutdown worker 2>"$TMP/err"
status=$?
set -e
expect_eq "shutdown of a destroyed domain" 1 "$status"
expect_grep "no such domain" "^drydock: no domain 'worker'" "$TMP/err"

# A stale entry (its process killed) is not listed, and is cleaned up.
"$DRYDOCK" run -d "$TMP/web.cfg" >/dev/null
pid=$(sed -n 's/^pid=//p' "$DRYDOCK_RUN_DIR/web/info")
kill -9 "$pid"
# SIGKILL's exit is not done when kill returns (a busy machine takes longer
# to tear down the simulator's memory): until it is, the entry is not stale.
for _ in $(seq 200); do alive "$pid" || break; sleep 0.05; done
alive "$pid" && fail "web's process $pid still runs 10 s after SIGKILL"
"$DRYDOCK" list >"$TMP/list"
expect_eq "only the header" 1 "$(wc -l <"$TMP/list")"
[ ! -e "$DRYDOCK_RUN_DIR/web" ] || fail "the stale entry of web stayed"
