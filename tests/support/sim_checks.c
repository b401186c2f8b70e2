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

void stderr_capture(char *buf, size_t size, void (*fn)(void *arg), void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, size - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}
