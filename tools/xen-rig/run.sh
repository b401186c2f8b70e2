#!/usr/bin/env bash
# The Xen rig: boots Debian's Xen 4.17 with a Debian 12 dom0 inside qemu-system-x86_64 (TCG)
# and runs drydock's PVH images there as domUs with xl. `make test-xen` runs this.
#
#   tools/xen-rig/run.sh [options]
#     --images DIR     where NAME.xen and NAME.cfg are (default build/xen; env XEN_RIG_IMAGES)
#     --only T[,T...]  run only these tests (dom0 selftest vif-hotplug hello greeting echo
#                      disk httpd idle)
#     --cmd 'CMD'      run a shell command in dom0 instead of the tests, print its output
#     --require LIST   fail when one of these images is missing (env XEN_RIG_REQUIRE; default
#                      "hello echo kvstore httpd" when the images' directory exists, else "":
#                      skip their tests)
#     --timeout S      kill QEMU after S seconds (default 900; env XEN_RIG_TIMEOUT)
#     --prepare        only prepare (download, debootstrap, make the disk image) and stop
#   env XEN_RIG_VERBOSE=1 shows the whole serial console while it runs.
#
# Prepared files are cached in build/xen-rig/ (see prepare.sh); each run gets a fresh share
# build/xen-rig/share/ (test script, configs, images, results in out/) and a serial log
# build/xen-rig/serial.log. dom0's disk is used with snapshot=on: a run never changes it.
# Exit status: 0 when every check passed (skips allowed unless --require), 1 otherwise.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${XEN_RIG_DIR:-$ROOT/build/xen-rig}
IMAGES=${XEN_RIG_IMAGES:-$ROOT/build/xen}
TIMEOUT=${XEN_RIG_TIMEOUT:-900}
REQUIRE=${XEN_RIG_REQUIRE-unset}
ONLY=
CMD=
PREPARE_ONLY=0
# How many xenstore reads the idle check's guest makes (each one an idle wait for an event).
IDLE_READS=${XEN_RIG_IDLE_READS:-10000}
IDLE_RUNS=${XEN_RIG_IDLE_RUNS:-1}

while [ $# -gt 0 ]; do
  case $1 in
    --images) IMAGES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --cmd) CMD=$2; shift 2 ;;
    --require) REQUIRE=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --prepare) PREPARE_ONLY=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "xen-rig: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

