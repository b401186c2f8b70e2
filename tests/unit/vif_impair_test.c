/*
 * Impairment on a vif (sim/backends/impair.c, impair_keys.c, and where
 * sim/backends/vif.c hooks it in): the keys, and each impairment at a known
 * seed under the virtual clock, with exact counts, order and guest times.
 * Frames from the guest are seen by a recording backend defined here (one
 * table line, as tests/unit/vif_loopback_table.c); frames to the guest by a
 * frontend written here on the netif RX ring.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netif_front.h" /* first: the ring barriers, before <xen/io/netif.h> */

#include "sim/backends/impair.h"
#include "sim/backends/vif.h"
#include "sim/backends/vif_table.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim/sim_private.h"
#include "sim/xenstored/xs_store.h"
#include "sim_fixture.h"

#define MS 1000000ULL
#define FRAME_LEN 60
#define MAX_SENT 256

/* --- the recording backend: what left the vif for the world, and when --- */

struct sent {
	uint64_t at;
	size_t len;
	uint8_t data[1514];
};

struct recorder {
	struct sent sent[MAX_SENT];
	unsigned int n;
	bool input; /* has_input */
};

static int recorder_open(struct vif *v, const struct vif_config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	if (!(v->backend = calloc(1, sizeof(struct recorder)))) {
		snprintf(err, errlen, "recorder: out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void recorder_transmit(struct vif *v, const uint8_t *frame, size_t len)
{
	struct recorder *r = v->backend;
	struct sent *s = &r->sent[r->n];

	assert_true(r->n < MAX_SENT && len <= sizeof(s->data));
	s->at = sim_now_ns(v->dom->sim);
	s->len = len;
	memcpy(s->data, frame, len);
	r->n++;
}

static bool recorder_has_input(struct vif *v)
{
	return ((struct recorder *)v->backend)->input;
}

static void recorder_close(struct vif *v)
{
	free(v->backend);
	v->backend = NULL;
}

const struct vif_backend_ops vif_recorder_ops = {
	.name = "recorder",
	.open = recorder_open,
	.transmit = recorder_transmit,
	.has_input = recorder_has_input,
	.close = recorder_close,
};

#define TEST_BACKEND_LIST(X) \
	VIF_BACKEND_LIST(X)  \
	X(recorder)

TEST_BACKEND_LIST(VIF_BACKEND_DECLARE)

const struct vif_backend_ops *const vif_backends[] = { TEST_BACKEND_LIST(VIF_BACKEND_ENTRY) NULL };

static struct recorder *rec(struct vif *v)
{
	return v->backend;
}

/* --- a simulator with domain 1 under the virtual clock --- */

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
};

static struct fixture *fixture_create(uint64_t seed)
{
	struct sim_fixture_options o = { .bare = true, .seed = seed, .console_to_stdout = true };
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(sim_fixture_create(&f->sf, &o), 0);
	f->sim = f->sf.sim;
	f->d = f->sf.guest[0];
	return f;
}

static void fixture_destroy(struct fixture *f)
{
	sim_fixture_destroy(&f->sf);
	free(f);
}

static struct vif *make_vif(struct fixture *f, unsigned int index, const char *spec)
{
	return vif_spec_create(f->d, index, spec);
}

/*
 * Moves guest time to t as the virtual clock moves while the guest blocks:
 * from one simulator timer's deadline to the next, running each.
 */
static void advance_to(struct fixture *f, uint64_t t)
{
	while (f->sim->timers && f->sim->timers->deadline <= t) {
		sim_clock_advance_to(sim_clock(f->sim), f->sim->timers->deadline);
		sim_poll(f->sim);
	}
	sim_clock_advance_to(sim_clock(f->sim), t);
	sim_poll(f->sim);
}

/* Frame n: to the guest's MAC from a peer, EtherType 0x88b5, n in the payload. */
static void make_frame(uint8_t *frame, size_t len, uint32_t n)
{
	static const uint8_t head[14] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00, 0x02, 0, 0, 0, 0, 1,
					  0x88, 0xb5 };

	memset(frame, 0, len);
	memcpy(frame, head, sizeof(head));
	memcpy(frame + 14, &n, sizeof(n));
}

static uint32_t frame_number(const uint8_t *frame)
{
	uint32_t n;

	memcpy(&n, frame + 14, sizeof(n));
	return n;
}

/* The guest sends frames first..first+count-1 (as netback hands them over). */
static void send_from_guest(struct vif *v, uint32_t first, unsigned int count)
{
	uint8_t frame[FRAME_LEN];

	for (uint32_t i = first; i < first + count; i++) {
		make_frame(frame, sizeof(frame), i);
		vif_from_guest(v, frame, sizeof(frame));
	}
}

/* --- a frontend written here: grant table, RX ring, posted buffers --- */

enum { GFN_RX_BUF0 = NETIF_FRONT_GFN_FREE };
enum { REF_RX_BUF0 = NETIF_FRONT_REF_FREE };
#define NR_RX_BUFS 16

/* vif 0 from spec, with a frontend connected as netfront connects it, no buffer posted. */
static struct vif *front_connect(struct fixture *f, struct netif_front *fr, const char *spec)
{
	netif_front_init(fr, f->d);
	for (unsigned int i = 0; i < NR_RX_BUFS; i++)
		netif_front_grant(fr, REF_RX_BUF0 + i, GFN_RX_BUF0 + i, false);
	fr->v = make_vif(f, 0, spec);
	sim_poll(f->sim);
	netif_front_connect(fr);
	assert_true(vif_connected(fr->v));
	return fr->v;
}

/* Posts count receive buffers (ids = their buffer numbers) and notifies. */
static void front_post_rx(struct netif_front *fr, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		unsigned int buf = fr->rx.req_prod_pvt % NR_RX_BUFS;

		netif_front_queue_rx(fr, (uint16_t)buf, REF_RX_BUF0 + buf);
	}
	netif_front_push_rx(fr);
}

