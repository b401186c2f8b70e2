#!/bin/bash
# Runs inside the rig's dom0 (rig-init starts it from the 9p share, mounted at /rig).
#
#   /rig/cfg/NAME.cfg     xl configs that tools/xen-rig/run.sh derived (kernel = /rig/images/...)
#   /rig/tests            which tests to run, one per line: "TEST [ARGS]" (run.sh writes it)
#   /rig/out/             results (one "PASS|FAIL|SKIP name: detail" line each, in results),
#                         console logs, xl logs, xl dmesg; run.sh reads them after power-off
#
# Guest consoles are captured by xenconsoled (--log=guest, see rig-init), so no test needs a tty.
set -u
OUT=/rig/out
CFG=/rig/cfg
CONS=/var/log/xen/console
mkdir -p "$OUT"
: > "$OUT/results"

# The guest the running test is about (set by each test before it creates one): a FAIL names
# it in out/failed-guests, and run.sh prints that guest's console and diagnostics (finish).
GUEST=
result() {   # PASS|FAIL|SKIP NAME DETAIL...
  local r=$1 n=$2; shift 2
  echo "$r $n: $*" | tee -a "$OUT/results"
  if [ "$r" = FAIL ] && [ -n "$GUEST" ] && ! grep -qx "$GUEST" "$OUT/failed-guests" 2>/dev/null; then
    echo "$GUEST" >> "$OUT/failed-guests"
  fi
}
log() { echo "dom0-test: $*"; }

# Timeouts are wall-clock ($SECONDS): under TCG every process dom0 starts costs a good part of
# a second, so counting loop rounds would stretch them several times over.
#
# wait_for FILE PATTERN SECONDS [DOMAIN]: until FILE has a line matching PATTERN (grep -E);
# gives up early when DOMAIN is given and no longer exists.
wait_for() {
  local end=$((SECONDS + $3))
  while [ $SECONDS -lt $end ]; do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    if [ -n "${4:-}" ] && ! xl domid "$4" >/dev/null 2>&1; then
      grep -qE -- "$2" "$1" 2>/dev/null
      return
    fi
    sleep 0.5
  done
  return 1
}
# wait_gone NAME SECONDS: until xl knows no domain NAME.
wait_gone() {
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    xl domid "$1" >/dev/null 2>&1 || return 0
    sleep 0.5
  done
  return 1
}
console_of() { echo "$CONS/guest-$1.log"; }
# The shutdown reason xl's domain monitor logged for NAME ("reason code 0" is poweroff).
shutdown_reason() {
  sed -n 's/.*has shut down, reason code \([0-9]*\).*/\1/p' "/var/log/xen/xl-$1.log" 2>/dev/null | tail -1
}
reason_name() {
  case $1 in 0) echo poweroff ;; 1) echo reboot ;; 2) echo suspend ;; 3) echo crash ;;
             4) echo watchdog ;; 5) echo soft_reset ;; '') echo "(none logged)" ;; *) echo "code $1" ;; esac
}
# The domain id xl's domain monitor logged for NAME's last domain.
domid_of() {
  sed -n 's/.*(domid \([0-9]*\)).*/\1/p' "/var/log/xen/xl-$1.log" 2>/dev/null | tail -1
}
# out/NAME.diag: what Xen and xenstored saw of NAME's last domain, for when a test fails: its
# lines in xenstored's access log (its own requests, and dom0's under its paths), Xen's lines
# about it and the tail of `xl dmesg` (a guest's debug-port output is there as "(dN) ...").
diagnose() {   # NAME
  local id; id=$(domid_of "$1")
  {
    echo "domain $1, domid ${id:-unknown}; xl's domain monitor:"
    sed 's/^/  /' "/var/log/xen/xl-$1.log" 2>/dev/null
    if [ -n "$id" ]; then
      echo "xenstored's access log for domid $id (requests from it, and under its paths):"
      grep -E " D$id |/local/domain/$id(/| |\$)|/backend/[a-z]+/$id/" \
        /var/log/xen/xenstored-access.log 2>/dev/null | tail -200 | sed 's/^/  /'
    fi
    echo "xl dmesg, the last 40 lines:"
    xl dmesg 2>&1 | tail -40 | sed 's/^/  /'
  } > "$OUT/$1.diag" 2>&1
}
# Keep what a test left behind, and make sure its domain is gone.
finish() {   # NAME
  rm -f "$OUT/$1.console" "$OUT/$1.xl.log"   # never an earlier guest's of the same name
  cp "$(console_of "$1")" "$OUT/$1.console" 2>/dev/null
  cp "/var/log/xen/xl-$1.log" "$OUT/$1.xl.log" 2>/dev/null
  diagnose "$1"
  if xl domid "$1" >/dev/null 2>&1; then
    log "$1: still there: xl destroy"
    xl destroy "$1"
  fi
}
check_poweroff() {   # TEST NAME
  local code; code=$(shutdown_reason "$2")
  if [ "$code" = 0 ]; then
    result PASS "$1" "xl reports reason poweroff"
  else
    result FAIL "$1" "xl reports reason $(reason_name "$code") (log: out/$2.xl.log)"
  fi
}

