/*
 * What the pcap reader's and writer's tests share: a fresh directory per
 * test and the path of the one file a test writes there (f->path), removed
 * afterwards.
 */
#ifndef DRYDOCK_TESTS_PCAP_FILE_FIXTURE_H
#define DRYDOCK_TESTS_PCAP_FILE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/drydock_pcap_test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/t.pcap", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
