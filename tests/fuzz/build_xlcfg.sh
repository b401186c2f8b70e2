#!/bin/sh
# Builds the xl.cfg libFuzzer harness with clang, ASan and UBSan:
#   tests/fuzz/build_xlcfg.sh [OUT_DIR]     (default: build/fuzz)
# It links the simulator's objects (the vif spec parser and its backend
# table come with the mapping). Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"
fuzz_init "$@"
fuzz_probe "$out/xlcfg-obj"

cd "$src"
sources=$(ls sim/*.c sim/toolstack/*.c sim/backends/*.c sim/xenstored/*.c traces/*.c \
	sim/host/lazylib.c sim/host/*_loader.c)
fuzz_host_objs "$out/xlcfg-obj" "$sources"
# shellcheck disable=SC2086
"$cc" $host_cflags $san -fsanitize=fuzzer "$here/xlcfg_fuzz.c" $objs \
	$(pkg-config --libs libuv) -ldl -o "$out/xlcfg_fuzz"
echo "built $out/xlcfg_fuzz"