# --- tests ---------------------------------------------------------------------------------

test_dom0() {
  if xl info > "$OUT/xl-info.txt" 2>&1; then
    result PASS dom0 "xl info: Xen $(awk -F': ' '/^xen_version/ {print $2}' "$OUT/xl-info.txt"), $(awk -F': ' '/^virt_caps/ {print $2}' "$OUT/xl-info.txt" | tr -s ' '), free $(awk -F': ' '/^free_memory/ {print $2}' "$OUT/xl-info.txt") MB"
  else
    result FAIL dom0 "xl info failed: $(tail -1 "$OUT/xl-info.txt")"
  fi
  xl list > "$OUT/xl-list.txt" 2>&1
}

# The rig's own PVH guest: proves xl create, the PVH boot, console capture and poweroff.
test_selftest() {
  local n=selftest
  GUEST=$n
  if ! timeout 120 xl create -c "$CFG/$n.cfg" < /dev/null > "$OUT/$n.xl-create.txt" 2>&1; then
    result FAIL "$n-create" "xl create failed: $(tail -1 "$OUT/$n.xl-create.txt")"
    finish $n; return
  fi
  wait_gone $n 60
  finish $n
  if grep -q "hello from a PVH domU" "$OUT/$n.console" 2>/dev/null ||
     grep -q "hello from a PVH domU" "$OUT/$n.xl-create.txt"; then
    result PASS "$n-console" "the PVH guest's console line arrived"
  else
    result FAIL "$n-console" "no console line (out/$n.console, out/$n.xl-create.txt)"
  fi
  check_poweroff "$n-shutdown" $n
}

# A vif on br0 whose hotplug script (vif-bridge, run by libxl itself: no udev) must put it on
# the bridge; the guest stays paused, so no frontend is needed.
test_vif_hotplug() {
  local n=selftest-vif
  GUEST=$n
  if ! timeout 120 xl create -p "$CFG/$n.cfg" > "$OUT/$n.xl-create.txt" 2>&1; then
    result FAIL vif-hotplug "xl create -p failed: $(tail -3 "$OUT/$n.xl-create.txt" | tr '\n' ' ')"
    finish $n; return
  fi
  local id; id=$(xl domid $n)
  if ip -o link show master br0 2>/dev/null | grep -q "vif$id\.0"; then
    result PASS vif-hotplug "vif-bridge put vif$id.0 on br0"
  else
    result FAIL vif-hotplug "vif$id.0 is not on br0: $(ip -o link show master br0 | awk '{print $2}' | tr '\n' ' ')"
  fi
  xl destroy $n
  finish $n
}

