#!/bin/sh
# CTest driver: fuzzes net_if_input for SECONDS, starting from the frames
# of the pcap files in PCAP_DIR.
#   run.sh FUZZER PCAP_SEEDS PCAP_DIR WORK_DIR SECONDS
# Exits 77 (skipped) when the fuzzer could not be built (no clang or
# libFuzzer: see build.sh); 1 when the seed corpus (tests/corpus/pcap, part
# of the repository) is missing or yields no seed; otherwise the fuzzer's
# status (0: no crash).
set -eu
fuzzer=$1 seeds_tool=$2 pcaps=$3 work=$4 secs=$5
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"

fuzz_require_built "$fuzzer"
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus"
if ! ls "$pcaps"/*.pcap >/dev/null 2>&1; then
	echo "FAIL: no seed corpus: no *.pcap files in $pcaps (tests/corpus/pcap)" >&2
	exit 1
fi
"$seeds_tool" "$work/seeds" "$pcaps"/*.pcap 2>"$work/seeds.log" || true
echo "(files skipped: see $work/seeds.log)"
if [ -z "$(ls "$work/seeds")" ]; then
	echo "FAIL: no seed came out of $pcaps (see $work/seeds.log)" >&2
	exit 1
fi
# New inputs go to corpus/ (kept between runs); the seeds are read only.
exec "$fuzzer" -error_exitcode=1 -max_total_time="$secs" -max_len=1600 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$work/seeds"
