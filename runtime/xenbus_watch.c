/*
 * Watches. Each registered watch has a unique token ("uk<n>"); an
 * XS_WATCH_EVENT names the token, and the event handler queues the path
 * that fired:
 *   - for a watch with a callback, on one FIFO shared by all such watches,
 *     which the "xenbus" thread drains in order, one callback at a time;
 *   - for a watch without one, on the watch's own queue, which
 *     xenbus_watch_wait pops.
 * Either way a watch holds at most XB_WATCH_QUEUE_MAX undelivered events;
 * beyond that the oldest is dropped (and counted), so a slow reader cannot
 * exhaust guest memory.
 */
#include "xenbus_private.h"

#include <stdio.h>
#include <string.h>

#include "uk/alloc.h"
#include "uk/console.h"
#include "uk/sched.h"

#define XB_WATCH_QUEUE_MAX 256

struct xenbus_event {
	struct xenbus_event *next;
	struct xenbus_watch *w;
	char *path;
};

static struct {
	struct xenbus_watch *watches;          /* registered */
	unsigned int next_token;
	struct xenbus_event *head, *tail;      /* callback events, oldest first */
	struct uk_waitq wq;                    /* the xenbus thread waits here */
	struct uk_thread *thread;
	const struct xenbus_watch *running;    /* whose callback runs now */
	struct uk_waitq idle;                  /* removers wait for running to end */
	unsigned long dropped;
} W;

static void event_free(struct xenbus_event *ev)
{
	uk_free(ev->path);
	uk_free(ev);
}

static bool registered(const struct xenbus_watch *w)
{
	for (const struct xenbus_watch *p = W.watches; p; p = p->next)
		if (p == w)
			return true;
	return false;
}

