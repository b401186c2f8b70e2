/* CMocka checks on a simulator's xenstore and on stderr (see sim_checks.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/xenstored/xs_store.h"
#include "sim_checks.h"

void sim_xs_put(struct sim *sim, const char *path, const char *value)
{
	int rc = xs_store_write(sim_xenstore(sim), path, value, strlen(value));

	if (rc != 0)
		fail_msg("writing '%s' to %s: %d", value, path, rc);
}

char *sim_xs_get(struct sim *sim, const char *path)
{
	char *value;
	size_t len;

	return xs_store_read(sim_xenstore(sim), path, &value, &len) < 0 ? NULL : value;
}

void sim_xs_assert(struct sim *sim, const char *path, const char *want)
{
	char *value = sim_xs_get(sim, path);

	if (!value)
		fail_msg("%s is missing (want '%s')", path, want);
	if (strcmp(value, want))
		fail_msg("%s is '%s', want '%s'", path, value, want);
	free(value);
}

void stderr_capture_start(struct stderr_capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved_fd = dup(STDERR_FILENO);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

void stderr_capture_end(struct stderr_capture *c)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(c->text, 1, sizeof(c->text) - 1, c->file);
	c->text[n] = '\0';
	fclose(c->file);
}

void stderr_capture_run(char *buf, size_t size, void (*fn)(void *arg), void *arg)
{
	struct stderr_capture c;

	stderr_capture_start(&c);
	fn(arg);
	stderr_capture_end(&c);
	snprintf(buf, size, "%s", c.text);
}