log() { printf 'xen-rig: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
t_start=$(date +%s)
"$HERE/prepare.sh"
t_prepared=$(date +%s)
log "prepared in $((t_prepared - t_start)) s"
[ "$PREPARE_ONLY" = 1 ] && exit 0

# --- the rig's own PVH guest (a few hundred bytes; seconds to build) -----------------------
ST=$OUT/selftest
mkdir -p "$ST"
CFLAGS="-m32 -ffreestanding -fno-pic -fno-pie -nostdinc -O2 -fno-stack-protector
        -fno-asynchronous-unwind-tables -Wall -Wextra"
gcc $CFLAGS -c "$HERE/selftest/entry.S" -o "$ST/entry.o"
gcc $CFLAGS -c "$HERE/selftest/selftest.c" -o "$ST/selftest.o"
ld -m elf_i386 -nostdlib -static -T "$HERE/selftest/selftest.ld" "$ST/entry.o" "$ST/selftest.o" -o "$ST/selftest.xen"

# --- the share: test script, configs, images, the test list --------------------------------
SHARE=$OUT/share
rm -rf "$SHARE"
mkdir -p "$SHARE/cfg" "$SHARE/images" "$SHARE/out"
install -m 755 "$HERE/dom0-test.sh" "$SHARE/dom0-test.sh"
cp "$ST/selftest.xen" "$SHARE/images/"

# derive_cfg SRC_CFG NAME IMAGE VIF EXTRA: an xl config for the rig from the image's own one,
# with name, kernel (the share's copy), vif and extra replaced, tsc_mode = "native" (Xen under
# TCG needs it) and every on_* = destroy (a test must never leave a domain behind).
derive_cfg() {
  local src=$1 name=$2 image=$3 vif=$4 extra=$5
  {
    echo "# derived by tools/xen-rig/run.sh from ${src:-nothing}"
    if [ -n "$src" ]; then
      # Drop the keys set below, including values that continue over several lines.
      awk '
        skip { depth += gsub(/\[/, "[") - gsub(/\]/, "]"); if (depth <= 0) skip = 0; next }
        /^[ \t]*(name|kernel|vif|extra|tsc_mode|on_poweroff|on_reboot|on_crash)[ \t]*=/ {
          depth = gsub(/\[/, "[") - gsub(/\]/, "]"); if (depth > 0) skip = 1; next }
        { print }' "$src"
    fi
    grep -qE '^[ \t]*type[ \t]*=' "${src:-/dev/null}" 2>/dev/null || echo 'type = "pvh"'
    grep -qE '^[ \t]*memory[ \t]*=' "${src:-/dev/null}" 2>/dev/null || echo 'memory = 32'
    echo "name = \"$name\""
    echo "kernel = \"/rig/images/$image\""
    echo "vif = [ $vif ]"
    echo "extra = \"$extra\""
    echo 'tsc_mode = "native"'
    echo 'on_poweroff = "destroy"'
    echo 'on_reboot = "destroy"'
    echo 'on_crash = "destroy"'
  } > "$SHARE/cfg/$name.cfg"
}

derive_cfg "" selftest selftest.xen "" ""
derive_cfg "" selftest-vif selftest.xen "'bridge=br0'" ""

have_image() {   # NAME: copies NAME.xen into the share when it and NAME.cfg exist
  [ -f "$IMAGES/$1.xen" ] && [ -f "$IMAGES/$1.cfg" ] || return 1
  cp "$IMAGES/$1.xen" "$SHARE/images/"
}

# Once the xen build has run (the images' directory exists), an image missing from it is a
# failure; before that, its tests are skipped.
if [ "$REQUIRE" = unset ]; then
  if [ -d "$IMAGES" ] && [ -z "$ONLY$CMD" ]; then REQUIRE="hello echo kvstore httpd"; else REQUIRE=""; fi
fi

tests=(dom0 selftest vif-hotplug)
missing=()
if have_image hello; then
  derive_cfg "$IMAGES/hello.cfg" hello hello.xen "" ""
  derive_cfg "$IMAGES/hello.cfg" hello-wait hello.xen "" "wait"
  tests+=(hello greeting)
else
  missing+=(hello)
  tests+=("skip hello $IMAGES/hello.xen or hello.cfg not built" "skip greeting needs the hello image")
fi
if have_image echo; then
  derive_cfg "$IMAGES/echo.cfg" echo echo.xen "'bridge=br0'" "ip=10.0.0.2/24"
  tests+=(echo)
else
  missing+=(echo)
  tests+=("skip echo $IMAGES/echo.xen or echo.cfg not built")
fi
# blkfront against Linux's blkback (docs/block.md).
if have_image kvstore; then
  derive_cfg "$IMAGES/kvstore.cfg" kvstore kvstore.xen "" "load=20"
  derive_cfg "$IMAGES/kvstore.cfg" kvstore-verify kvstore.xen "" "verify=20"
  for c in kvstore kvstore-verify; do
    echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/kvstore.img' ]" >> "$SHARE/cfg/$c.cfg"
  done
  tests+=(disk)
else
  missing+=(kvstore)
  tests+=("skip disk $IMAGES/kvstore.xen or kvstore.cfg not built")
fi
# TCP through drydock's netfront and Linux's netback, with and without the offloads.
if have_image httpd; then
  derive_cfg "$IMAGES/httpd.cfg" httpd httpd.xen "'bridge=br0'" "ip=10.0.0.2/24 gw=10.0.0.1"
  derive_cfg "$IMAGES/httpd.cfg" httpd-nooffload httpd.xen "'bridge=br0'" "ip=10.0.0.2/24 gw=10.0.0.1"
  tests+=(httpd)
else
  missing+=(httpd)
  tests+=("skip httpd $IMAGES/httpd.xen or httpd.cfg not built")
fi
# The vCPU's idle (sti; hlt) raced by events: bench-xenstore-guest's xenstore reads, each a wait
# for xenstored's answer. Not required: only when the image was built.
if have_image bench-xenstore-guest; then
  derive_cfg "$IMAGES/bench-xenstore-guest.cfg" idle bench-xenstore-guest.xen "" "$IDLE_READS"
  tests+=("idle $IDLE_RUNS")
else
  tests+=("skip idle $IMAGES/bench-xenstore-guest.xen or .cfg not built")
fi
if [ -n "$ONLY" ]; then
  keep=()
  for t in "${tests[@]}"; do
    set -- $t
    [ "$1" = skip ] && w=$2 || w=$1
    case ",$ONLY," in *",$w,"*) keep+=("$t") ;; esac
  done
  tests=("${keep[@]}")
fi
if [ -n "$CMD" ]; then
  printf '#!/bin/bash\n%s\n' "$CMD" > "$SHARE/cmd.sh"
  chmod 755 "$SHARE/cmd.sh"
  tests=(cmd)
fi
printf '%s\n' "${tests[@]}" > "$SHARE/tests"

