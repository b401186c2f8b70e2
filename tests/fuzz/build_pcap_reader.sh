#!/bin/sh
# Builds the libFuzzer harness pcap_reader_fuzz with clang, ASan and UBSan:
#   tests/fuzz/build_pcap_reader.sh [OUT_DIR]     (default: build/fuzz)
# The reader is host code on libpcap (not instrumented: a crash inside it
# still ends the run, and ASan sees every access the reader makes).
# Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${1:-$src/build/fuzz}
cc=${CC_FUZZ:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build_pcap_reader.sh: $cc not found; install it with: sudo apt-get install clang" >&2
	exit 77
fi
mkdir -p "$out/obj"
probe="$out/obj/probe_pcap.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer "$probe" -o "$out/obj/probe_pcap" 2>/dev/null; then
	echo "build_pcap_reader.sh: libFuzzer is missing; install it with: sudo apt-get install libclang-rt-14-dev" >&2
	exit 77
fi
# shellcheck disable=SC2046
"$cc" -g -O1 -fno-omit-frame-pointer -Wall -Wextra -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I"$src" "$here/pcap_reader_fuzz.c" "$src/traces/pcap_reader.c" \
	$(pkg-config --cflags --libs libpcap) -o "$out/pcap_reader_fuzz"
echo "built $out/pcap_reader_fuzz"
