/*
 * Power-cut testing (powercut=N|random): the disk's volatile write cache
 * and the cut.
 *
 * A real drive acknowledges a write once it is in its cache and makes it
 * durable at the next flush; a power cut loses an unpredictable part of
 * what was not flushed, and a write of several sectors may be torn at a
 * sector boundary. Here writes go to the image at once (so reads and a
 * clean exit need nothing special), and blkback keeps, for every write
 * since the last completed flush, what it replaced. Requests run one at a
 * time (bb->serial), so the log is exact.
 *
 * At the Nth write (powercut=N; with powercut=random each write is the one
 * with probability 1/32, drawn from --seed), once it has reached the image
 * and before it is answered: each unflushed write is kept, lost or torn
 * (its first k sectors kept), chosen by a generator seeded from --seed and
 * the write number; the lost parts are undone, newest first, leaving alone
 * every sector a later kept write covers. The image is synced, one line
 * says what happened, and the domain is powered off with exit status
 * BLKBACK_EXIT_POWERCUT (75). The same --seed and powercut=N give the same
 * image.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/backends/blkback_private.h"
#include "sim/domain.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "sim/splitmix64.h"

#define RANDOM_ONE_IN 32

enum fate { FATE_KEPT, FATE_LOST, FATE_TORN };

struct wc_entry {
	uint64_t first, nsect;  /* 512-byte sectors */
	uint8_t *old;           /* what the write replaced */
	enum fate fate;
	uint64_t kept;          /* sectors kept from the start (all for KEPT, 0 for LOST) */
};

struct blkback_wcache {
	uint64_t writes;        /* write requests completed so far */
	uint64_t rng;           /* powercut=random's draw */
	struct wc_entry *e;
	size_t n, cap;
};

static uint64_t seed_of(const struct blkback *bb)
{
	return sim_config(bb->dom->sim)->seed ^ ((uint64_t)bb->cfg.devid << 32);
}

int blkback_wcache_create(struct blkback *bb)
{
	if (!(bb->wcache = calloc(1, sizeof(*bb->wcache))))
		return -ENOMEM;
	bb->wcache->rng = seed_of(bb);
	bb->serial = true;
	return 0;
}

static void forget(struct blkback_wcache *wc)
{
	for (size_t i = 0; i < wc->n; i++)
		free(wc->e[i].old);
	wc->n = 0;
}

void blkback_wcache_destroy(struct blkback *bb)
{
	if (!bb->wcache)
		return;
	forget(bb->wcache);
	free(bb->wcache->e);
	free(bb->wcache);
	bb->wcache = NULL;
}

void blkback_wcache_flushed(struct blkback *bb)
{
	forget(bb->wcache);
}

/* Whether a later entry than i keeps sector s. */
static bool kept_later(const struct blkback_wcache *wc, size_t i, uint64_t s)
{
	for (size_t j = i + 1; j < wc->n; j++)
		if (s >= wc->e[j].first && s < wc->e[j].first + wc->e[j].kept)
			return true;
	return false;
}

/* Puts back what entry i replaced, on the sectors it lost that no later write keeps. */
static int undo(struct blkback *bb, size_t i)
{
	const struct wc_entry *e = &bb->wcache->e[i];

	for (uint64_t k = e->kept; k < e->nsect; k++) {
		uint64_t s = e->first + k;

		if (kept_later(bb->wcache, i, s))
			continue;
		if (pwrite(bb->cfg.fd, e->old + k * BLKBACK_SECTOR, BLKBACK_SECTOR,
			   (off_t)(s * BLKBACK_SECTOR)) != (ssize_t)BLKBACK_SECTOR)
			return -errno;
	}
	return 0;
}

static void choose_fates(struct blkback *bb, unsigned int counts[3])
{
	struct blkback_wcache *wc = bb->wcache;
	uint64_t state = seed_of(bb) ^ (wc->writes * 0x2545f4914f6cdd1dULL);

	for (size_t i = 0; i < wc->n; i++) {
		struct wc_entry *e = &wc->e[i];
		uint64_t r = sim_splitmix64_next(&state);

		e->fate = (enum fate)(r % (e->nsect > 1 ? 3 : 2));
		e->kept = e->fate == FATE_KEPT ? e->nsect
			  : e->fate == FATE_LOST ? 0 : 1 + (r >> 8) % (e->nsect - 1);
		counts[e->fate]++;
	}
}

static _Noreturn void cut_failed(struct blkback *bb, int rc)
{
	sim_log("%s: power cut: cannot rewrite '%s': %s", bb->name, bb->cfg.target, strerror(-rc));
	sim_finish(bb->dom->sim); /* exit() flushes stdio, not the captures nor the sockets */
	exit(1);
}

static void cut(struct blkback *bb)
{
	struct blkback_wcache *wc = bb->wcache;
	unsigned int counts[3] = { 0, 0, 0 };
	int rc;

	choose_fates(bb, counts);
	for (size_t i = wc->n; i-- > 0;)
		if ((rc = undo(bb, i)) < 0)
			cut_failed(bb, rc);
	if (fdatasync(bb->cfg.fd) < 0)
		cut_failed(bb, -errno);
	sim_log("%s: power cut at write %llu (powercut=%llu, --seed %llu): of %zu unflushed "
		"writes %u kept, %u lost, %u torn", bb->name, (unsigned long long)wc->writes,
		(unsigned long long)wc->writes,
		(unsigned long long)sim_config(bb->dom->sim)->seed, wc->n, counts[FATE_KEPT],
		counts[FATE_LOST], counts[FATE_TORN]);
	blkback_capture_note(bb, "powercut write %llu: %zu unflushed, %u kept, %u lost, %u torn",
			     (unsigned long long)wc->writes, wc->n, counts[FATE_KEPT],
			     counts[FATE_LOST], counts[FATE_TORN]);
	forget(wc);
	sim_domain_power_off(bb->dom, BLKBACK_EXIT_POWERCUT);
}

void blkback_wcache_wrote(struct blkback *bb, struct bb_io *io)
{
	struct blkback_wcache *wc = bb->wcache;
	bool now;

	wc->writes++;
	if (wc->n == wc->cap) {
		size_t cap = wc->cap ? 2 * wc->cap : 16;
		struct wc_entry *e = realloc(wc->e, cap * sizeof(*e));

		if (!e) {
			sim_log("%s: power cut log: out of memory", bb->name);
			sim_finish(bb->dom->sim);
			exit(1);
		}
		wc->e = e;
		wc->cap = cap;
	}
	wc->e[wc->n++] = (struct wc_entry){ .first = io->offset / BLKBACK_SECTOR,
					    .nsect = io->len / BLKBACK_SECTOR, .old = io->old };
	io->old = NULL; /* the log's now */
	now = bb->cfg.powercut_random ? sim_splitmix64_next(&wc->rng) % RANDOM_ONE_IN == 0
				      : wc->writes == bb->cfg.powercut_at;
	if (now)
		cut(bb);
}
