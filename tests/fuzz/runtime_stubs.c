/* The runtime, as far as the net objects need it, on the host (see runtime_stubs.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uk/netfront.h>
#include <uk/alloc.h>
#include <uk/console.h>
#include <uk/exit.h>
#include <uk/sched.h>
#include <uk/time.h>

#include "runtime_stubs.h"

uint64_t stub_now_ns = 1000000000ULL;
static uint64_t live_blocks, total_blocks;

uint64_t stub_live_blocks(void) { return live_blocks; }
uint64_t stub_total_blocks(void) { return total_blocks; }

static void *counted(void *p)
{
	if (p) {
		live_blocks++;
		total_blocks++;
	}
	return p;
}

void *uk_malloc(size_t size) { return counted(malloc(size ? size : 1)); }
void *uk_calloc(size_t n, size_t size) { return counted(calloc(n ? n : 1, size ? size : 1)); }
void *uk_realloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	return p ? q : counted(q);
}
void uk_free(void *p)
{
	if (p)
		live_blocks--;
	free(p);
}
uint64_t uk_now_ns(void) { return stub_now_ns; }
void uk_sleep_ns(uint64_t ns) { stub_now_ns += ns; }

_Noreturn void uk_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

/* Nothing exits here: the stack's exit hook (TCP's linger) is never run. */
int uk_atexit(void (*fn)(void)) { return 0; }
/* No threads here (net/tcp.c's exit hook asks before it would sleep). */
struct uk_thread *uk_thread_self(void) { return NULL; }
int uk_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

/* Threads never run: the caller runs the timers itself. */
static int thread_token;
struct uk_thread *uk_thread_create(const char *name, uk_thread_fn fn, void *arg)
{
	return (struct uk_thread *)&thread_token;
}
void uk_thread_detach(struct uk_thread *t) {}

/* Nothing waits: a wait times out at once, at its deadline. */
void uk_waitq_init(struct uk_waitq *wq) { wq->head = wq->tail = NULL; }
void uk_waitq_wake_waiters(struct uk_waitq *wq) {} /* nothing ever waits here */
int uk_waitq_wait(struct uk_waitq *wq, uint64_t deadline_ns)
{
	if (deadline_ns > stub_now_ns)
		stub_now_ns = deadline_ns;
	return -ETIMEDOUT;
}

/* netif.c's netfront attachment is never used here. */
int netfront_send(struct netfront *nf, const void *frame, size_t len) { return -ENODEV; }
int netfront_try_send(struct netfront *nf, const void *frame, size_t len) { return -ENODEV; }
int netfront_try_send_tso(struct netfront *nf, const void *frame, size_t len, uint16_t gso_size)
{
	return -ENODEV;
}
void netfront_offloads(const struct netfront *nf, struct netfront_offloads *off)
{
	memset(off, 0, sizeof(*off));
}
int netfront_set_holder(struct netfront *nf, const char *holder) { return 0; }
void netfront_set_rx(struct netfront *nf, netfront_rx_fn fn, void *arg) {}
void netfront_set_rx_flags(struct netfront *nf, netfront_rx_flags_fn fn, void *arg) {}
void netfront_set_rx_nonblocking(struct netfront *nf, netfront_rx_flags_fn fn, void *arg) {}
void netfront_set_rx_sg(struct netfront *nf, netfront_rx_sg_fn fn) {}
int netfront_rx_keep(struct netfront *nf, uint32_t *token) { return -EINVAL; }
void netfront_rx_release(struct netfront *nf, uint32_t token) {}
void netfront_mac(const struct netfront *nf, uint8_t mac[6]) { memset(mac, 0, 6); }
unsigned int netfront_mtu(const struct netfront *nf) { return 1500; }
