#!/usr/bin/env bash
# The sim and xen builds compile the same runtime, net and application
# sources: the only differences allowed are runtime/platform/sim (sim only),
# runtime/platform/xen and the runtime/libc/*.c that the sim build does not
# compile (xen only; the sim build uses the host's libc for those).
#
#   sources_match.sh SIM_LIST XEN_LIST
# Each list (written by cmake/DrydockXen.cmake) has one line per target:
# its source directory, then its sources, '|'-separated.
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Absolute, normalized paths of a list's sources, one per line, sorted.
sources() {
	local dir src
	while IFS='|' read -r -a fields; do
		[ "${#fields[@]}" -gt 0 ] || continue
		dir=${fields[0]}
		for src in "${fields[@]:1}"; do
			[ -n "$src" ] || continue
			case $src in
			/*) realpath -m -- "$src" ;;
			*) realpath -m -- "$dir/$src" ;;
			esac
		done
	done <"$1" | sort -u
}

for f in "$1" "$2"; do
	[ -s "$f" ] || fail "$f is missing or empty (configure the build first)"
done
sim=$(sources "$1")
xen=$(sources "$2")

grep -q '/runtime/platform/sim/' <<<"$sim" || fail "the sim build has no runtime/platform/sim"
grep -q '/runtime/platform/xen/entry\.S$' <<<"$xen" || fail "the xen build has no runtime/platform/xen/entry.S"
grep -q '/runtime/boot\.c$' <<<"$sim" || fail "the sim list has no runtime/boot.c"
grep -q '/net/' <<<"$sim" || fail "the sim list has no net/ source"

sim_common=$(grep -v '/runtime/platform/sim/' <<<"$sim" || true)
xen_libc_only=$(grep -E '/runtime/libc/[^/]*\.c$' <<<"$xen" | grep -vxF -f <(echo "$sim") || true)
xen_common=$(grep -Ev '/runtime/platform/xen/' <<<"$xen" | grep -vxF -f <(echo "$xen_libc_only") || true)
if [ "$sim_common" != "$xen_common" ]; then
	echo "sources compiled by only one build (< sim only, > xen only):" >&2
	diff <(echo "$sim_common") <(echo "$xen_common") | grep '^[<>]' >&2 || true
	fail "the sim and xen builds compile different sources"
fi
echo "the sim and xen builds share $(wc -l <<<"$sim_common") sources"
