#!/usr/bin/env bash
# The Debian package in a clean Debian 12: debootstrap a minimal bookworm
# (cached as a tarball in build/deb-cache), `apt-get install ./drydock_*.deb`
# there pulls what it needs, the installed `drydock run` runs the hello
# example from its xl.cfg, and examples/ci-project builds against the
# package with find_package(drydock) and passes its tests.
#   tests/package/deb_chroot.sh DEB_DIR     (make test-deb)
# Skipped (77) without root, debootstrap or a package in DEB_DIR.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
debdir=${1:?usage: deb_chroot.sh DEB_DIR}
mirror=${DRYDOCK_DEBIAN_MIRROR:-http://deb.debian.org/debian}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root for debootstrap and chroot"
command -v debootstrap >/dev/null || skip "needs debootstrap"
deb=$(ls "$debdir"/drydock_*.deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || skip "no drydock_*.deb in $debdir: run make deb"

root=$(mktemp -d)
cleanup() {
	umount "$root/proc" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

# Kept beside build/deb, which `make deb` empties.
cache=${DRYDOCK_CHROOT_CACHE:-$debdir/../deb-cache}
mkdir -p "$cache"
tarball=$cache/bookworm-minbase.tar
if [ ! -s "$tarball" ]; then
	debootstrap --variant=minbase bookworm "$root" "$mirror" >"$debdir/debootstrap.log" 2>&1 ||
		{ tail -20 "$debdir/debootstrap.log"; fail "debootstrap failed"; }
	tar -C "$root" -cf "$tarball" .
else
	tar -C "$root" -xf "$tarball"
fi
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

in_root apt-get update -q >"$debdir/chroot-apt.log" 2>&1 || { tail "$debdir/chroot-apt.log"; fail "apt-get update in the chroot"; }
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" \
	>>"$debdir/chroot-apt.log" 2>&1 || { tail -20 "$debdir/chroot-apt.log"; fail "installing the package in the chroot"; }

cfg=$(in_root sh -c 'ls /usr/lib/*/drydock/examples/xen/hello.cfg /usr/lib/drydock/examples/xen/hello.cfg 2>/dev/null | head -n 1')
[ -n "$cfg" ] || fail "the package has no examples/xen/hello.cfg"
out=$(in_root env DRYDOCK_RUN_DIR=/tmp/run drydock run --clock virtual "$cfg" -- from chroot 2>&1) ||
	{ echo "$out"; fail "drydock run hello.cfg in the chroot"; }
grep -q '^Hello from drydock! This is hello.$' <<<"$out" || { echo "$out"; fail "hello did not greet"; }
grep -q '^command line: \[from\] \[chroot\]$' <<<"$out" || { echo "$out"; fail "hello's arguments"; }

cp -r "$src/examples/ci-project" "$root/tmp/project"
in_root sh -c 'cd /tmp/project && cmake -S . -B build && cmake --build build && ctest --test-dir build --output-on-failure' \
	>"$debdir/chroot-project.log" 2>&1 || { tail -30 "$debdir/chroot-project.log"; fail "examples/ci-project against the package"; }
grep -q '^100% tests passed' "$debdir/chroot-project.log" || fail "examples/ci-project's tests"
# --gdb must allow the installed helpers (which exist), not a source tree:
# a stand-in gdb prints the arguments --gdb gives it.
mkdir -p "$root/tmp/fakegdb"
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$root/tmp/fakegdb/gdb"
chmod +x "$root/tmp/fakegdb/gdb"
exe=$(cd "$root" && find tmp/project/build -type f -name greeter -perm -u+x | head -n 1)
args=$(in_root env PATH=/tmp/fakegdb:/usr/bin:/bin "/$exe" --gdb 2>&1) || true
gdbpy=$(sed -n 's/^add-auto-load-safe-path //p' <<<"$args")
[ -n "$gdbpy" ] && [ -f "$root$gdbpy" ] || { echo "$args"; fail "--gdb does not allow the installed gdb helpers"; }
echo "the package installs in a clean Debian 12, runs hello and builds examples/ci-project"
