/* The guest heap left as it was found, for guest tests (see guest_heap.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "guest_heap.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"

size_t guest_heap_blocks_settled(void)
{
	struct uk_mem_stats st;

	uk_sleep_ns(10 * UK_NSEC_PER_MSEC);
	uk_mem_stats(&st);
	return st.heap_blocks;
}

int guest_heap_check(size_t before)
{
	size_t after = guest_heap_blocks_settled();

	if (after == before)
		return 0;
	print_error("guest heap blocks: %zu before the test, %zu after\n", before, after);
	return -1;
}