/* The next frame the guest received, by its number; -1 when none. */
static int64_t front_received(struct netif_front *fr)
{
	netif_rx_response_t rsp;

	if (!RING_HAS_UNCONSUMED_RESPONSES(&fr->rx))
		return -1;
	rsp = *RING_GET_RESPONSE(&fr->rx, fr->rx.rsp_cons);
	fr->rx.rsp_cons++;
	assert_int_equal(rsp.status, FRAME_LEN);
	return frame_number(netif_front_page(fr, GFN_RX_BUF0 + rsp.id));
}

static int deliver(struct vif *v, uint32_t n)
{
	uint8_t frame[FRAME_LEN];

	make_frame(frame, sizeof(frame), n);
	return vif_deliver(v, frame, sizeof(frame));
}

/* --- the keys --- */

static void impairment_keys_are_taken_by_every_backend(void **state)
{
	static const char *const specs[] = { "null,loss=5%", "tap=dd0,delay=20", "user,rate=10",
					     "pcap=in.pcap,linger=1,dup=1,tx-corrupt=0.5%" };
	struct vif_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		vif_spec_parse_ok(specs[i], &cfg);
		vif_config_free(&cfg);
	}
}

static void impairment_values_are_read_for_each_direction(void **state)
{
	struct impair_params p[IMPAIR_NR_DIRS];
	struct vif_config cfg;
	char err[256] = "";

	(void)state;
	vif_spec_parse_ok("null,loss=5%,rx-delay=20,tx-rate=0.5,jitter=1.5,limit=10,rx-dup=0.0001,"
			  "tx-reorder=100,corrupt=2.25%", &cfg);
	assert_int_equal(impair_params_parse(&cfg, p, err, sizeof(err)), 1);
	assert_int_equal(p[IMPAIR_RX].loss_ppm, 50000);
	assert_int_equal(p[IMPAIR_TX].loss_ppm, 50000);
	assert_int_equal(p[IMPAIR_RX].delay_ns, 20 * MS);
	assert_int_equal(p[IMPAIR_TX].delay_ns, 0);
	assert_int_equal(p[IMPAIR_RX].rate_bps, 0);
	assert_int_equal(p[IMPAIR_TX].rate_bps, 500000);
	assert_int_equal(p[IMPAIR_RX].jitter_ns, 1500000);
	assert_int_equal(p[IMPAIR_TX].limit, 10);
	assert_int_equal(p[IMPAIR_RX].dup_ppm, 1);
	assert_int_equal(p[IMPAIR_TX].dup_ppm, 0);
	assert_int_equal(p[IMPAIR_TX].reorder_ppm, 1000000);
	assert_int_equal(p[IMPAIR_RX].corrupt_ppm, 22500);
	vif_config_free(&cfg);

	vif_spec_parse_ok("null,rx-loss=0", &cfg);
	assert_int_equal(impair_params_parse(&cfg, p, err, sizeof(err)), 0); /* changes nothing */
	assert_int_equal(p[IMPAIR_RX].limit, IMPAIR_LIMIT_DEFAULT);
	vif_config_free(&cfg);
}

