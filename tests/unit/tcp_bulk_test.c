/*
 * Bulk transfers through loss, as a whole: the guest sends 200 KB to a peer
 * (tests/support/tcp_helper.c) that drops segments by a fixed pseudo-random
 * rule and acknowledges the rest at once (with SACK blocks when agreed), and
 * every byte must arrive, in order and intact, in bounded guest time; and the
 * guest receives segments shuffled and duplicated. These exercise
 * retransmission, fast recovery, SACK and reassembly together.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "net/tcp_private.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "tests/support/tcp_helper.h"

const char uk_app_name[] = "tcp_bulk_test";

#define MSS 1460
#define TOTAL (200 * 1000)

static struct net_socket *listener;
static uint8_t data[TOTAL], got[TOTAL];
static bool have[TOTAL];

/* The peer as a receiver: which bytes it holds, and its pseudo-random losses. */
struct sink {
	struct th_conn *c;
	uint32_t base;      /* the guest's sequence number of byte 0 */
	uint32_t next;      /* the first byte not held */
	bool sack;
	unsigned int loss_pct, burst_at, burst_len, seen;
	uint32_t rng;
};

static bool sink_drops(struct sink *k)
{
	k->seen++;
	if (k->burst_len && k->seen >= k->burst_at && k->seen < k->burst_at + k->burst_len)
		return true;
	k->rng = k->rng * 1103515245u + 12345u;
	return (k->rng >> 16) % 100 < k->loss_pct;
}

/* An ACK for what the peer holds, with up to 3 SACK blocks above it. */
static void sink_ack(struct sink *k)
{
	struct th_seg a = th_conn_seg(k->c, TH_ACK);
	uint32_t i = k->next;

	a.ack = k->base + k->next;
	while (k->sack && a.n_sack < 3 && i < TOTAL) {
		while (i < TOTAL && !have[i])
			i++;
		if (i == TOTAL)
			break;
		a.sack[a.n_sack][0] = k->base + i;
		while (i < TOTAL && have[i])
			i++;
		a.sack[a.n_sack][1] = k->base + i;
		a.n_sack++;
	}
	th_feed(&a);
}

static void sink_take(struct sink *k, const struct th_seg *s)
{
	uint32_t off = s->seq - k->base;

	if (!s->len || sink_drops(k))
		return;
	for (uint32_t j = 0; j < s->len && off + j < TOTAL; j++) {
		got[off + j] = s->data[j];
		have[off + j] = true;
	}
	while (k->next < TOTAL && have[k->next])
		k->next++;
	sink_ack(k);
}

/* Runs the transfer until the peer holds everything; returns the guest time it took. */
static uint64_t transfer(struct net_socket *s, struct sink *k)
{
	uint64_t t0 = th_now();
	size_t queued = 0;
	unsigned int done = 0;

	memset(have, 0, sizeof(have));
	memset(got, 0, sizeof(got));
	while (k->next < TOTAL) {
		int rc;

		assert_true(th_now() - t0 < 120 * TH_S);
		if (queued < TOTAL && (rc = net_send(s, data + queued, TOTAL - queued, th_now())) > 0)
			queued += (size_t)rc;
		while (done < th_count())
			sink_take(k, th_get(done++));
		if (th_count() > TH_MAX_SEGS / 2) {
			th_reset();
			done = 0;
		}
		if (done == th_count())
			th_sleep(TH_MS);
	}
	assert_memory_equal(got, data, TOTAL);
	return th_now() - t0;
}

static struct net_socket *conn(uint16_t peer_port, bool opts, struct th_conn *c)
{
	struct net_socket *s = th_open_passive(listener, 80, peer_port, 1000, opts, c);

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 256 * 1024), 0);
	return s;
}

static struct net_socket *sack_conn(uint16_t peer_port, struct th_conn *c)
{
	struct net_socket *s = th_open_passive_sack(listener, peer_port, false, c);

	assert_int_equal(net_setsockopt(s, NET_OPT_SNDBUF, 256 * 1024), 0);
	return s;
}

