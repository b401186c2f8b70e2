/*
 * Mapped trace files and their guard against truncation (trace_map.h).
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/trace_map.h"

/*
 * The guarded mappings, for trace_map_fault: a signal handler has no
 * argument to find them by (as sim/host/signals.c's), and the page size it
 * rounds to, read once here rather than in the handler.
 */
static struct trace_map *volatile guarded[TRACE_MAP_GUARDED_MAX];
static uintptr_t guarded_page;

static bool guard_add(struct trace_map *m)
{
	if (!guarded_page)
		guarded_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (unsigned int i = 0; i < TRACE_MAP_GUARDED_MAX; i++)
		if (!guarded[i]) {
			guarded[i] = m;
			return true;
		}
	return false;
}

static void guard_remove(const struct trace_map *m)
{
	for (unsigned int i = 0; i < TRACE_MAP_GUARDED_MAX; i++)
		if (guarded[i] == m)
			guarded[i] = NULL;
}

bool trace_map_fault(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (unsigned int i = 0; i < TRACE_MAP_GUARDED_MAX; i++) {
		struct trace_map *m = guarded[i];
		uintptr_t start = m ? (uintptr_t)m->p : 0, page;

		if (!start || a < start || a - start >= m->len)
			continue;
		/* Zeros from the page on, in place of the file's pages that are gone (or going). */
		page = a & ~(guarded_page - 1);
		if (mmap((void *)page, start + m->len - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return false;
		m->lost = 1;
		return true;
	}
	return false;
}

int trace_map_fd(struct trace_map *m, int fd)
{
	struct stat st;
	void *p;

	m->p = NULL;
	m->len = 0;
	m->lost = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return 0;
	/* Readers walk it forward once. */
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m->p = p;
	m->len = (size_t)st.st_size;
	if (!guard_add(m)) { /* a SIGBUS there would go unanswered: read it instead */
		trace_map_close(m);
		return 0;
	}
	return 1;
}

void trace_map_close(struct trace_map *m)
{
	guard_remove(m);
	if (m->p)
		munmap((void *)m->p, m->len);
	m->p = NULL;
	m->len = 0;
}
