#!/usr/bin/env bash
# Prepares, once, what the Xen rig boots (tools/xen-rig/run.sh calls this):
#
#   build/xen-rig/xen-4.17-amd64   Debian's Xen hypervisor, gunzipped (multiboot1 ELF for -kernel)
#   build/xen-rig/vmlinuz          dom0's Linux kernel  } multiboot modules (-initrd)
#   build/xen-rig/initrd.img       dom0's initramfs     }
#   build/xen-rig/dom0.img         dom0's root file system: raw ext4, no partition table (/dev/vda)
#
# dom0 is a debootstrap'ed Debian 12 with linux-image-amd64 and xen-utils-4.17 at exactly the
# hypervisor's version, and tools/xen-rig/rig-init as its init (no systemd). Everything is
# downloaded from the Debian mirrors this machine's apt is configured with.
#
# Each stage leaves a stamp naming what it was made from; a stage whose stamp matches is
# skipped, so a second run costs nothing. Making dom0 needs root (debootstrap, chroot).
#
#   tools/xen-rig/prepare.sh [--force]     --force: start again from nothing

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${XEN_RIG_DIR:-$ROOT/build/xen-rig}
XEN_SERIES=4.17
SUITE=bookworm
IMG_SIZE=${XEN_RIG_IMG_SIZE:-2G}
# What dom0 needs beyond minbase. bridge-utils is xen-utils' own Recommends (vif-bridge).
# curl is the TCP client of the httpd check; ethtool reads netback's counters (ethtool -S vifN.0).
DOM0_PACKAGES="linux-image-amd64 xen-utils-$XEN_SERIES xenstore-utils kmod iproute2 iputils-ping bridge-utils procps curl ethtool"

