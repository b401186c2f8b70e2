/* The thread structure, shared by sched.c and the debugger helpers. */
#ifndef UK_SCHED_PRIVATE_H
#define UK_SCHED_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "events_private.h"
#include "uk/sched.h"
#include "uk/timer.h"

enum uk_thread_state {
	UK_THREAD_RUNNABLE,
	UK_THREAD_BLOCKED,
	UK_THREAD_EXITED,
};

struct uk_thread {
	uint64_t rsp; /* saved stack pointer while not running */
	char name[32];
	unsigned int id; /* 1, 2, ... in creation order: `uk thread N` in gdb */
	enum uk_thread_state state;
	void *stack;
	unsigned int stack_id; /* valgrind's id for the registered stack */
	uk_thread_fn fn;
	void *arg;
	int status;
	bool detached;

	struct uk_thread *next_run;   /* run queue, or the dead list */
	struct uk_waitq *waitq;       /* the queue we wait on, if any */
	struct uk_thread *next_wait;
	struct uk_timer timeout;      /* armed while waiting with a deadline */
	int wait_result;
	struct uk_waitq joiners;
	struct uk_thread *next_all;
};

/* Runs threads and events forever (the boot context becomes the idle loop). */
_Noreturn void uk_sched_run(void);
/* The VIRQ_TIMER handler. */
void uk_sched_timer_event(evtchn_port_t port, void *arg);

#endif