static void bad_impairment_values_are_refused_naming_them(void **state)
{
	(void)state;
	vif_spec_refused("null,loss=101%", "loss=101%: expected a percentage from 0 to 100");
	vif_spec_refused("null,loss=abc", "loss=abc: expected a percentage");
	vif_spec_refused("null,loss=", "loss=: expected a percentage");
	vif_spec_refused("null,rx-dup=0.00001", "rx-dup=0.00001: expected a percentage");
	vif_spec_refused("null,loss=5%%", "loss=5%%");
	vif_spec_refused("null,delay=-1", "delay=-1: expected milliseconds");
	vif_spec_refused("null,tx-jitter=3600001", "tx-jitter=3600001: expected milliseconds");
	vif_spec_refused("null,rate=0", "rate=0: expected megabits per second above 0");
	vif_spec_refused("null,rate=1M", "rate=1M");
	vif_spec_refused("null,limit=0", "limit=0: expected a number of frames from 1 to 65536");
	vif_spec_refused("null,limit=65537", "limit=65537");
	vif_spec_refused("null,loss=5%,rx-loss=1%", "loss= and rx-loss= both set loss for frames "
			 "to the guest; give one");
	vif_spec_refused("null,tx-delay=1,delay=2", "tx-delay= and delay= both set delay for "
			 "frames from the guest");
	vif_spec_refused("null,loss=1,loss=2", "key 'loss' is given twice");
	vif_spec_refused("null,lose=5%", "unknown key 'lose' for vif backend 'null' (keys: mac, "
			 "mtu, capture, capture-gso, sg, gso, csum) or an impairment: loss, dup");
	vif_spec_refused("null,up-loss=5%", "unknown key 'up-loss'");
}

static void no_impairment_leaves_both_directions_unimpaired(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,rx-loss=0%");

	(void)state;
	assert_null(v->impair[IMPAIR_RX]);
	assert_null(v->impair[IMPAIR_TX]);
	send_from_guest(v, 0, 3);
	assert_int_equal(rec(v)->n, 3);
	fixture_destroy(f);
}

/* --- loss --- */

static void loss_of_100_percent_drops_every_frame_both_ways(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,loss=100%");

	(void)state;
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(deliver(v, i), 0); /* taken, and lost */
	send_from_guest(v, 0, 10);
	assert_int_equal(rec(v)->n, 0);
	assert_int_equal(v->stats.to_guest_impair.lost, 10);
	assert_int_equal(v->stats.to_guest_dropped, 0); /* never reached netback */
	assert_int_equal(v->stats.from_guest_impair.lost, 10);
	assert_int_equal(v->stats.from_guest_frames, 10); /* what the guest sent */
	fixture_destroy(f);
}

