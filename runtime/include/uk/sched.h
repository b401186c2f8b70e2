/*
 * Cooperative threads. A thread runs until it yields, sleeps, waits or exits;
 * nothing preempts it. Event handlers run between threads, never inside one,
 * so threads need no locks against each other or against handlers.
 *
 * When no thread can run, the runtime arms the Xen timer for the earliest
 * sleeper and blocks the vCPU until an event arrives.
 */
#ifndef UK_SCHED_H
#define UK_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct uk_thread;

typedef int (*uk_thread_fn)(void *arg);

/* Stack size of every thread, including the one running app_main. */
#define UK_THREAD_STACK_SIZE (128 * 1024)

/*
 * Creates a runnable thread that calls fn(arg). Returns NULL when guest
 * memory is exhausted. The name (copied, up to 31 bytes) appears in crash
 * reports and the debugger helpers.
 */
struct uk_thread *uk_thread_create(const char *name, uk_thread_fn fn, void *arg);
/* Ends the calling thread with a status that uk_thread_join returns. */
_Noreturn void uk_thread_exit(int status);
/*
 * Waits until t has ended, frees it and returns its status (fn's return
 * value or uk_thread_exit's argument). Each thread is joined at most once;
 * a thread that is never joined is freed when it ends if uk_thread_detach
 * was called on it.
 */
int uk_thread_join(struct uk_thread *t);
void uk_thread_detach(struct uk_thread *t);
struct uk_thread *uk_thread_self(void);
const char *uk_thread_name(const struct uk_thread *t);

/* Lets every other runnable thread run once. */
void uk_yield(void);
/* Sleeps for at least ns nanoseconds of guest time. */
void uk_sleep_ns(uint64_t ns);
/* Sleeps until guest system time (uk_now_ns) reaches deadline. */
void uk_sleep_until(uint64_t deadline_ns);

/*
 * Wait queues: a thread waits after checking its condition; whoever changes
 * the condition wakes the queue. Without preemption no wake-up is lost
 * between the check and the wait.
 */
struct uk_waitq {
	struct uk_thread *head, *tail;
};
#define UK_WAITQ_INIT { 0, 0 }
void uk_waitq_init(struct uk_waitq *wq);
/*
 * Waits until woken or until guest time reaches deadline_ns (0: no deadline).
 * Returns 0 when woken, -ETIMEDOUT at the deadline.
 */
int uk_waitq_wait(struct uk_waitq *wq, uint64_t deadline_ns);
/* Wakes the longest waiter / every waiter. Safe from event handlers. */
void uk_waitq_wake_one(struct uk_waitq *wq);
void uk_waitq_wake_waiters(struct uk_waitq *wq);
/* Inline: most wakes (a poll queue, a queue no reader waits on) find nobody. */
static inline void uk_waitq_wake_all(struct uk_waitq *wq)
{
	if (wq->head)
		uk_waitq_wake_waiters(wq);
}
bool uk_waitq_empty(const struct uk_waitq *wq);

#endif
