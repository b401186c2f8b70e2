# shellcheck shell=sh
# What the tests/fuzz scripts share; sourced (". "$here/fuzz_lib.sh"") by
# build*.sh and run*.sh after they set `set -eu` and here (tests/fuzz).

me=$(basename "$0")

# fuzz_init [OUT_DIR]: src (the repository), out (OUT_DIR, default
# build/fuzz), cc (CC_FUZZ, default clang), and the flags every build uses:
# san (ASan, UBSan, no recovery) and host_cflags (host code as the
# simulator's CMake build compiles it).
fuzz_init() {
	src=$(cd "$here/../.." && pwd)
	out=${1:-$src/build/fuzz}
	cc=${CC_FUZZ:-clang}
	san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	host_cflags="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
		-D_GNU_SOURCE -D__XEN_INTERFACE_VERSION__=0x00040e00 -include stdint.h -I$src \
		$(pkg-config --cflags libuv slirp libpcap)"
}

# fuzz_probe DIR: exits 77 unless $cc exists and links a libFuzzer target
# (built in DIR, which each script keeps to itself: CMake runs them at once).
fuzz_probe() {
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "$me: $cc not found; install it with: sudo apt-get install clang" >&2
		exit 77
	fi
	mkdir -p "$1"
	echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' \
		>"$1/probe.c"
	if ! "$cc" -fsanitize=fuzzer "$1/probe.c" -o "$1/probe" 2>/dev/null; then
		echo "$me: libFuzzer is missing; install it with: sudo apt-get install libclang-rt-14-dev" >&2
		exit 77
	fi
}

# fuzz_host_objs DIR LIST: objs, the objects in DIR of the host sources in
# LIST (paths from the repository), instrumented for coverage. An object is
# rebuilt when its source or any header is newer: a changed struct in a
# header must not leave objects that disagree on its layout.
fuzz_host_objs() {
	# shellcheck disable=SC2046
	newest_h=$(cd "$src" && ls -t $(find sim traces tests/fuzz -name '*.h') | head -n 1)
	objs=""
	for f in $2; do
		o="$1/$(echo "$f" | tr / _).o"
		if [ ! -e "$o" ] || [ "$src/$f" -nt "$o" ] || [ "$src/$newest_h" -nt "$o" ]; then
			# shellcheck disable=SC2086
			"$cc" $host_cflags $san -fsanitize=fuzzer-no-link -c "$src/$f" -o "$o"
		fi
		objs="$objs $o"
	done
}

# fuzz_require_built FUZZER: exits 77 (skipped) when the fuzzer was not built.
fuzz_require_built() {
	if [ ! -x "$1" ]; then
		echo "SKIP: $1 was not built (it needs clang and libFuzzer:" \
			"sudo apt-get install clang libclang-rt-14-dev, then rebuild)"
		exit 77
	fi
}
