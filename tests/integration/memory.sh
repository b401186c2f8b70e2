#!/usr/bin/env bash
# --mem is a real limit: the guest heap runs out (NULL, not a crash), and
# twice the memory holds about twice the blocks.
set -e
. "$(dirname "$0")/lib.sh"

blocks() {
	run "$TMP/out" "$TMP/err" "$BIN/testguest" --clock virtual --mem "$1" -- memhog
	expect_eq "memhog with --mem $1" 0 "$status"
	sed -n 's/^memhog: \([0-9]*\) blocks.*/\1/p' "$TMP/out"
}
small=$(blocks 8)
large=$(blocks 16)
[ -n "$small" ] && [ -n "$large" ] || fail "memhog printed no count"
# A 60 KiB block takes 16 pages. 8 MiB less the low 1 MiB, the special
# pages and the runtime's own use holds about 110; 8 MiB more holds 128 more.
[ "$small" -gt 95 ] && [ "$small" -lt 112 ] || fail "--mem 8 held $small blocks of 60 KiB"
diff=$((large - small))
[ "$diff" -ge 126 ] && [ "$diff" -le 128 ] || fail "--mem 16 held $large blocks, $diff more than --mem 8"
