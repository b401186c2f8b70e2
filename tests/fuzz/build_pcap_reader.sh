#!/bin/sh
# Builds the libFuzzer harness pcap_reader_fuzz with clang, ASan and UBSan:
#   tests/fuzz/build_pcap_reader.sh [OUT_DIR]     (default: build/fuzz)
# The reader is host code on libpcap (not instrumented: a crash inside it
# still ends the run, and ASan sees every access the reader makes).
# Exits 77 when clang or libFuzzer is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"
fuzz_init "$@"
fuzz_probe "$out/pcap-obj"
# shellcheck disable=SC2046
"$cc" -g -O1 -fno-omit-frame-pointer -Wall -Wextra -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -D_GNU_SOURCE -I"$src" "$here/pcap_reader_fuzz.c" "$src/traces/pcap_reader.c" \
	"$src/traces/pcap_walk.c" "$src/traces/trace_map.c" \
	$(pkg-config --cflags --libs libpcap) -o "$out/pcap_reader_fuzz"
echo "built $out/pcap_reader_fuzz"