test_hello() {
  local n=hello c rc=0
  GUEST=$n
  # xl create -c returns when the guest's console goes away, i.e. when the domain has ended.
  timeout 120 xl create -c "$CFG/$n.cfg" < /dev/null > "$OUT/$n.xl-create.txt" 2>&1 || rc=$?
  if [ $rc = 124 ]; then
    result FAIL "$n-end" "the domain was still running after 120 s"
  elif [ $rc != 0 ] && ! xl domid $n >/dev/null 2>&1 && [ ! -s "/var/log/xen/xl-$n.log" ]; then
    result FAIL "$n-create" "xl create failed: $(tail -1 "$OUT/$n.xl-create.txt")"
    finish $n; return
  else
    wait_gone $n 30 || log "$n: still there 30 s after its console closed"
  fi
  finish $n
  c=$OUT/$n.console
  if grep -q "Hello from drydock! This is hello." "$c" 2>/dev/null; then
    result PASS "$n-banner" "Hello from drydock! This is hello."
  else
    result FAIL "$n-banner" "no banner on the console (out/$n.console)"
  fi
  if grep -q "goodbye" "$c" 2>/dev/null; then
    result PASS "$n-goodbye" "$(grep -m1 goodbye "$c" | tr -d '\r')"
  else
    result FAIL "$n-goodbye" "no goodbye on the console (out/$n.console)"
  fi
  check_poweroff "$n-shutdown" $n
}

test_greeting() {
  local n=hello-wait c id greeting="hello from dom0 $$-$RANDOM"
  GUEST=$n
  c=$(console_of $n)
  if ! timeout 120 xl create "$CFG/$n.cfg" > "$OUT/$n.xl-create.txt" 2>&1; then
    result FAIL greeting "xl create failed: $(tail -1 "$OUT/$n.xl-create.txt")"
    finish $n; return
  fi
  if ! wait_for "$c" "waiting for data/greeting" 90 $n; then
    result FAIL greeting "the guest never said it was waiting (out/$n.console; $(xl domid $n >/dev/null 2>&1 && echo still running || echo it ended))"
    finish $n; return
  fi
  id=$(xl domid $n)
  xenstore-write "/local/domain/$id/data/greeting" "$greeting"
  if wait_for "$c" "greeting: $greeting" 30 $n; then
    result PASS greeting "xenstore-write /local/domain/$id/data/greeting: the guest printed it"
  else
    result FAIL greeting "the guest did not print '$greeting' (out/$n.console)"
  fi
  timeout 90 xl shutdown -w $n > "$OUT/$n.xl-shutdown.txt" 2>&1
  if wait_gone $n 30; then
    result PASS greeting-shutdown "xl shutdown: the domain ended"
  else
    result FAIL greeting-shutdown "still running 120 s after xl shutdown"
  fi
  finish $n
  check_poweroff greeting-poweroff $n
}

test_echo() {
  local n=echo c ok=0 loss
  GUEST=$n
  c=$(console_of $n)
  if ! timeout 120 xl create "$CFG/$n.cfg" > "$OUT/$n.xl-create.txt" 2>&1; then
    result FAIL echo-create "xl create failed: $(tail -3 "$OUT/$n.xl-create.txt" | tr '\n' ' ')"
    finish $n; return
  fi
  # Until the stack is up and ARP resolved: one reply within 90 s.
  local end=$((SECONDS + 90))
  while [ $SECONDS -lt $end ] && xl domid $n >/dev/null 2>&1; do
    if ping -c 1 -W 1 10.0.0.2 > /dev/null 2>&1; then ok=1; break; fi
  done
  if [ $ok = 1 ]; then
    ping -c 20 -i 0.2 -W 2 10.0.0.2 > "$OUT/echo.ping.txt" 2>&1
    loss=$(grep -o '[0-9.]*% packet loss' "$OUT/echo.ping.txt")
    if [ "$loss" = "0% packet loss" ]; then
      result PASS echo-ping "20 pings from dom0 over br0: $(grep -E 'transmitted|rtt' "$OUT/echo.ping.txt" | tr '\n' ' ')"
    else
      result FAIL echo-ping "${loss:-no ping summary} (out/echo.ping.txt)"
    fi
  else
    result FAIL echo-ping "no reply from 10.0.0.2 within 90 s (out/$n.console; $(xl domid $n >/dev/null 2>&1 && echo still running || echo it ended))"
  fi
  if [ $ok = 1 ]; then
    # Full-size frames: 1472 bytes of ICMP payload make 1514-byte Ethernet frames.
    ping -c 10 -i 0.2 -W 2 -s 1472 -M do 10.0.0.2 > "$OUT/echo.ping-large.txt" 2>&1
    loss=$(grep -o '[0-9.]*% packet loss' "$OUT/echo.ping-large.txt")
    if [ "$loss" = "0% packet loss" ]; then
      result PASS echo-ping-large "10 pings of 1472 bytes (1514-byte frames), 0% loss"
    else
      result FAIL echo-ping-large "${loss:-no ping summary} (out/echo.ping-large.txt)"
    fi
  fi
  timeout 90 xl shutdown -w $n > "$OUT/$n.xl-shutdown.txt" 2>&1
  wait_gone $n 30
  finish $n
  check_poweroff echo-shutdown $n
}

