/*
 * Seeded network impairment on a vif, in the simulator because this
 * machine's kernel has no netem. Keys of every --vif, whatever its backend:
 *   loss=P%      the frame is dropped
 *   dup=P%       the frame goes twice (the copy unchanged, right after it)
 *   corrupt=P%   one bit of one byte past the Ethernet header is flipped, so
 *                the IPv4 header or the TCP/UDP/ICMP checksum catches it
 *   reorder=P%   the frame is held back until the next frame has gone
 *                (at most IMPAIR_REORDER_HOLD_NS), then goes right after it
 *   delay=MS     every frame arrives MS later (decimals allowed: 0.5)
 *   jitter=MS    ... plus or minus up to MS, uniformly (as netem's "delay D
 *                J"), clamped at no delay; frames keep their order
 *   rate=MBIT    the link carries MBIT megabits per second (decimals
 *                allowed): a frame of N bytes takes N*8/rate, frames queue
 *                behind each other
 *   limit=N      at most N frames (default 1000) held by delay, jitter, rate
 *                and reorder in one direction; a frame beyond is dropped
 * Each applies in both directions; rx-KEY only to frames to the guest (the
 * netif RX ring), tx-KEY only to frames from it. Percentages take up to four
 * decimals, with or without the %.
 *
 * Every decision comes from a generator of the path's own (splitmix64),
 * seeded from --seed, the vif index and the direction, and every frame takes
 * the same draws whichever impairments are on: a run under the virtual clock
 * repeats exactly, and adding dup= does not change which frames loss= drops.
 * Held frames wait on simulator timers (guest time), so delay and rate are
 * exact under the virtual clock and real under the real one.
 */
#ifndef SIM_BACKENDS_IMPAIR_H
#define SIM_BACKENDS_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct vif_config;

/* A frame held for reordering goes after at most this long without a next frame. */
#define IMPAIR_REORDER_HOLD_NS 10000000ULL
#define IMPAIR_LIMIT_DEFAULT 1000u
/* The largest frame a path takes: one granted page. */
#define IMPAIR_FRAME_MAX 4096u

enum impair_dir {
	IMPAIR_RX, /* to the guest */
	IMPAIR_TX, /* from the guest */
	IMPAIR_NR_DIRS,
};

/* What one direction does; all zero: nothing. */
struct impair_params {
	uint32_t loss_ppm, dup_ppm, corrupt_ppm, reorder_ppm; /* parts per million */
	uint64_t delay_ns, jitter_ns;
	uint64_t rate_bps;  /* 0: no limit */
	unsigned int limit; /* frames held at most */
};

/* What one direction did, counted in the vif's statistics. */
struct impair_stats {
	uint64_t lost;          /* loss= */
	uint64_t duplicated;    /* dup=: extra copies sent */
	uint64_t corrupted;     /* corrupt= */
	uint64_t reordered;     /* reorder=: frames held back behind the next one */
	uint64_t delayed;       /* frames that waited for delay, jitter or rate */
	uint64_t queue_dropped; /* dropped because limit= frames were held already */
};

/* Where a path's frames go, and when they may. */
struct impair_out {
	/* Takes a frame on (it is the caller's again on return); a negative errno is
	 * the receiver's drop, counted by it. */
	int (*pass)(void *arg, const uint8_t *frame, size_t len);
	/* Optional: false while the receiver cannot take a frame (no RX buffer
	 * posted); due frames then wait for impair_path_resume. */
	bool (*ready)(void *arg);
	/* Optional: the path has just let go of its last held frame. */
	void (*drained)(void *arg);
	void *arg;
};

/* The keys themselves are vif.h's impair_keys. "loss, dup, ... (rx-KEY, ...)", for messages. */
extern const char impair_keys_text[];

/*
 * Reads the impairment keys of cfg into p[IMPAIR_NR_DIRS]. Returns 1 when
 * some direction impairs, 0 when none does, or -EINVAL after writing a
 * one-line reason naming the key into err.
 */
int impair_params_parse(const struct vif_config *cfg, struct impair_params p[IMPAIR_NR_DIRS],
			char *err, size_t errlen);
/* True when p changes anything. */
bool impair_params_active(const struct impair_params *p);

struct impair_path;

/*
 * A path for one direction of vif index, with its generator seeded from
 * seed, index and dir. Returns 0 or -ENOMEM.
 */
int impair_path_create(struct impair_path **out, struct sim *sim, const struct impair_params *p,
		       uint64_t seed, unsigned int index, enum impair_dir dir,
		       const struct impair_out *o, struct impair_stats *stats);
/* Frees the path and every frame it holds (they are dropped, not sent). */
void impair_path_destroy(struct impair_path *p);
/*
 * A frame enters the path (len at most IMPAIR_FRAME_MAX). Returns 0 when it
 * was lost or is held, -ENOBUFS when limit= frames are held already (counted
 * in queue_dropped), else what o->pass returned for the frame passed at once.
 */
int impair_path_input(struct impair_path *p, const uint8_t *frame, size_t len);
/* The receiver is ready again (o->ready would say true): held frames that are due go. */
void impair_path_resume(struct impair_path *p);
/* Frames held (delayed, queued or held back for reordering). */
unsigned int impair_path_held(const struct impair_path *p);

#endif