/* Which of 200 frames from the guest vif index of a simulator seeded seed lets through. */
static void loss_pattern(uint64_t seed, unsigned int index, const char *spec, bool out[200])
{
	struct fixture *f = fixture_create(seed);
	struct vif *v = make_vif(f, index, spec);

	memset(out, 0, 200);
	send_from_guest(v, 0, 200);
	advance_to(f, 1000 * MS); /* what jitter holds goes */
	for (unsigned int i = 0; i < rec(v)->n; i++)
		out[frame_number(rec(v)->sent[i].data)] = true;
	assert_int_equal(v->stats.from_guest_impair.lost + rec(v)->n -
			 v->stats.from_guest_impair.duplicated, 200);
	fixture_destroy(f);
}

static void loss_of_50_percent_drops_the_same_frames_at_the_same_seed(void **state)
{
	bool a[200], b[200], other_seed[200], other_vif[200], more[200];
	unsigned int passed = 0;

	(void)state;
	loss_pattern(42, 0, "recorder,loss=50%", a);
	loss_pattern(42, 0, "recorder,loss=50%", b);
	loss_pattern(43, 0, "recorder,loss=50%", other_seed);
	loss_pattern(42, 1, "recorder,loss=50%", other_vif);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, other_seed, sizeof(a));
	assert_memory_not_equal(a, other_vif, sizeof(a));
	for (int i = 0; i < 200; i++)
		passed += a[i];
	/* Binomial(200, 0.5): outside 70..130 has a chance below 1e-5. */
	assert_in_range(passed, 70, 130);
	/* Adding another impairment does not change which frames are lost. */
	loss_pattern(42, 0, "recorder,loss=50%,dup=30%,jitter=1", more);
	assert_memory_equal(a, more, sizeof(a));
}

static void an_impairment_for_one_direction_leaves_the_other_alone(void **state)
{
	struct fixture *f = fixture_create(1);
	struct netif_front fr;
	struct vif *v = front_connect(f, &fr, "recorder,rx-loss=100%");

	(void)state;
	front_post_rx(&fr, 4);
	assert_int_equal(deliver(v, 1), 0);
	assert_int_equal(front_received(&fr), -1);
	send_from_guest(v, 0, 4);
	assert_int_equal(rec(v)->n, 4);
	assert_null(v->impair[IMPAIR_TX]);
	vif_destroy(v);

	v = front_connect(f, &fr, "recorder,tx-loss=100%");
	front_post_rx(&fr, 4);
	assert_int_equal(deliver(v, 7), 0);
	assert_int_equal(front_received(&fr), 7);
	send_from_guest(v, 0, 4);
	assert_int_equal(rec(v)->n, 0);
	assert_int_equal(v->stats.from_guest_impair.lost, 4);
	fixture_destroy(f);
}

/* --- duplication, reordering, corruption --- */

static void dup_of_100_percent_sends_every_frame_twice_in_a_row(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,dup=100%");

	(void)state;
	send_from_guest(v, 0, 5);
	assert_int_equal(rec(v)->n, 10);
	for (unsigned int i = 0; i < 10; i++) {
		assert_int_equal(frame_number(rec(v)->sent[i].data), i / 2);
		assert_int_equal(rec(v)->sent[i].len, FRAME_LEN);
	}
	assert_int_equal(v->stats.from_guest_impair.duplicated, 5);
	fixture_destroy(f);
}

