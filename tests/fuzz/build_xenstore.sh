#!/bin/sh
# Builds the xenstore libFuzzer harnesses with clang, ASan and UBSan:
#   tests/fuzz/build_xenstore.sh [OUT_DIR]     (default: build/fuzz)
# xs_socket_fuzz: the xenstored core and the socket's parser (no I/O).
# xs_ring_fuzz:   the whole simulator (host code on libuv), for the ring.
# Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"
fuzz_init "$@"
fuzz_probe "$out/xs-obj"

cd "$src"
core=$(ls sim/xenstored/*.c | grep -v -e xs_ring.c -e xs_socket.c)
sim=$(ls sim/*.c sim/toolstack/*.c sim/backends/*.c traces/*.c sim/xenstored/xs_ring.c \
	sim/xenstored/xs_socket.c sim/host/lazylib.c sim/host/*_loader.c)

fuzz_host_objs "$out/xs-obj" "$core tests/fuzz/xs_fuzz_common.c"
core_objs=$objs
# shellcheck disable=SC2086
"$cc" $host_cflags $san -fsanitize=fuzzer "$here/xs_socket_fuzz.c" $core_objs -o "$out/xs_socket_fuzz"
echo "built $out/xs_socket_fuzz"

fuzz_host_objs "$out/xs-obj" "$sim"
# shellcheck disable=SC2086
"$cc" $host_cflags $san -fsanitize=fuzzer "$here/xs_ring_fuzz.c" $core_objs $objs \
	$(pkg-config --libs libuv) -ldl -o "$out/xs_ring_fuzz"
echo "built $out/xs_ring_fuzz"