log() { printf 'xen-rig: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "preparing dom0 needs root (debootstrap, chroot, mkfs.ext4 -d of its files)"; }
for t in debootstrap dpkg-deb mkfs.ext4 apt-get apt-cache; do
  command -v "$t" >/dev/null || die "$t is missing (apt-get install debootstrap e2fsprogs)"
done

if [ "${1:-}" = "--force" ]; then
  log "--force: removing $OUT"
  rm -rf "$OUT"
fi
mkdir -p "$OUT"

# The hypervisor's version: whatever this machine's apt would install.
XEN_VERSION=$(apt-cache policy "xen-hypervisor-$XEN_SERIES-amd64" | awk '/Candidate:/ { print $2 }')
[ -n "$XEN_VERSION" ] && [ "$XEN_VERSION" != "(none)" ] ||
  die "apt knows no xen-hypervisor-$XEN_SERIES-amd64 (apt-get update?)"

# The Debian mirrors, from apt's own view of its sources (works for sources.list and deb822):
# lines like "500 http://deb.debian.org/debian bookworm/main amd64 Packages".
mirror_for() {   # SUITE -> URI, the first source that serves SUITE/main for amd64
  apt-cache policy | awk -v s="$1/main" '$3 == s && $4 == "amd64" && $5 == "Packages" { print $2; exit }'
}
MIRROR=$(mirror_for "$SUITE")
SECURITY=$(mirror_for "$SUITE-security")
[ -n "$MIRROR" ] || die "no apt source serves $SUITE/main here"

# ---------------------------------------------------------------------------------------------
# 1. The hypervisor.
stamp_ok() { [ -f "$OUT/$1.stamp" ] && [ "$(cat "$OUT/$1.stamp")" = "$2" ]; }
XEN_KEY="xen-hypervisor-$XEN_SERIES-amd64=$XEN_VERSION"
if stamp_ok xen "$XEN_KEY" && [ -f "$OUT/xen-$XEN_SERIES-amd64" ]; then
  log "hypervisor $XEN_VERSION: cached"
else
  log "hypervisor: apt-get download $XEN_KEY"
  rm -rf "$OUT/xen-deb" && mkdir -p "$OUT/xen-deb"
  (cd "$OUT/xen-deb" && apt-get download -q -o APT::Sandbox::User=root "$XEN_KEY" >&2)
  dpkg-deb -x "$OUT"/xen-deb/*.deb "$OUT/xen-deb/root"
  gz="$OUT/xen-deb/root/boot/xen-$XEN_SERIES-amd64.gz"
  [ -f "$gz" ] || die "no boot/xen-$XEN_SERIES-amd64.gz in the package"
  gunzip -c "$gz" > "$OUT/xen-$XEN_SERIES-amd64.tmp"
  mv "$OUT/xen-$XEN_SERIES-amd64.tmp" "$OUT/xen-$XEN_SERIES-amd64"
  rm -rf "$OUT/xen-deb"
  echo "$XEN_KEY" > "$OUT/xen.stamp"
fi

# ---------------------------------------------------------------------------------------------
# 2. dom0's root file system (the slow part: a few minutes, almost all of it downloads).
ROOTFS=$OUT/rootfs
ROOTFS_KEY="$SUITE $MIRROR $SECURITY xen-utils-$XEN_SERIES=$XEN_VERSION $DOM0_PACKAGES"

chroot_mounts=()
umount_chroot() {
  local i
  for ((i = ${#chroot_mounts[@]} - 1; i >= 0; i--)); do umount -l "${chroot_mounts[i]}" 2>/dev/null || true; done
  chroot_mounts=()
}
trap umount_chroot EXIT
mount_chroot() {
  local d
  for d in proc sys dev dev/pts; do
    mkdir -p "$ROOTFS/$d"
    case $d in
      proc) mount -t proc proc "$ROOTFS/proc" ;;
      sys) mount -t sysfs sys "$ROOTFS/sys" ;;
      dev) mount --bind /dev "$ROOTFS/dev" ;;
      dev/pts) mount -t devpts devpts "$ROOTFS/dev/pts" ;;
    esac
    chroot_mounts+=("$ROOTFS/$d")
  done
}

if stamp_ok rootfs "$ROOTFS_KEY" && [ -d "$ROOTFS" ]; then
  log "dom0 root file system: cached"
else
  need_root
  t0=$(date +%s)
  rm -rf "$ROOTFS" "$OUT/rootfs.stamp" "$OUT/image.stamp"
  log "dom0: debootstrap $SUITE from $MIRROR (minutes)"
  debootstrap --variant=minbase --arch=amd64 "$SUITE" "$ROOTFS" "$MIRROR" > "$OUT/debootstrap.log" 2>&1 ||
    { tail -20 "$OUT/debootstrap.log" >&2; die "debootstrap failed (log: $OUT/debootstrap.log)"; }
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
  } > "$ROOTFS/etc/apt/sources.list"
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
  # No service may start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
  chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
  mount_chroot
  log "dom0: apt-get install $DOM0_PACKAGES (xen-utils $XEN_VERSION)"
  export DEBIAN_FRONTEND=noninteractive
  {
    chroot "$ROOTFS" apt-get update -q &&
    chroot "$ROOTFS" apt-get install -y -q --no-install-recommends $DOM0_PACKAGES \
      "xen-utils-$XEN_SERIES=$XEN_VERSION" "xen-utils-common=$XEN_VERSION" "xenstore-utils=$XEN_VERSION"
  } > "$OUT/apt.log" 2>&1 || { tail -30 "$OUT/apt.log" >&2; die "apt-get in the chroot failed (log: $OUT/apt.log)"; }
  chroot "$ROOTFS" apt-get clean
  umount_chroot
  got=$(chroot "$ROOTFS" dpkg-query -W -f='${Version}' "xen-utils-$XEN_SERIES")
  [ "$got" = "$XEN_VERSION" ] || die "dom0 has xen-utils-$XEN_SERIES $got, the hypervisor is $XEN_VERSION"
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
         "$ROOTFS"/usr/share/locale/*
  echo "$ROOTFS_KEY" > "$OUT/rootfs.stamp"
  log "dom0 root file system: done in $(( $(date +%s) - t0 )) s"
fi

# ---------------------------------------------------------------------------------------------
# 3. dom0's kernel, initrd and disk image. Cheap (seconds); redone when rig-init changes.
IMAGE_KEY="$ROOTFS_KEY $(sha256sum "$HERE/rig-init" | cut -d' ' -f1) $IMG_SIZE"
if stamp_ok image "$IMAGE_KEY" && [ -f "$OUT/dom0.img" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
  log "dom0 disk image: cached"
else
  need_root
  sh -n "$HERE/rig-init" || die "tools/xen-rig/rig-init has a syntax error"
  install -m 755 "$HERE/rig-init" "$ROOTFS/sbin/rig-init"
  echo dom0 > "$ROOTFS/etc/hostname"
  mkdir -p "$ROOTFS/rig"
  kernel=$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -1)
  initrd=$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -1)
  cp "$kernel" "$OUT/vmlinuz"
  cp "$initrd" "$OUT/initrd.img"
  rm -f "$OUT/dom0.img.tmp"
  mkfs.ext4 -q -F -L dom0 -d "$ROOTFS" "$OUT/dom0.img.tmp" "$IMG_SIZE" >/dev/null ||
    die "mkfs.ext4 -d failed"
  mv "$OUT/dom0.img.tmp" "$OUT/dom0.img"
  echo "$IMAGE_KEY" > "$OUT/image.stamp"
  log "dom0 disk image: $OUT/dom0.img ($(basename "$kernel"))"
fi