static void test_200_kb_through_2_percent_loss_arrive_intact_with_sack(void **state)
{
	struct th_conn c;
	struct net_socket *s = sack_conn(11001, &c);
	struct sink k = { .c = &c, .base = c.our_nxt, .sack = true, .loss_pct = 2, .rng = 1 };

	transfer(s, &k);
	assert_true(s->stream.pcb->sack_ok);
	net_abort(s);
}

static void test_200_kb_through_2_percent_loss_arrive_intact_with_newreno(void **state)
{
	struct th_conn c;
	struct net_socket *s = conn(11002, false, &c);
	struct sink k = { .c = &c, .base = c.our_nxt, .loss_pct = 2, .rng = 2 };

	transfer(s, &k);
	net_abort(s);
}

static void test_200_kb_through_10_percent_loss_with_timestamps_arrive_intact(void **state)
{
	struct th_conn c;
	struct net_socket *s = conn(11003, true, &c);
	struct sink k = { .c = &c, .base = c.our_nxt, .loss_pct = 10, .rng = 3 };

	c.peer_wnd = 65535; /* th_open_passive agreed a shift of 7: plenty of window */
	transfer(s, &k);
	net_abort(s);
}

/* Six consecutive segments lost once: each is resent once, and no timeout is needed. */
static void burst(struct net_socket *s, struct sink *k)
{
	struct tcp_stats before, after;

	tcp_stats_get(&before);
	transfer(s, k);
	tcp_stats_get(&after);
	assert_int_equal(after.timeouts, before.timeouts);
	assert_int_equal(after.retransmits - before.retransmits, 6);
}

static void test_a_burst_of_six_lost_segments_is_resent_once_each_with_sack(void **state)
{
	struct th_conn c;
	struct net_socket *s = sack_conn(11004, &c);
	struct sink k = { .c = &c, .base = c.our_nxt, .sack = true, .burst_at = 20,
			  .burst_len = 6 };

	burst(s, &k);
	net_abort(s);
}

static void test_a_burst_of_six_lost_segments_is_resent_once_each_with_newreno(void **state)
{
	struct th_conn c;
	struct net_socket *s = conn(11005, false, &c);
	struct sink k = { .c = &c, .base = c.our_nxt, .burst_at = 20, .burst_len = 6 };

	burst(s, &k);
	net_abort(s);
}

static void test_segments_arriving_shuffled_and_duplicated_are_received_intact(void **state)
{
	struct th_conn c;
	struct net_socket *s = conn(11006, false, &c);
	enum { N = 40 };
	unsigned int order[N];
	uint32_t base = c.peer_nxt, rng = 7, n = 0;
	static uint8_t out[N * 1000];

	for (unsigned int i = 0; i < N; i++)
		order[i] = i;
	for (unsigned int i = N - 1; i > 0; i--) { /* Fisher-Yates */
		unsigned int j, t;

		rng = rng * 1103515245u + 12345u;
		j = (rng >> 16) % (i + 1);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	for (unsigned int r = 0; r < 2; r++) /* every segment twice */
		for (unsigned int i = 0; i < N; i++) {
			struct th_seg p = th_conn_seg(&c, TH_ACK);

			p.seq = base + order[i] * 1000;
			p.data = data + order[i] * 1000;
			p.len = 1000;
			th_feed(&p);
		}
	while (n < sizeof(out)) {
		int rc = net_recv(s, out + n, sizeof(out) - n, th_now());

		assert_true(rc > 0);
		n += (uint32_t)rc;
	}
	assert_memory_equal(out, data, sizeof(out));
	th_sleep(TH_S);
	assert_int_equal(th_last()->ack, base + N * 1000);
	net_abort(s);
}

static int group_setup(void **state)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + (i >> 9));
	return th_group_listen(&listener);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_200_kb_through_2_percent_loss_arrive_intact_with_sack),
		T(test_200_kb_through_2_percent_loss_arrive_intact_with_newreno),
		T(test_200_kb_through_10_percent_loss_with_timestamps_arrive_intact),
		T(test_a_burst_of_six_lost_segments_is_resent_once_each_with_sack),
		T(test_a_burst_of_six_lost_segments_is_resent_once_each_with_newreno),
		T(test_segments_arriving_shuffled_and_duplicated_are_received_intact),
	};

	return cmocka_run_group_tests(tests, group_setup, th_group_teardown);
}