static void unregister(struct xenbus_watch *w)
{
	for (struct xenbus_watch **pp = &W.watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

/* Unlinks and returns w's oldest queued event, or NULL. */
static struct xenbus_event *dequeue(struct xenbus_watch *w)
{
	struct xenbus_event **head = w->fn ? &W.head : &w->head;
	struct xenbus_event **tail = w->fn ? &W.tail : &w->tail;
	struct xenbus_event *prev = NULL, *ev;

	for (ev = *head; ev && ev->w != w; ev = ev->next)
		prev = ev;
	if (!ev)
		return NULL;
	if (prev)
		prev->next = ev->next;
	else
		*head = ev->next;
	if (*tail == ev)
		*tail = prev;
	w->pending--;
	return ev;
}

static void enqueue(struct xenbus_watch *w, struct xenbus_event *ev)
{
	struct xenbus_event **head = w->fn ? &W.head : &w->head;
	struct xenbus_event **tail = w->fn ? &W.tail : &w->tail;

	ev->next = NULL;
	if (*tail)
		(*tail)->next = ev;
	else
		*head = ev;
	*tail = ev;
	w->pending++;
	uk_waitq_wake_all(w->fn ? &W.wq : &w->wq);
}

static void drop_events(struct xenbus_watch *w)
{
	struct xenbus_event *ev;

	while ((ev = dequeue(w)))
		event_free(ev);
}

static void count_drop(const struct xenbus_watch *w, const char *why)
{
	W.dropped++;
	/* Say so on the first drop and then at every power of two. */
	if ((W.dropped & (W.dropped - 1)) == 0)
		uk_printf("xenbus: watch %s (%s): event dropped, %s (%lu dropped so far)\n",
			  w->token, w->path, why, W.dropped);
}

void xb_watch_event(const char *body, uint32_t len)
{
	size_t plen = strnlen(body, len);
	const char *token = body + plen + 1;
	struct xenbus_watch *w;
	struct xenbus_event *ev;

	if (plen + 1 >= len) {
		uk_printf("xenbus: dropping a watch event without a token (%u bytes)\n", len);
		return;
	}
	for (w = W.watches; w && strcmp(w->token, token) != 0; w = w->next)
		;
	if (!w)
		return; /* a watch removed while its events were on their way */
	if (w->pending >= XB_WATCH_QUEUE_MAX) {
		event_free(dequeue(w));
		count_drop(w, "queue full");
	}
	ev = uk_malloc(sizeof(*ev));
	if (ev && (ev->path = uk_malloc(plen + 1))) {
		memcpy(ev->path, body, plen + 1);
		ev->w = w;
		enqueue(w, ev);
		return;
	}
	uk_free(ev);
	count_drop(w, "out of memory");
}

void xb_watch_break(void)
{
	for (struct xenbus_watch *w = W.watches; w; w = w->next)
		uk_waitq_wake_all(&w->wq);
}

static int watch_thread(void *arg)
{
	for (;;) {
		struct xenbus_event *ev;
		struct xenbus_watch *w;

		while (!W.head)
			uk_waitq_wait(&W.wq, 0);
		w = W.head->w;
		ev = dequeue(w);
		W.running = w;
		/* w may be removed (and freed by its owner) inside the callback. */
		w->fn(w, ev->path, w->arg);
		W.running = NULL;
		uk_waitq_wake_all(&W.idle);
		event_free(ev);
	}
	return 0;
}

int xb_watch_thread_start(void)
{
	if (W.thread)
		return 0;
	uk_waitq_init(&W.wq);
	uk_waitq_init(&W.idle);
	W.thread = uk_thread_create("xenbus", watch_thread, NULL);
	if (!W.thread)
		return -ENOMEM;
	uk_thread_detach(W.thread);
	return 0;
}

static int send_watch(uint32_t type, const char *path, const char *token)
{
	struct xb_iov iov[2] = {
		{ path, strlen(path) + 1 },
		{ token, strlen(token) + 1 },
	};

	return xb_talk(type, XBT_NIL, iov, 2, NULL, NULL);
}

int xenbus_watch_add(struct xenbus_watch *w, const char *path, xenbus_watch_fn fn, void *arg)
{
	size_t len;
	int rc;

	if (!w || !path)
		return -EINVAL;
	if (registered(w))
		return -EBUSY;
	memset(w, 0, sizeof(*w));
	uk_waitq_init(&w->wq);
	len = strlen(path);
	if (!(w->path = uk_malloc(len + 1)))
		return -ENOMEM;
	memcpy(w->path, path, len + 1);
	snprintf(w->token, sizeof(w->token), "uk%u", W.next_token++);
	w->fn = fn;
	w->arg = arg;
	/* Before XS_WATCH: the daemon fires the watch right after replying. */
	w->next = W.watches;
	W.watches = w;
	rc = send_watch(XS_WATCH, w->path, w->token);
	if (rc < 0) {
		unregister(w);
		drop_events(w);
		uk_free(w->path);
		w->path = NULL;
	}
	return rc;
}

int xenbus_watch_remove(struct xenbus_watch *w)
{
	char *path;
	int rc;

	if (!w || !registered(w))
		return -ENOENT;
	/* Unregistered first: events still on their way are dropped on arrival. */
	unregister(w);
	drop_events(w);
	path = w->path;
	w->path = NULL;
	uk_waitq_wake_all(&w->wq);
	rc = send_watch(XS_UNWATCH, path, w->token);
	uk_free(path);
	/* Removed from another thread while its callback runs: let it finish. */
	while (W.running == w && uk_thread_self() != W.thread)
		uk_waitq_wait(&W.idle, 0);
	return rc;
}

int xenbus_watch_wait(struct xenbus_watch *w, char **path, uint64_t deadline_ns)
{
	if (!w || !path)
		return -EINVAL;
	for (;;) {
		struct xenbus_event *ev;

		if (!registered(w))
			return -ENOENT; /* never added, or removed while we waited */
		if (w->fn)
			return -EINVAL;
		if ((ev = dequeue(w))) {
			*path = ev->path;
			uk_free(ev);
			return 0;
		}
		if (xb_broken())
			return -EIO;
		if (uk_waitq_wait(&w->wq, deadline_ns) == -ETIMEDOUT && !w->head)
			return -ETIMEDOUT;
	}
}