# blkfront against Linux's blkback: kvstore puts 20 keys on a file-backed disk (xl's disk=,
# a loop device under it), dom0 finds the records in the file after the guest has ended, and a
# second guest on the same file recovers all 20.
test_disk() {
  local img=/tmp/kvstore.img rc n
  # xl's block script puts a file on a loop device; rig-init loads no modules.
  modprobe loop 2>/dev/null || true
  rm -f $img
  truncate -s 4M $img
  for n in kvstore kvstore-verify; do
    rc=0
    GUEST=$n
    timeout 180 xl create -c "$CFG/$n.cfg" < /dev/null > "$OUT/$n.xl-create.txt" 2>&1 || rc=$?
    if [ $rc = 124 ]; then
      result FAIL "$n-end" "the domain was still running after 180 s"
    elif [ $rc != 0 ] && [ ! -s "/var/log/xen/xl-$n.log" ]; then
      result FAIL "$n-create" "xl create failed: $(tail -3 "$OUT/$n.xl-create.txt" | tr '\n' ' ')"
      finish $n; return
    fi
    wait_gone $n 30
    finish $n
    if [ $n = kvstore ]; then
      if grep -q "powercut-ack 20" "$OUT/$n.console" 2>/dev/null; then
        result PASS disk-write "the guest wrote and flushed 20 records through blkfront"
      else
        result FAIL disk-write "no 'powercut-ack 20' on the console (out/$n.console)"
      fi
      if [ "$(dd if=$img bs=512 skip=19 count=1 2>/dev/null | head -c 4)" = KVR1 ] &&
         dd if=$img bs=512 skip=19 count=1 2>/dev/null | grep -aq 'value-19-'; then
        result PASS disk-image "dom0 reads record 19 (k19's value) in sector 19 of the file"
      else
        result FAIL disk-image "sector 19 of the file does not hold record 19"
      fi
    elif grep -q "all 20 acknowledged keys recovered" "$OUT/$n.console" 2>/dev/null; then
      result PASS disk-read "a second guest recovered all 20 keys from the file"
    else
      result FAIL disk-read "no recovery line on the console (out/$n.console)"
    fi
    check_poweroff "$n-shutdown" $n
  done
}

# TCP against Linux's netback: httpd on br0 serves GET /bytes/N (the guest sends: netfront's
# transmit path) and answers POST /sha256 (the guest receives), both checked by SHA-256 in dom0.
# Run twice: with the offloads netback offers (feature-sg, feature-gso-tcpv4, checksum offload),
# and with them withdrawn: the domain is created paused and dom0 overwrites netback's feature
# keys before the guest reads them, so netfront sees a backend without offloads (xl's vif
# config has no switch for them). netback counts each frame it takes from the guest once in
# vifN.0's rx_packets (xenvif_tx_submit), a 64 KiB TSO frame as one: with the offloads the
# download must take fewer frames than full 1514-byte ones would need; without them at least
# that many, of 1514 bytes or less on average.
HTTPD_BYTES=4194304
HTTPD_PATTERN=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
vif_stat() { cat "/sys/class/net/$1/statistics/$2" 2>/dev/null || echo 0; }

