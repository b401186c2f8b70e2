#!/usr/bin/env bash
# Checks that the Debian 12 packages drydock builds and tests with are
# installed, and installs the missing ones when run as root.
#
#   tools/deps.sh      (normally through `make deps`, which every build runs)
#
# Prints nothing when everything is installed. Exit status: 0 when all packages
# are (now) installed, 1 when some are missing and could not be installed here.

set -euo pipefail

# The one list of packages. libslirp-dev's pkg-config file requires glib-2.0,
# hence libglib2.0-dev. qemu-system-x86 boots the PVH images (tests/xen);
# debootstrap makes the real-Xen rig's dom0 (tools/xen-rig) and the chroot
# `make test-deb` installs the package in; dpkg-dev and debhelper make it.
# curl, wrk, hping3 and python3 drive examples/httpd in the integration tests and
# bench/tcp.
PACKAGES=(
  build-essential cmake pkg-config
  libuv1-dev libxen-dev libcmocka-dev valgrind libpcap-dev
  libslirp-dev libglib2.0-dev
  xenstore-utils gdb
  clang libclang-rt-14-dev
  iproute2 iputils-ping netcat-openbsd dnsmasq-base tcpdump
  curl wrk hping3 python3
  qemu-system-x86 debootstrap dpkg-dev debhelper
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<EOF
deps: this is not a dpkg (Debian/Ubuntu) system, so the packages cannot be checked.
deps: drydock needs: a C compiler and make, CMake >= 3.25, pkg-config, and the
deps: development files of libuv, the Xen public headers, cmocka, libpcap,
deps: libslirp and glib-2.0; plus valgrind, xenstore tools, gdb and
deps: qemu-system-x86_64 (to boot the PVH images).
deps: On Debian 12 these are the packages: ${PACKAGES[*]}
EOF
  exit 1
fi

# Print the packages of PACKAGES that are not installed, one per line.
missing_packages() {
  local installed
  # One dpkg-query for all: "name want flag state" for each package it knows
  # ("hold ok installed" counts too); unknown names print only an error.
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
                awk '$4 == "installed" { print $1 }' || true)
  local p
  for p in "${PACKAGES[@]}"; do
    if ! grep -qxF -- "$p" <<<"$installed"; then
      echo "$p"
    fi
  done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "deps: installing missing packages: ${missing[*]}" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -ne 0 ]; then
  echo "deps: still missing after apt-get install: ${missing[*]}" >&2
  exit 1
fi
