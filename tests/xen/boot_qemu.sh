#!/usr/bin/env bash
# A PVH image boots without Xen: QEMU (TCG) loads it with -kernel through
# its PVH note, the image reaches long mode and C, looks for Xen, finds none,
# says so on the debug port (isa-debugcon, 0xe9) and leaves through
# isa-debug-exit (0xf4) with the value UK_XEN_DEBUG_EXIT_NO_XEN, 0x10, so
# that QEMU exits (0x10 << 1) | 1 = 33.
#
#   boot_qemu.sh IMAGE NAME
# Skipped (77) without qemu-system-x86_64 (package qemu-system-x86).
set -euo pipefail

img=$1
name=$2
expected_status=33
timeout_s=30

fail() {
	echo "FAIL: $name: $*" >&2
	exit 1
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "SKIP: qemu-system-x86_64 not found (Debian package qemu-system-x86; make deps installs it)"
	exit 77
fi
[ -f "$img" ] || fail "no image $img (build it first)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/debugcon.txt

set +e
timeout "$timeout_s" qemu-system-x86_64 \
	-machine pc -accel tcg -cpu max -m 64 -nographic -no-reboot -nodefaults \
	-kernel "$img" \
	-device isa-debugcon,iobase=0xe9,chardev=dbg -chardev file,id=dbg,path="$out" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-display none -serial none -monitor none >"$tmp/qemu.log" 2>&1
status=$?
set -e

show() {
	echo "--- debug port (0xe9):" >&2
	cat "$out" >&2 2>/dev/null || true
	echo "--- qemu:" >&2
	cat "$tmp/qemu.log" >&2
}
if [ "$status" -eq 124 ]; then
	show
	fail "no exit within ${timeout_s} s (hung?)"
fi
if [ "$status" -ne "$expected_status" ]; then
	show
	fail "QEMU exited $status, expected $expected_status (isa-debug-exit 0x10: no Xen)"
fi
grep -q "^drydock: $name: PVH entry, hvm_start_info at 0x" "$out" ||
	{ show; fail "no PVH entry line on the debug port"; }
grep -Eq '^drydock: no Xen hypervisor found \(CPUID 0x40000000: .*\); stopping$' "$out" ||
	{ show; fail "no 'no Xen' message on the debug port"; }
! grep -q 'exception' "$out" || { show; fail "an exception was reported"; }
cat "$out"