test_httpd_one() {   # NAME on|off
  local n=$1 mode=$2 id be vif end ok=0 p0 b0 pk by got want want_dl rc
  GUEST=$n
  if ! timeout 120 xl create -p "$CFG/$n.cfg" > "$OUT/$n.xl-create.txt" 2>&1; then
    result FAIL "$n-create" "xl create failed: $(tail -3 "$OUT/$n.xl-create.txt" | tr '\n' ' ')"
    finish $n; return
  fi
  id=$(xl domid $n)
  be=/local/domain/0/backend/vif/$id/0
  vif=vif$id.0
  if [ "$mode" = off ]; then
    xenstore-write "$be/feature-sg" 0 "$be/feature-gso-tcpv4" 0 "$be/feature-gso-tcpv6" 0 \
      "$be/feature-ipv6-csum-offload" 0 "$be/feature-no-csum-offload" 1
  fi
  xenstore-ls -f "$be" > "$OUT/$n.backend-keys.txt" 2>&1
  xl unpause $n
  # Until the stack is up and ARP resolved: one answer within 90 s.
  end=$((SECONDS + 90))
  while [ $SECONDS -lt $end ] && xl domid $n >/dev/null 2>&1; do
    if curl -s -m 3 -o /dev/null http://10.0.0.2/; then ok=1; break; fi
    sleep 0.5
  done
  if [ $ok = 0 ]; then
    result FAIL "$n-download" "no HTTP answer from 10.0.0.2 within 90 s (out/$n.console; $(xl domid $n >/dev/null 2>&1 && echo still running || echo it ended))"
    finish $n; return
  fi
  xenstore-ls -f "/local/domain/$id/device/vif/0" > "$OUT/$n.frontend-keys.txt" 2>&1

  p0=$(vif_stat $vif rx_packets) b0=$(vif_stat $vif rx_bytes)
  rc=0
  curl -s -S -m 300 -o /tmp/$n.down -w '%{http_code} %{size_download} B in %{time_total} s\n' \
    "http://10.0.0.2/bytes/$HTTPD_BYTES" > "$OUT/$n.download.txt" 2>&1 || rc=$?
  pk=$(( $(vif_stat $vif rx_packets) - p0 )) by=$(( $(vif_stat $vif rx_bytes) - b0 ))
  ethtool -S $vif > "$OUT/$n.ethtool.txt" 2>&1
  got=$(sha256sum < /tmp/$n.down 2>/dev/null | cut -d' ' -f1)
  want=$(yes "$HTTPD_PATTERN" | tr -d '\n' | head -c $HTTPD_BYTES | sha256sum | cut -d' ' -f1)
  want_dl=$want
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then
    result PASS "$n-download" "GET /bytes/$HTTPD_BYTES: SHA-256 matches; $(tr -d '\n' < "$OUT/$n.download.txt")"
  else
    result FAIL "$n-download" "GET /bytes/$HTTPD_BYTES: curl status $rc, $(stat -c %s /tmp/$n.down 2>/dev/null || echo no) bytes, SHA-256 ${got:-none} (want $want; out/$n.download.txt)"
  fi
  # netback's view of what the guest sent during the download: $pk frames, $by bytes.
  local mtu_frames=$(( HTTPD_BYTES / 1460 ))   # full 1514-byte frames (MSS 1460)
  if [ "$pk" -le 0 ]; then
    result FAIL "$n-frames" "$vif counted no frames from the guest"
  elif [ "$mode" = on ] && [ "$pk" -lt "$mtu_frames" ]; then
    result PASS "$n-frames" "TSO: netback took $pk frames, $((by / pk)) bytes each on average, for what needs $mtu_frames MTU-sized ones"
  elif [ "$mode" = off ] && [ $((by / pk)) -le 1514 ] && [ "$pk" -ge "$mtu_frames" ]; then
    result PASS "$n-frames" "no offloads: netback took $pk frames, $((by / pk)) bytes each on average"
  else
    result FAIL "$n-frames" "offloads $mode: netback took $pk frames of $((by / pk)) bytes on average (MTU-sized: $mtu_frames; keys: out/$n.frontend-keys.txt, out/$n.backend-keys.txt)"
  fi
  rm -f /tmp/$n.down

  head -c $HTTPD_BYTES /dev/urandom > /tmp/$n.up
  want=$(sha256sum < /tmp/$n.up | cut -d' ' -f1)
  rc=0
  got=$(curl -s -S -m 300 --data-binary @/tmp/$n.up -H 'Content-Type: application/octet-stream' \
    http://10.0.0.2/sha256 2> "$OUT/$n.upload.txt") || rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then
    result PASS "$n-upload" "POST /sha256 of $HTTPD_BYTES random bytes: the guest's SHA-256 matches"
  else
    result FAIL "$n-upload" "POST /sha256: curl status $rc, answer '${got:0:80}', want $want (out/$n.upload.txt)"
  fi
  rm -f /tmp/$n.up
  test_httpd_routed $n "$want_dl" $vif $mode
  timeout 90 xl shutdown -w $n > "$OUT/$n.xl-shutdown.txt" 2>&1
  wait_gone $n 30
  finish $n
  check_poweroff "$n-shutdown" $n
}

# The checksums the guest left blank, completed by Linux: a network namespace "peer" behind a
# veth whose transmit checksum offload is off, reached through dom0's routing (the guest's gw is
# 10.0.0.1). dom0 forwards the guest's TSO frames to it, so Linux cuts them and computes each
# segment's checksum in software from the pseudo-header sum the guest put in the checksum
# field (skb_checksum_help); peer's own TCP then verifies every segment (InCsumErrors).
PEER_NS=
setup_peer_ns() {
  modprobe veth 2>/dev/null || true
  if ip netns add peer &&
     ip link add vpeer0 type veth peer name vpeer1 && ip link set vpeer1 netns peer &&
     ip addr add 10.0.1.1/24 dev vpeer0 && ip link set vpeer0 up &&
     ip -n peer link set lo up && ip -n peer addr add 10.0.1.2/24 dev vpeer1 &&
     ip -n peer link set vpeer1 up && ip -n peer route add default via 10.0.1.1 &&
     echo 1 > /proc/sys/net/ipv4/ip_forward &&
     ethtool -K vpeer0 tx off sg off tso off gso off > /dev/null 2>&1 &&
     ethtool -k vpeer0 | grep -q '^tx-checksumming: off'; then
    PEER_NS=ok
  else
    PEER_NS="setting up namespace peer behind veth vpeer0 failed"
  fi
}
peer_tcp_csum_errors() {
  ip netns exec peer awk '/^Tcp:/ { if (!k) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") k = i }
                                    else print $k }' /proc/net/snmp
}

