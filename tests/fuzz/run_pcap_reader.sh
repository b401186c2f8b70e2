#!/bin/sh
# CTest driver: fuzzes the trace reader for SECONDS, starting from the
# files of PCAP_DIR and a pcapng file made by pcaptool.
#   run_pcap_reader.sh FUZZER PCAP_DIR WORK_DIR SECONDS [PCAPTOOL]
# Exits 77 (skipped) when the fuzzer could not be built (no clang or
# libFuzzer); otherwise the fuzzer's status (0: nothing found).
set -eu
fuzzer=$1 pcaps=$2 work=$3 secs=$4 pcaptool=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"

fuzz_require_built "$fuzzer"
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus"
[ -d "$pcaps" ] && cp "$pcaps"/*.pcap "$work/seeds/"
if [ -n "$pcaptool" ] && [ -x "$pcaptool" ]; then
	"$pcaptool" gen-gap "$work/seeds/gap.pcapng" 02:00:00:00:00:02 4294967296
fi
# New inputs go to corpus/ (kept between runs); the seeds are read only.
# -error_exitcode: libFuzzer's default for a finding is 77, which CTest takes for a skip.
exec "$fuzzer" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$work/seeds"
