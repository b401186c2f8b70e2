#!/usr/bin/env bash
# A PVH image is self-contained and loadable:
#   - nothing undefined (the link used --no-undefined; this checks the result);
#   - a 64-bit x86 ELF executable, statically linked, no interpreter;
#   - the Xen note XEN_ELFNOTE_PHYS32_ENTRY (18) in a PT_NOTE segment, whose
#     value is an address inside the loaded image;
#   - every PT_LOAD segment at or above 1 MiB, physical = virtual address.
#
#   image_check.sh IMAGE
set -euo pipefail

img=$1
fail() {
	echo "FAIL: $img: $*" >&2
	exit 1
}

[ -f "$img" ] || fail "no such image (build it first)"

undefined=$(nm -u "$img")
[ -z "$undefined" ] || fail "undefined symbols: $(echo $undefined)"

header=$(readelf -h "$img")
grep -Eq 'Class:[[:space:]]+ELF64' <<<"$header" || fail "not a 64-bit ELF"
grep -Eq 'Type:[[:space:]]+EXEC' <<<"$header" || fail "not an executable ELF"
grep -Eq 'Machine:[[:space:]]+Advanced Micro Devices X86-64' <<<"$header" || fail "not x86-64"

segments=$(readelf -lW "$img")
! grep -q 'INTERP\|DYNAMIC' <<<"$segments" || fail "has a dynamic segment or an interpreter"
grep -q '^ *NOTE ' <<<"$segments" || fail "no PT_NOTE segment"

# .note.Xen holds one note: namesz 4, descsz 8, type 18 (PHYS32_ENTRY),
# "Xen\0", then the entry address as a little-endian 64-bit value.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
objcopy -O binary --only-section=.note.Xen "$img" "$tmp" || fail "no .note.Xen section"
read -r -a w < <(od -An -v -tu4 -w1024 "$tmp")
[ "${#w[@]}" -ge 6 ] || fail ".note.Xen is too short (${#w[@]} words)"
[ "${w[0]}" = 4 ] && [ "${w[1]}" = 8 ] && [ "${w[2]}" = 18 ] && [ "${w[3]}" = $((0x006e6558)) ] ||
	fail ".note.Xen is not one Xen PHYS32_ENTRY note: ${w[*]}"
[ "${w[5]}" = 0 ] || fail "PHYS32_ENTRY is above 4 GiB"
entry=$(printf '0x%x' "${w[4]}")

lowest=$(awk '$1 == "LOAD" { print $3 }' <<<"$segments" | sort | head -n 1)
awk '$1 == "LOAD" && $3 != $4 { bad = 1 } END { exit bad }' <<<"$segments" ||
	fail "a PT_LOAD segment's physical address differs from its virtual address"
[ $((lowest)) -ge $((0x100000)) ] || fail "a segment is loaded below 1 MiB ($lowest)"
sym=$(nm "$img" | awk '$3 == "uk_xen_entry32" { print "0x" $1 }')
[ $((sym)) -eq $((entry)) ] || fail "PHYS32_ENTRY is $entry, uk_xen_entry32 is at $sym"
echo "$img: PVH entry $entry, nothing undefined"