test_httpd_routed() {   # NAME WANT_SHA256 VIF on|off
  local n=$1 want=$2 vif=$3 mode=$4 e0 e1 p0 pk v0 vk got rc=0 large
  if [ "$PEER_NS" != ok ]; then
    result FAIL "$n-routed" "$PEER_NS"
    return
  fi
  e0=$(peer_tcp_csum_errors)
  p0=$(ip netns exec peer cat /sys/class/net/vpeer1/statistics/rx_packets)
  v0=$(vif_stat $vif rx_packets)
  ip netns exec peer curl -s -S -m 300 -o /tmp/$n.routed "http://10.0.0.2/bytes/$HTTPD_BYTES" \
    > "$OUT/$n.routed.txt" 2>&1 || rc=$?
  e1=$(peer_tcp_csum_errors)
  pk=$(( $(ip netns exec peer cat /sys/class/net/vpeer1/statistics/rx_packets) - p0 ))
  vk=$(( $(vif_stat $vif rx_packets) - v0 ))
  # With the offloads, what Linux checksummed must have come as large segments.
  large=yes
  [ "$mode" = off ] || [ "$vk" -lt $(( HTTPD_BYTES / 1460 )) ] || large=no
  got=$(sha256sum < /tmp/$n.routed 2>/dev/null | cut -d' ' -f1)
  rm -f /tmp/$n.routed
  if [ $rc = 0 ] && [ "$got" = "$want" ] && [ "$e1" = "$e0" ] && [ -n "$e0" ] && [ $large = yes ]; then
    result PASS "$n-routed" "GET /bytes/$HTTPD_BYTES from namespace peer, routed by dom0 and checksummed by Linux in software: SHA-256 matches, $vk frames from the guest became $pk, no TCP checksum errors"
  else
    result FAIL "$n-routed" "GET /bytes/$HTTPD_BYTES from namespace peer: curl status $rc, SHA-256 ${got:-none} (want $want), peer's TCP InCsumErrors ${e0:-?} -> ${e1:-?}, $vk frames from the guest (large segments: $large) (out/$n.routed.txt)"
  fi
}