static void reorder_of_100_percent_swaps_each_pair(void **state)
{
	static const uint32_t want[6] = { 1, 0, 3, 2, 5, 4 };
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,reorder=100%");

	(void)state;
	send_from_guest(v, 0, 6);
	assert_int_equal(rec(v)->n, 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(frame_number(rec(v)->sent[i].data), want[i]);
	assert_int_equal(v->stats.from_guest_impair.reordered, 3);
	fixture_destroy(f);
}

static void a_frame_held_for_reordering_goes_after_the_hold_when_none_follows(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,reorder=100%");
	uint64_t t0 = 5 * MS;

	(void)state;
	advance_to(f, t0);
	send_from_guest(v, 9, 1);
	assert_int_equal(rec(v)->n, 0);
	advance_to(f, t0 + IMPAIR_REORDER_HOLD_NS - 1);
	assert_int_equal(rec(v)->n, 0);
	advance_to(f, t0 + IMPAIR_REORDER_HOLD_NS);
	assert_int_equal(rec(v)->n, 1);
	assert_int_equal(rec(v)->sent[0].at, t0 + IMPAIR_REORDER_HOLD_NS);
	assert_int_equal(frame_number(rec(v)->sent[0].data), 9);
	fixture_destroy(f);
}

/* The ones' complement sum of the 16-bit words of p, plus sum (RFC 1071). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* An Ethernet + IPv4 + UDP frame from 10.0.0.1:40000 to 10.0.0.2:7, both checksums right. */
static size_t udp_frame(uint8_t *f, uint32_t n)
{
	const size_t payload = 32, udp_len = 8 + payload, ip_len = 20 + udp_len;
	uint8_t *ip = f + 14, *udp = ip + 20, pseudo[12];
	uint32_t sum;

	make_frame(f, 14 + ip_len, n);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	sum = sum16(ip, 20, 0);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	udp[0] = 40000 >> 8;
	udp[1] = 40000 & 0xff;
	udp[3] = 7;
	udp[5] = (uint8_t)udp_len;
	for (size_t i = 0; i < payload; i++)
		udp[8 + i] = (uint8_t)(n * 13 + i);
	memcpy(pseudo, ip + 12, 8);
	memcpy(pseudo + 8, "\x00\x11\x00", 3);
	pseudo[11] = (uint8_t)udp_len;
	sum = sum16(udp, udp_len, sum16(pseudo, sizeof(pseudo), 0));
	udp[6] = (uint8_t)(~sum >> 8);
	udp[7] = (uint8_t)~sum;
	return 14 + ip_len;
}

/* True when the IPv4 header checksum and the UDP checksum both verify. */
static bool checksums_verify(const uint8_t *f)
{
	const uint8_t *ip = f + 14, *udp = ip + 20;
	size_t udp_len = (size_t)(udp[4] << 8 | udp[5]);
	uint8_t pseudo[12];

	if (sum16(ip, 20, 0) != 0xffff || udp_len != 40)
		return false;
	memcpy(pseudo, ip + 12, 8);
	memcpy(pseudo + 8, "\x00\x11\x00", 3);
	pseudo[11] = (uint8_t)udp_len;
	return sum16(udp, udp_len, sum16(pseudo, sizeof(pseudo), 0)) == 0xffff;
}

static void corrupt_flips_one_bit_past_the_header_and_the_checksum_fails(void **state)
{
	struct fixture *f = fixture_create(3);
	struct vif *v = make_vif(f, 0, "recorder,corrupt=100%");
	uint8_t frame[128];

	(void)state;
	for (uint32_t n = 0; n < 40; n++) {
		size_t len = udp_frame(frame, n), diffs = 0;
		assert_true(checksums_verify(frame));
		vif_from_guest(v, frame, len);
		const struct sent *s = &rec(v)->sent[n];
		assert_int_equal(s->len, len);
		for (size_t i = 0; i < len; i++) {
			if (s->data[i] == frame[i])
				continue;
			diffs++;
			assert_true(i >= 14);
			uint8_t x = s->data[i] ^ frame[i];
			assert_int_equal(x & (x - 1), 0); /* one bit */
		}
		assert_int_equal(diffs, 1);
		assert_false(checksums_verify(s->data));
	}
	assert_int_equal(v->stats.from_guest_impair.corrupted, 40);
	fixture_destroy(f);
}

/* --- delay, jitter, rate: on guest time --- */

static void delay_shifts_frames_from_the_guest_by_exactly_the_delay(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,tx-delay=30");
	uint64_t t0 = 7 * MS + 123;

	(void)state;
	advance_to(f, t0);
	send_from_guest(v, 0, 2);
	advance_to(f, t0 + 30 * MS - 1);
	assert_int_equal(rec(v)->n, 0);
	advance_to(f, t0 + 30 * MS);
	assert_int_equal(rec(v)->n, 2);
	assert_int_equal(rec(v)->sent[0].at, t0 + 30 * MS);
	assert_int_equal(frame_number(rec(v)->sent[1].data), 1);
	assert_int_equal(v->stats.from_guest_impair.delayed, 2);
	fixture_destroy(f);
}

static bool guest_has_response(struct sim_domain *d, void *arg)
{
	struct netif_front *fr = arg;

	(void)d;
	return RING_HAS_UNCONSUMED_RESPONSES(&fr->rx);
}

static void delay_shifts_frames_to_the_guest_by_exactly_the_delay(void **state)
{
	struct fixture *f = fixture_create(1);
	struct netif_front fr;
	struct vif *v = front_connect(f, &fr, "null,rx-delay=25.5");
	uint64_t t0;

	(void)state;
	advance_to(f, 3 * MS);
	front_post_rx(&fr, 2);
	t0 = sim_now_ns(f->sim);
	assert_int_equal(deliver(v, 4), 0);
	assert_int_equal(front_received(&fr), -1);
	/* As SCHEDOP_block: time jumps to the next thing that happens. */
	sim_run_until(f->sim, f->d, t0 + 1000 * MS, guest_has_response, &fr);
	assert_int_equal(sim_now_ns(f->sim), t0 + 25500000);
	assert_int_equal(front_received(&fr), 4);
	assert_int_equal(v->stats.to_guest_frames, 1);
	assert_int_equal(v->stats.to_guest_impair.delayed, 1);
	fixture_destroy(f);
}

static void jitter_stays_within_its_bounds_and_keeps_the_order(void **state)
{
	struct fixture *f = fixture_create(5);
	struct vif *v = make_vif(f, 0, "recorder,delay=10,jitter=4");
	uint64_t lowest = UINT64_MAX, highest = 0;

	(void)state;
	for (uint32_t i = 0; i < 50; i++) {
		advance_to(f, (uint64_t)i * MS);
		send_from_guest(v, i, 1);
	}
	advance_to(f, 100 * MS);
	assert_int_equal(rec(v)->n, 50);
	for (uint32_t i = 0; i < 50; i++) {
		const struct sent *s = &rec(v)->sent[i];
		assert_int_equal(frame_number(s->data), i);
		if (i > 0)
			assert_true(s->at >= rec(v)->sent[i - 1].at);
		uint64_t after = s->at - (uint64_t)i * MS;
		lowest = after < lowest ? after : lowest;
		highest = after > highest ? after : highest;
		assert_in_range(after, 6 * MS, 14 * MS);
	}
	assert_true(highest - lowest > 4 * MS); /* it does vary */
	fixture_destroy(f);
}

static void rate_spaces_frames_by_their_size(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,tx-rate=1");
	uint8_t frame[1250];
	uint64_t t0 = 2 * MS;

	(void)state;
	advance_to(f, t0);
	for (uint32_t i = 0; i < 3; i++) {
		make_frame(frame, sizeof(frame), i);
		vif_from_guest(v, frame, sizeof(frame));
	}
	advance_to(f, t0 + 100 * MS);
	assert_int_equal(rec(v)->n, 3);
	/* 1250 bytes at 1 Mbit/s: 10 ms each, one after the other. */
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(rec(v)->sent[i].at, t0 + (i + 1) * 10 * MS);
		assert_int_equal(frame_number(rec(v)->sent[i].data), i);
	}
	/* An idle link sends the next frame at once: 10 ms from now. */
	make_frame(frame, sizeof(frame), 3);
	vif_from_guest(v, frame, sizeof(frame));
	advance_to(f, t0 + 200 * MS);
	assert_int_equal(rec(v)->sent[3].at, t0 + 110 * MS);
	fixture_destroy(f);
}

