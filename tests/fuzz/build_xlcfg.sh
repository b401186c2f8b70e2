#!/bin/sh
# Builds the xl.cfg libFuzzer harness with clang, ASan and UBSan:
#   tests/fuzz/build_xlcfg.sh [OUT_DIR]     (default: build/fuzz)
# It links the simulator's objects (the vif spec parser and its backend
# table come with the mapping). Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${1:-$src/build/fuzz}
cc=${CC_FUZZ:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build_xlcfg.sh: $cc not found; install it with: sudo apt-get install clang" >&2
	exit 77
fi
mkdir -p "$out/xlcfg-obj"
probe="$out/xlcfg-obj/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer "$probe" -o "$out/xlcfg-obj/probe" 2>/dev/null; then
	echo "build_xlcfg.sh: libFuzzer is missing; install it with: sudo apt-get install libclang-rt-14-dev" >&2
	exit 77
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
common="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-D_GNU_SOURCE -D__XEN_INTERFACE_VERSION__=0x00040e00 -include stdint.h -I$src \
	$(pkg-config --cflags libuv slirp libpcap)"

cd "$src"
# An object is rebuilt when its source or any header is newer: a changed
# struct in a header must not leave objects that disagree on its layout.
newest_h=$(ls -t $(find sim traces -name '*.h') | head -n 1)
objs=""
for f in $(ls sim/*.c sim/toolstack/*.c sim/backends/*.c sim/xenstored/*.c traces/*.c \
	sim/host/lazylib.c sim/host/*_loader.c); do
	o="$out/xlcfg-obj/$(echo "$f" | tr / _).o"
	if [ ! -e "$o" ] || [ "$src/$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		# shellcheck disable=SC2086
		"$cc" $common $san -fsanitize=fuzzer-no-link -c "$src/$f" -o "$o"
	fi
	objs="$objs $o"
done
# shellcheck disable=SC2086
"$cc" $common $san -fsanitize=fuzzer "$here/xlcfg_fuzz.c" $objs \
	$(pkg-config --libs libuv) -ldl -o "$out/xlcfg_fuzz"
echo "built $out/xlcfg_fuzz"