test_httpd() {
  setup_peer_ns
  test_httpd_one httpd on
  test_httpd_one httpd-nooffload off
}

# The vCPU's idle, raced by events. drydock's idle loop checks for a pending event with
# interrupts off, then runs "sti; hlt" (runtime/platform/xen/platform.c); Xen's hvm_hlt takes a
# hlt with interrupts off as the guest's last vCPU going down and powers the domain off
# (hvm_vcpu_down: SHUTDOWN_poweroff, silently in a release build). bench-xenstore-guest waits
# for xenstored's answer to each of its reads there, so each answer is a chance for an event
# to arrive between the check and the hlt. It must print its count and power off by itself.
test_idle() {   # RUNS
  local n=idle i rc want
  want=$(sed -n 's/^extra = "\([0-9]*\)"/\1/p' "$CFG/$n.cfg")
  for i in $(seq 1 "${1:-1}"); do
    rc=0
    GUEST=$n
    rm -f "$(console_of $n)"   # xenconsoled appends: each run its own console
    timeout 300 xl create -c "$CFG/$n.cfg" < /dev/null > "$OUT/$n.xl-create.txt" 2>&1 || rc=$?
    if [ $rc = 124 ]; then
      result FAIL "$n-end" "run $i: the domain was still running after 300 s"
    elif [ $rc != 0 ] && [ ! -s "/var/log/xen/xl-$n.log" ]; then
      result FAIL "$n-create" "xl create failed: $(tail -3 "$OUT/$n.xl-create.txt" | tr '\n' ' ')"
      finish $n; return
    fi
    wait_gone $n 30
    finish $n
    if grep -q "reads=$want " "$OUT/$n.console" 2>/dev/null; then
      result PASS "$n-wakeups" "run $i: $want xenstore reads, each an idle wait: $(grep -m1 '^guest xenbus_read' "$OUT/$n.console" | tr -d '\r')"
    else
      # Kept apart: the next run's finish overwrites out/$n.*.
      GUEST=$n-run$i
      cp "$OUT/$n.console" "$OUT/$GUEST.console" 2>/dev/null
      cp "$OUT/$n.diag" "$OUT/$GUEST.diag" 2>/dev/null
      result FAIL "$n-wakeups" "run $i: no 'reads=$want' on the console: the guest ended early (out/$GUEST.console)"
    fi
    check_poweroff "$n-shutdown" $n
  done
}

# --- main ----------------------------------------------------------------------------------

log "starting; $(nproc) CPU(s), $(awk '/MemTotal/ {print $2/1024 " MB"}' /proc/meminfo)"
ip link add br0 type bridge 2>/dev/null
ip addr add 10.0.0.1/24 dev br0 2>/dev/null
ip link set br0 up

# The list on fd 3: a test's commands must not read it from their stdin.
while read -r -u 3 t args; do
  [ -n "$t" ] || continue
  start=$(date +%s)
  log "test $t"
  GUEST=
  case $t in
    dom0) test_dom0 ;;
    selftest) test_selftest ;;
    vif-hotplug) test_vif_hotplug ;;
    hello) test_hello ;;
    greeting) test_greeting ;;
    echo) test_echo ;;
    disk) test_disk ;;
    httpd) test_httpd ;;
    idle) test_idle $args ;;
    skip) result SKIP $args ;;
    cmd) if /rig/cmd.sh > "$OUT/cmd.txt" 2>&1; then result PASS cmd "exit status 0"
         else result FAIL cmd "exit status $?"; fi ;;
    *) result FAIL "$t" "unknown test" ;;
  esac < /dev/null
  log "test $t took $(( $(date +%s) - start )) s"
done 3< /rig/tests

xl dmesg > "$OUT/xl-dmesg.txt" 2>&1
cp -r /var/log/xen "$OUT/var-log-xen" 2>/dev/null
echo "DONE" >> "$OUT/results"
sync