# --- boot -----------------------------------------------------------------------------------
SERIAL=$OUT/serial.log
[ -f "$SERIAL" ] && mv -f "$SERIAL" "$SERIAL.prev"
: > "$SERIAL"
XEN_ARGS="dom0_mem=512M,max:512M dom0_max_vcpus=1 console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"
DOM0_ARGS="root=/dev/vda rw init=/sbin/rig-init console=hvc0 earlyprintk=xen panic=-1"
QEMU=(qemu-system-x86_64
  -machine "${XEN_RIG_MACHINE:-q35},accel=tcg" -cpu max,-smap -smp "${XEN_RIG_SMP:-2}" -m 1536
  -kernel "$OUT/xen-4.17-amd64" -append "$XEN_ARGS"
  -initrd "$OUT/vmlinuz $DOM0_ARGS,$OUT/initrd.img"
  -drive "file=$OUT/dom0.img,format=raw,if=virtio,snapshot=on"
  -virtfs "local,path=$SHARE,mount_tag=rig,security_model=none,id=rig"
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
  -nodefaults -display none -monitor none -serial "file:$SERIAL" -no-reboot)
log "booting Xen and dom0 under QEMU (TCG; serial log: $SERIAL; timeout ${TIMEOUT} s)"
log "tests: $(printf '%s; ' "${tests[@]}")"
printf '%q ' "${QEMU[@]}" > "$OUT/qemu-cmdline"

"${QEMU[@]}" &
qpid=$!
cleanup() { kill "$qpid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
# Progress: the serial console's rig lines (everything with XEN_RIG_VERBOSE=1).
if [ "${XEN_RIG_VERBOSE:-0}" = 1 ]; then
  tail -n +1 -F --pid="$qpid" "$SERIAL" 2>/dev/null | sed -u 's/\r$//' &
else
  tail -n +1 -F --pid="$qpid" "$SERIAL" 2>/dev/null | sed -u 's/\r$//' |
    grep --line-buffered -E '^(rig-init|dom0-test):|^(PASS|FAIL|SKIP) |Panic|panic|BUG' | sed -u 's/^/  | /' &
fi
tpid=$!
deadline=$(( $(date +%s) + TIMEOUT ))
while kill -0 "$qpid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
qstatus=0
if kill -0 "$qpid" 2>/dev/null; then
  log "timeout after ${TIMEOUT} s: killing QEMU"
  kill "$qpid"; sleep 2; kill -9 "$qpid" 2>/dev/null || true
  qstatus=timeout
else
  wait "$qpid" || qstatus=$?
fi
trap - EXIT INT TERM
wait "$tpid" 2>/dev/null || true
t_end=$(date +%s)

# --- results --------------------------------------------------------------------------------
RES=$SHARE/out/results
if [ -n "$CMD" ]; then
  cat "$SHARE/out/cmd.txt" 2>/dev/null
fi
pass=0 fail=0 skip=0
echo "xen-rig results:"
if [ -f "$RES" ]; then
  while read -r r rest; do
    case $r in
      PASS) pass=$((pass + 1)) ;;
      FAIL) fail=$((fail + 1)) ;;
      SKIP) skip=$((skip + 1)) ;;
      *) continue ;;
    esac
    echo "  $r $rest"
  done < "$RES"
fi
if ! grep -qx DONE "$RES" 2>/dev/null; then
  echo "  FAIL rig: dom0's test script did not finish (QEMU status $qstatus; serial log: $SERIAL)"
  fail=$((fail + 1))
elif [ "$qstatus" != 0 ]; then
  echo "  FAIL rig: the machine did not power off cleanly (QEMU status $qstatus; serial log: $SERIAL)"
  fail=$((fail + 1))
fi
for n in $REQUIRE; do
  case " ${missing[*]} " in
    *" $n "*) echo "  FAIL required image $n: $IMAGES/$n.xen or $n.cfg missing"; fail=$((fail + 1)) ;;
  esac
done
# Each failing test's guest: its whole console and what Xen and xenstored saw (dom0-test.sh's
# diagnose), so that a failure seen once can be read from this output alone.
if [ -s "$SHARE/out/failed-guests" ]; then
  while read -r g; do
    echo "xen-rig: guest $g (a test about it failed): its console, out/$g.console:"
    if [ -s "$SHARE/out/$g.console" ]; then sed 's/^/  | /' "$SHARE/out/$g.console"
    else echo "  (empty)"; fi
    [ -f "$SHARE/out/$g.diag" ] && sed 's/^/  /' "$SHARE/out/$g.diag"
  done < "$SHARE/out/failed-guests"
fi
echo "xen-rig: $pass passed, $fail failed, $skip skipped; boot-to-poweroff $((t_end - t_prepared)) s, total $((t_end - t_start)) s"
echo "xen-rig: logs: $SERIAL, $SHARE/out/"
[ "$fail" = 0 ]
