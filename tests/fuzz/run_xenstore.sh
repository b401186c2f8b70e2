#!/bin/sh
# CTest driver of a xenstore fuzzer: runs FUZZER for SECONDS from the seeds
# in SEED_DIR (read only) and what earlier runs found (WORK_DIR/corpus).
#   run_xenstore.sh FUZZER SEED_DIR WORK_DIR SECONDS
# Exits 77 (skipped) when the fuzzer could not be built (no clang or
# libFuzzer: see build_xenstore.sh); otherwise the fuzzer's status (0: no crash).
# Violation reports of the misbehaving guest go to stderr, which is closed
# for the target (-close_fd_mask=2); libFuzzer's and the sanitizers' own
# reports still appear.
set -eu
fuzzer=$1 seeds=$2 work=$3 secs=$4
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fuzz/fuzz_lib.sh
. "$here/fuzz_lib.sh"

fuzz_require_built "$fuzzer"
[ -d "$seeds" ] || { echo "no seed directory $seeds" >&2; exit 1; }
mkdir -p "$work/corpus"
exec "$fuzzer" -error_exitcode=1 -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