/* --- bounds, waiting, the capture, the end of input --- */

static void held_frames_beyond_the_limit_are_dropped_and_counted(void **state)
{
	struct fixture *f = fixture_create(1);
	struct netif_front fr;
	struct vif *v = front_connect(f, &fr, "recorder,delay=100,limit=3");

	(void)state;
	send_from_guest(v, 0, 5);
	assert_int_equal(v->stats.from_guest_impair.queue_dropped, 2);
	assert_int_equal(impair_path_held(v->impair[IMPAIR_TX]), 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(deliver(v, i), 0);
	assert_int_equal(deliver(v, 3), -ENOBUFS);
	assert_int_equal(v->stats.to_guest_impair.queue_dropped, 1);
	front_post_rx(&fr, 3);
	advance_to(f, 100 * MS);
	assert_int_equal(rec(v)->n, 3);
	for (int64_t i = 0; i < 3; i++)
		assert_int_equal(front_received(&fr), i);
	assert_int_equal(front_received(&fr), -1);
	fixture_destroy(f);
}

static void held_frames_wait_for_a_receive_buffer_and_none_is_lost(void **state)
{
	struct fixture *f = fixture_create(1);
	struct netif_front fr;
	struct vif *v = front_connect(f, &fr, "recorder,delay=10");

	(void)state;
	assert_int_equal(deliver(v, 1), 0);
	assert_int_equal(deliver(v, 2), 0);
	advance_to(f, 50 * MS);
	assert_int_equal(front_received(&fr), -1);
	assert_int_equal(v->stats.to_guest_dropped, 0);
	assert_true(vif_has_input(v)); /* held frames are input still to come */
	front_post_rx(&fr, 1); /* the guest notifies: one goes */
	sim_poll(f->sim);
	assert_int_equal(front_received(&fr), 1);
	assert_int_equal(front_received(&fr), -1);
	front_post_rx(&fr, 1);
	sim_poll(f->sim);
	assert_int_equal(front_received(&fr), 2);
	assert_int_equal(v->stats.to_guest_frames, 2);
	assert_int_equal(v->stats.to_guest_dropped, 0);
	assert_false(vif_has_input(v));
	fixture_destroy(f);
}

static void held_frames_of_a_live_backend_are_no_input_that_keeps_the_guest_up(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "null,rx-delay=10"); /* as tap and user: no has_input */

	(void)state;
	assert_int_equal(deliver(v, 1), 0);
	assert_int_equal(impair_path_held(v->impair[IMPAIR_RX]), 1);
	assert_false(vif_has_input(v));
	fixture_destroy(f);
}

