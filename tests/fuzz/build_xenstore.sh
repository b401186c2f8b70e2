#!/bin/sh
# Builds the xenstore libFuzzer harnesses with clang, ASan and UBSan:
#   tests/fuzz/build_xenstore.sh [OUT_DIR]     (default: build/fuzz)
# xs_socket_fuzz: the xenstored core and the socket's parser (no I/O).
# xs_ring_fuzz:   the whole simulator (host code on libuv), for the ring.
# Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${1:-$src/build/fuzz}
cc=${CC_FUZZ:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build_xenstore.sh: $cc not found; install it with: sudo apt-get install clang" >&2
	exit 77
fi
mkdir -p "$out/xs-obj"
probe="$out/xs-obj/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer "$probe" -o "$out/xs-obj/probe" 2>/dev/null; then
	echo "build_xenstore.sh: libFuzzer is missing; install it with: sudo apt-get install libclang-rt-14-dev" >&2
	exit 77
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# shellcheck disable=SC2046
common="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-D_GNU_SOURCE -D__XEN_INTERFACE_VERSION__=0x00040e00 -include stdint.h -I$src \
	$(pkg-config --cflags libuv slirp libpcap)"

# compile LIST: objects of the sources in LIST, instrumented for coverage.
compile() {
	objs=""
	for f in $1; do
		o="$out/xs-obj/$(echo "$f" | tr / _).o"
		if [ ! -e "$o" ] || [ "$src/$f" -nt "$o" ]; then
			# shellcheck disable=SC2086
			"$cc" $common $san -fsanitize=fuzzer-no-link -c "$src/$f" -o "$o"
		fi
		objs="$objs $o"
	done
}

cd "$src"
core=$(ls sim/xenstored/*.c | grep -v -e xs_ring.c -e xs_socket.c)
sim=$(ls sim/*.c sim/toolstack/*.c sim/backends/*.c traces/*.c sim/xenstored/xs_ring.c \
	sim/xenstored/xs_socket.c sim/host/lazylib.c sim/host/*_loader.c)

compile "$core tests/fuzz/xs_fuzz_common.c"
core_objs=$objs
# shellcheck disable=SC2086
"$cc" $common $san -fsanitize=fuzzer "$here/xs_socket_fuzz.c" $core_objs -o "$out/xs_socket_fuzz"
echo "built $out/xs_socket_fuzz"

compile "$sim"
# shellcheck disable=SC2086
"$cc" $common $san -fsanitize=fuzzer "$here/xs_ring_fuzz.c" $core_objs $objs \
	$(pkg-config --libs libuv) -ldl -o "$out/xs_ring_fuzz"
echo "built $out/xs_ring_fuzz"
