#!/usr/bin/env bash
# uk heap: the page allocator's free lists and the pages it never handed out
# add up to its free count, the largest free block is at least the highest
# order listed, and uk_malloc's use is shown.
. "$(dirname "$0")/lib.sh"
gdb_run "$TMP/out" exit -- "uk heap" "echo === p\n" "p/d 'malloc.c'::heap_blocks"
free=$(sed -n 's/^pages: [0-9]* total, \([0-9]*\) free .*/\1/p' "$TMP/out")
[ -n "$free" ] || fail "no page count: $(cat "$TMP/out")"
orders=$(sed -n 's/^free blocks by order: //p' "$TMP/out")
sum=0
top=-1
while read -r o n; do
	sum=$((sum + (n << o)))
	top=$o
done < <(echo "$orders" | tr ',' '\n' | sed -n 's/ *order \([0-9]*\): \([0-9]*\)/\1 \2/p')
fresh=$(sed -n 's/^never handed out: \([0-9]*\) pages$/\1/p' "$TMP/out")
[ -n "$fresh" ] || fail "no count of pages never handed out: $(cat "$TMP/out")"
expect_eq "pages on the free lists and never handed out" "$free" "$((sum + fresh))"
largest=$(sed -n 's/^largest free block: order \([0-9]*\), \([0-9]*\) KiB$/\1 \2/p' "$TMP/out")
read -r lo lkib <<<"$largest"
[ -n "$lo" ] && [ "$lo" -ge "$top" ] && [ "$lkib" -eq $(((4096 << lo) / 1024)) ] ||
	fail "largest free block: '$largest', below order $top or the wrong size"
blocks=$(sed -n 's/^\$1 = //p' "$TMP/out")
expect_grep "uk_malloc's live blocks" "^uk_malloc: [0-9]+ bytes in $blocks live blocks\$" "$TMP/out"
expect_grep "slab classes" '^Class \(bytes\) +Partial slabs +Free slots$' "$TMP/out"
echo "PASS"