static void the_capture_holds_what_crossed_after_the_impairment(void **state)
{
	char tmpl[] = "/tmp/vif_impair_test.XXXXXX", path[64], spec[128];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct fixture *f = fixture_create(1);
	struct pcap_pkthdr *h;
	const u_char *data;
	struct netif_front fr;
	struct vif *v;
	pcap_t *p;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/cap.pcap", tmpl);
	snprintf(spec, sizeof(spec), "recorder,capture=%s,rx-loss=100%%,tx-dup=100%%,"
		 "tx-delay=20", path);
	v = front_connect(f, &fr, spec);
	front_post_rx(&fr, 2);
	advance_to(f, 1 * MS);
	assert_int_equal(deliver(v, 1), 0); /* lost: the guest never sees it */
	send_from_guest(v, 2, 1);           /* leaves twice, 20 ms later */
	advance_to(f, 30 * MS);
	vif_flush(v);
	assert_non_null(p = pcap_open_offline(path, errbuf));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pcap_next_ex(p, &h, &data), 1);
		assert_int_equal(h->ts.tv_sec, 0);
		assert_int_equal(h->ts.tv_usec, 21000);
		assert_int_equal(frame_number(data), 2);
	}
	assert_int_equal(pcap_next_ex(p, &h, &data), -2); /* nothing else */
	pcap_close(p);
	fixture_destroy(f);
	unlink(path);
	rmdir(tmpl);
}

