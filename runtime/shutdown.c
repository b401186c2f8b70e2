/*
 * control/shutdown: the toolstack's power requests (see <uk/shutdown.h>).
 * The request is read and cleared in one transaction, as Linux's
 * drivers/xen/manage.c does, so that it is acted on once.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "uk/alloc.h"
#include "uk/console.h"
#include "uk/exit.h"
#include "uk/sched.h"
#include "uk/shutdown.h"
#include "uk/time.h"
#include "uk/xenbus.h"

#define SHUTDOWN_NODE "control/shutdown"

static struct xenbus_watch shutdown_watch;
/* The watch's first firing (on registration) has been handled. */
static bool first_handled;
static struct uk_waitq first_wq = UK_WAITQ_INIT;

/* Reads the request into *value and clears it; nothing to clear if empty. */
static int take_request(xenbus_transaction_t t, void *arg)
{
	char **value = arg;
	int rc;

	uk_free(*value); /* from an attempt that conflicted */
	*value = NULL;
	if ((rc = xenbus_read(t, SHUTDOWN_NODE, value, NULL)) < 0)
		return rc;
	if ((*value)[0] == '\0')
		return 0;
	return xenbus_write(t, SHUTDOWN_NODE, "");
}

static void shutdown_requested(struct xenbus_watch *w, const char *path, void *arg)
{
	char *value = NULL;
	int rc = xenbus_transaction_retry(take_request, &value, 16);

	if (rc < 0) {
		/* ENOENT: no control/shutdown (yet), nothing was asked. */
		if (rc != -ENOENT)
			uk_printf("shutdown: cannot take the request from %s (error %d)\n",
				  SHUTDOWN_NODE, -rc);
	} else if (strcmp(value, "poweroff") == 0) {
		uk_printf("shutdown requested: poweroff\n");
		uk_free(value);
		uk_exit(0);
	} else if (value[0] != '\0') {
		uk_printf("shutdown requested: %.32s: not supported by drydock's runtime, "
			  "ignored\n", value);
	}
	uk_free(value);
	first_handled = true;
	uk_waitq_wake_all(&first_wq);
}

int uk_shutdown_watch_init(void)
{
	uint64_t deadline = uk_now_ns() + UK_NSEC_PER_SEC;
	int rc = xenbus_watch_add(&shutdown_watch, SHUTDOWN_NODE, shutdown_requested, NULL);

	/*
	 * Let the registration firing run its course (a request already waiting
	 * is acted on now), so the application starts with the xenbus thread idle.
	 */
	while (rc == 0 && !first_handled)
		if (uk_waitq_wait(&first_wq, deadline) == -ETIMEDOUT)
			break;
	return rc;
}