static void the_input_ends_once_the_last_held_frame_reached_the_guest(void **state)
{
	struct fixture *f = fixture_create(1);
	struct netif_front fr;
	struct vif *v = front_connect(f, &fr, "recorder,rx-delay=50");

	(void)state;
	front_post_rx(&fr, 1);
	rec(v)->input = true;
	assert_int_equal(deliver(v, 1), 0);
	rec(v)->input = false;
	assert_true(vif_has_input(v));
	vif_input_ended(v, 1000 * MS);
	assert_false(v->linger.armed); /* not while a frame is on its way */
	advance_to(f, 50 * MS);
	assert_int_equal(front_received(&fr), 1);
	assert_false(vif_has_input(v));
	assert_true(v->linger.armed);
	assert_int_equal(v->linger.deadline, 1050 * MS);
	fixture_destroy(f);
}

static void destroying_a_vif_frees_the_frames_it_holds(void **state)
{
	struct fixture *f = fixture_create(1);
	struct vif *v = make_vif(f, 0, "recorder,delay=100,reorder=100%");

	(void)state;
	send_from_guest(v, 0, 3); /* two delayed, one held back */
	assert_int_equal(deliver(v, 5), 0);
	assert_int_equal(impair_path_held(v->impair[IMPAIR_TX]), 3);
	vif_destroy(v); /* memcheck: nothing leaks, no timer fires later */
	advance_to(f, 200 * MS);
	fixture_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(impairment_keys_are_taken_by_every_backend),
		cmocka_unit_test(impairment_values_are_read_for_each_direction),
		cmocka_unit_test(bad_impairment_values_are_refused_naming_them),
		cmocka_unit_test(no_impairment_leaves_both_directions_unimpaired),
		cmocka_unit_test(loss_of_100_percent_drops_every_frame_both_ways),
		cmocka_unit_test(loss_of_50_percent_drops_the_same_frames_at_the_same_seed),
		cmocka_unit_test(an_impairment_for_one_direction_leaves_the_other_alone),
		cmocka_unit_test(dup_of_100_percent_sends_every_frame_twice_in_a_row),
		cmocka_unit_test(reorder_of_100_percent_swaps_each_pair),
		cmocka_unit_test(a_frame_held_for_reordering_goes_after_the_hold_when_none_follows),
		cmocka_unit_test(corrupt_flips_one_bit_past_the_header_and_the_checksum_fails),
		cmocka_unit_test(delay_shifts_frames_from_the_guest_by_exactly_the_delay),
		cmocka_unit_test(delay_shifts_frames_to_the_guest_by_exactly_the_delay),
		cmocka_unit_test(jitter_stays_within_its_bounds_and_keeps_the_order),
		cmocka_unit_test(rate_spaces_frames_by_their_size),
		cmocka_unit_test(held_frames_beyond_the_limit_are_dropped_and_counted),
		cmocka_unit_test(held_frames_wait_for_a_receive_buffer_and_none_is_lost),
		cmocka_unit_test(held_frames_of_a_live_backend_are_no_input_that_keeps_the_guest_up),
		cmocka_unit_test(the_capture_holds_what_crossed_after_the_impairment),
		cmocka_unit_test(the_input_ends_once_the_last_held_frame_reached_the_guest),
		cmocka_unit_test(destroying_a_vif_frees_the_frames_it_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
