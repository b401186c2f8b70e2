/*
 * netif offloads on the backend side (sim/backends/netback_tx.c,
 * sim/backends/gso.c): multi-slot frames (feature-sg), GSO extra info
 * (feature-gso-tcpv4) and blank checksums, sent by a frontend written here
 * by hand, read back from the capture file (frames as on a wire), every
 * checksum verified independently; each offload turned off by its vif
 * key; and the frontends that get them wrong, reported as violations.
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

#include "sim/backends/gso.h"
#include "sim/backends/vif.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim_checks.h"
#include "sim_fixture.h"
#include "peer.h"

#define NR_PAGES 24
enum { GFN_BUF = NETIF_FRONT_GFN_FREE };
enum { REF_BUF = NETIF_FRONT_REF_FREE };

struct fixture {
	struct sim_fixture sf;
	struct sim_domain *d;
	struct netif_front fr;
	char dir[64], cap[96];
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .console_to_stdout = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.d = f.sf.guest[0];
	strcpy(f.dir, "/tmp/nb_offload.XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.cap, sizeof(f.cap), "%s/cap.pcap", f.dir);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_fixture_destroy(&f->sf);
	unlink(f->cap);
	return rmdir(f->dir);
}

/* vif 0 with "null,capture=...,<keys>" and a frontend connected to it. */
static void front_setup(struct fixture *f, const char *keys)
{
	char spec[256];

	snprintf(spec, sizeof(spec), "null,capture=%s%s%s", f->cap, *keys ? "," : "", keys);
	netif_front_init(&f->fr, f->d);
	for (unsigned int i = 0; i < NR_PAGES; i++)
		netif_front_grant(&f->fr, REF_BUF + i, GFN_BUF + i, true);
	f->fr.v = vif_spec_create(f->d, 0, spec);
	sim_poll(f->d->sim);
	netif_front_connect(&f->fr);
}

/* --- frames and checksums, computed here independently of gso.c --- */

static uint16_t rd16(const uint8_t *p) { return peer_get16(p); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) << 16 | rd16(p + 2); }

/* The folded ones'-complement sum (not complemented), from the test peer's. */
static uint16_t ones_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	return (uint16_t)~peer_csum_fold(peer_csum_add(sum, p, n));
}

/* The IPv4 header and the TCP/UDP checksum (with pseudo-header) of a frame are right. */
static void assert_checksums_valid(const uint8_t *fr, size_t len)
{
	size_t ihl = (size_t)(fr[14] & 15) * 4, total = rd16(fr + 16);
	uint32_t pseudo;

	assert_int_equal(14 + total, len);
	assert_int_equal(ones_sum(fr + 14, ihl, 0), 0xffff);
	pseudo = rd16(fr + 26) + rd16(fr + 28) + rd16(fr + 30) + rd16(fr + 32) + fr[23] +
		 (uint32_t)(total - ihl);
	assert_int_equal(ones_sum(fr + 14 + ihl, total - ihl, pseudo), 0xffff);
}

/* A TCP/IPv4 frame of payload bytes (i * 7 + 3 pattern), checksum fields blank. */
static size_t tcp_frame(uint8_t *fr, size_t payload, uint8_t flags)
{
	size_t total = 20 + 20 + payload;

	memset(fr, 0, 54);
	memcpy(fr, "\x02\x00\x00\x00\x00\x02\x00\x16\x3e\x00\x01\x00\x08\x00", 14);
	fr[14] = 0x45;
	fr[16] = (uint8_t)(total >> 8);
	fr[17] = (uint8_t)total;
	fr[18] = 0x12; /* id 0x1234 */
	fr[19] = 0x34;
	fr[20] = 0x40; /* DF */
	fr[22] = 64;
	fr[23] = 6;
	memcpy(fr + 26, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	memcpy(fr + 34, "\x30\x39\x00\x50\x00\x01\x00\x00\x00\x00\x00\x09", 12); /* seq 65536 */
	fr[46] = 0x50;
	fr[47] = flags;
	fr[48] = 0xff;
	for (size_t i = 0; i < payload; i++)
		fr[54 + i] = (uint8_t)(i * 7 + 3);
	/* The IP header checksum is the stack's; only TCP's is left blank. */
	uint16_t c = (uint16_t)~ones_sum(fr + 14, 20, 0);
	fr[24] = (uint8_t)(c >> 8);
	fr[25] = (uint8_t)c;
	return 14 + total;
}

/*
 * Lays frame out over slots as netfront does (the first request's size is
 * the frame's), with a GSO extra when gso_size (not yet pushed). Returns
 * the ring index of the first request.
 */
static RING_IDX queue_chain(struct fixture *f, const uint8_t *frame, size_t len, size_t per_slot,
			    uint16_t flags, uint16_t gso_size)
{
	netif_tx_front_ring_t *tx = &f->fr.tx;
	RING_IDX first = tx->req_prod_pvt;
	unsigned int n = (unsigned int)((len + per_slot - 1) / per_slot);

	for (unsigned int i = 0; i < n; i++) {
		size_t off = i * per_slot, sz = len - off < per_slot ? len - off : per_slot;
		netif_tx_request_t *req = RING_GET_REQUEST(tx, tx->req_prod_pvt++);

		memcpy(netif_front_page(&f->fr, GFN_BUF + i), frame + off, sz);
		*req = (netif_tx_request_t){ .gref = REF_BUF + i, .id = (uint16_t)(40 + i),
					     .size = (uint16_t)(i == 0 ? len : sz),
					     .flags = (uint16_t)(i + 1 < n ? NETTXF_more_data : 0) };
		if (i == 0) {
			req->flags |= flags | (gso_size ? NETTXF_extra_info : 0);
			if (gso_size) {
				netif_extra_info_t x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

				x.u.gso.size = gso_size;
				x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
				memcpy((void *)RING_GET_REQUEST(tx, tx->req_prod_pvt++), &x, sizeof(x));
			}
		}
	}
	return first;
}

/* Sets the GSO size of the extra slot at idx, as a frontend that gets it wrong would. */
static void patch_gso_size(struct fixture *f, RING_IDX idx, uint16_t size)
{
	netif_extra_info_t x;
	void *slot = RING_GET_REQUEST(&f->fr.tx, idx);

	memcpy(&x, slot, sizeof(x));
	x.u.gso.size = size;
	memcpy(slot, &x, sizeof(x));
}

/* Pushes what is queued and notifies (always: these tests look right after). */
static void push(struct fixture *f)
{
	RING_PUSH_REQUESTS(&f->fr.tx);
	sim_evtchn_send(f->d, f->fr.port);
}

/* queue_chain, pushed and notified. */
static RING_IDX send_chain(struct fixture *f, const uint8_t *frame, size_t len, size_t per_slot,
			   uint16_t flags, uint16_t gso_size)
{
	RING_IDX first = queue_chain(f, frame, len, per_slot, flags, gso_size);

	push(f);
	return first;
}

/* Every response the backend gave since the last call: all with status want, or NULL. */
static unsigned int take_responses(struct fixture *f, int16_t want, unsigned int nulls)
{
	netif_tx_front_ring_t *tx = &f->fr.tx;
	unsigned int n = 0, nul = 0;

	while (RING_HAS_UNCONSUMED_RESPONSES(tx)) {
		netif_tx_response_t *r = RING_GET_RESPONSE(tx, tx->rsp_cons++);

		if (r->status == NETIF_RSP_NULL)
			nul++;
		else
			assert_int_equal(r->status, want);
		n++;
	}
	assert_int_equal(nul, nulls);
	return n;
}

/* Reads the capture back: the frames the vif's backend got, in order. */
struct captured {
	uint8_t *data;
	size_t len[64];
	size_t off[64];
	unsigned int n;
};

static void read_capture(struct fixture *f, struct captured *c)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t at = 0;
	pcap_t *p;

	vif_flush(f->fr.v);
	assert_non_null(p = pcap_open_offline(f->cap, errbuf));
	c->data = malloc(1 << 20);
	c->n = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		assert_true(c->n < 64);
		assert_int_equal(h->caplen, h->len);
		memcpy(c->data + at, d, h->len);
		c->off[c->n] = at;
		c->len[c->n++] = h->len;
		at += h->len;
	}
	pcap_close(p);
}

/* The capture holds one frame: the len bytes of frame, exactly. */
static void assert_captured_whole(struct fixture *f, const uint8_t *frame, size_t len)
{
	struct captured c;

	read_capture(f, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.len[0], len);
	assert_memory_equal(c.data, frame, len);
	free(c.data);
}

/*
 * The frame was refused: slots responses, NETIF_RSP_ERROR but for nulls
 * NETIF_RSP_NULL, one violation, and nothing went out.
 */
static void assert_frame_refused(struct fixture *f, unsigned int nulls, unsigned int slots)
{
	assert_int_equal(take_responses(f, NETIF_RSP_ERROR, nulls), slots);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(f->fr.v->stats.from_guest_frames, 0);
}

/* After a refused frame, frame (9000 bytes of payload) with a good gso_size goes out in 7. */
static void assert_a_good_gso_frame_still_goes(struct fixture *f, const uint8_t *frame, size_t len,
					       uint16_t gso_size)
{
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, gso_size);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 1), 1 + 3);
	assert_int_equal(f->fr.v->stats.from_guest_frames, 7);
	assert_int_equal(f->d->violations, 1);
}

/* --- what goes through --- */

static void a_gso_frame_of_many_slots_leaves_as_checksummed_segments(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t payload = 20000, len = tcp_frame(frame, payload, 0x18 /* PSH|ACK */);
	struct captured c;
	size_t got = 0;

	front_setup(f, "");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 1448);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 1), 1 + 5); /* 20054 bytes: 5 slots */
	assert_int_equal(f->d->violations, 0);
	read_capture(f, &c);
	assert_int_equal(c.n, (payload + 1447) / 1448);
	for (unsigned int i = 0; i < c.n; i++) {
		const uint8_t *s = c.data + c.off[i];
		size_t n = c.len[i] - 54;

		assert_checksums_valid(s, c.len[i]);
		assert_true(n <= 1448);
		assert_int_equal(rd16(s + 18), 0x1234 + i);      /* IP id */
		assert_int_equal(rd32(s + 38), 65536 + got);     /* seq */
		assert_int_equal(s[47], i + 1 == c.n ? 0x18 : 0x10); /* PSH on the last only */
		assert_memory_equal(s, frame, 14);
		assert_memory_equal(s + 54, frame + 54 + got, n); /* byte for byte */
		got += n;
	}
	assert_int_equal(got, payload);
	assert_int_equal(f->fr.v->stats.from_guest_frames, c.n);
	free(c.data);
}

static void capture_gso_whole_keeps_the_frame_as_the_guest_sent_it(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 10000, 0x18);

	front_setup(f, "capture-gso=whole");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 1448);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 1), 1 + 3);
	assert_captured_whole(f, frame, len);
	/* The backend still got the segments. */
	assert_int_equal(f->fr.v->stats.from_guest_frames, (10000 + 1447) / 1448);
	assert_int_equal(f->d->violations, 0);
	vif_spec_refused("null,capture-gso=all", "bad capture-gso 'all'");
}

static void a_multi_slot_frame_is_joined_byte_for_byte(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1460, 0x10);

	front_setup(f, "gso=0");
	/* Filled checksum: the frame goes out exactly as the guest wrote it. */
	assert_int_equal(gso_csum_fill(frame, len), 0);
	send_chain(f, frame, len, 600, 0, 0);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 0), 3);
	assert_captured_whole(f, frame, len);
	assert_int_equal(f->d->violations, 0);
}

static void a_blank_checksum_is_filled_for_tcp_and_udp(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[300];
	size_t len = tcp_frame(frame, 200, 0x10);
	struct captured c;

	front_setup(f, "sg=0");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 0);
	frame[23] = 17; /* the same as UDP: length 8 + 200 */
	frame[38] = 0;
	frame[39] = 208;
	frame[16] = 0;
	frame[17] = 228;
	frame[24] = frame[25] = 0;
	uint16_t ck = (uint16_t)~ones_sum(frame + 14, 20, 0);
	frame[24] = (uint8_t)(ck >> 8);
	frame[25] = (uint8_t)ck;
	send_chain(f, frame, 14 + 228, 4096, NETTXF_csum_blank, 0);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 0), 2);
	read_capture(f, &c);
	assert_int_equal(c.n, 2);
	assert_checksums_valid(c.data, c.len[0]);
	assert_checksums_valid(c.data + c.off[1], c.len[1]);
	assert_int_equal(f->d->violations, 0);
	free(c.data);
}

/* Bytes a guest puts after a GSO frame's IPv4 total length go no further than netback. */
static void bytes_after_a_gso_datagram_are_cut_off(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 5000, 0x18);

	front_setup(f, "capture-gso=whole");
	memset(frame + len, 0xee, 10);
	send_chain(f, frame, len + 10, 4096, NETTXF_csum_blank, 1448);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 1), 1 + 2);
	assert_captured_whole(f, frame, len);
	assert_int_equal(f->d->violations, 0);
}

struct seg_count {
	unsigned int n;
	uint8_t last_flags;
};

static void count_segment(void *arg, const uint8_t *frame, size_t len)
{
	struct seg_count *c = arg;

	assert_checksums_valid(frame, len);
	c->last_flags = frame[47];
	c->n++;
}

static void gso_keeps_a_short_frame_whole_and_refuses_bad_ones(void **state)
{
	uint8_t frame[200];
	size_t len = tcp_frame(frame, 100, 0x19 /* FIN|PSH|ACK */);
	struct seg_count c = { 0 };

	(void)state;
	assert_int_equal(gso_segment(frame, len, 1448, count_segment, &c), 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_flags, 0x19);
	assert_int_equal(gso_segment(frame, len, 0, count_segment, &c), -EINVAL);
	assert_int_equal(gso_segment(frame, len - 1, 1448, count_segment, &c), -EINVAL);
	assert_int_equal(gso_segment(frame, 30, 1448, count_segment, &c), -EINVAL);
	assert_int_equal(gso_csum_fill(frame, 40), -EINVAL);
	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	assert_int_equal(gso_csum_fill(frame, len), -EINVAL);
	assert_int_equal(c.n, 1);
}

/* A segment larger than any vif's MTU allows is refused before one is emitted. */
static void gso_refuses_a_segment_over_the_largest_mtu_emitting_none(void **state)
{
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 9000, 0x18 /* PSH|ACK */);
	struct seg_count c = { 0 };

	(void)state;
	assert_int_equal(gso_segment(frame, len, 8960, count_segment, &c), -EMSGSIZE);
	assert_int_equal(c.n, 0);
	assert_int_equal(gso_segment(frame, len, 4000, count_segment, &c), 3);
	assert_int_equal(c.n, 3);
}

/* --- each offload off --- */

static char *xs_backend(struct fixture *f, const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/0/%s", f->d->domid, key);
	return sim_xs_get(f->d->sim, path);
}

static void keys_turn_each_offload_off_in_the_published_features(void **state)
{
	struct fixture *f = *state;
	char *v;

	front_setup(f, "sg=0,csum=0");
	assert_string_equal(v = xs_backend(f, "feature-sg"), "0");
	free(v);
	assert_string_equal(v = xs_backend(f, "feature-gso-tcpv4"), "0"); /* GSO needs SG */
	free(v);
	assert_string_equal(v = xs_backend(f, "feature-no-csum-offload"), "1");
	free(v);
}

static void with_csum_0_a_blank_checksum_is_a_violation(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[300];
	size_t len = tcp_frame(frame, 200, 0x10);

	front_setup(f, "csum=0");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 0);
	assert_frame_refused(f, 0, 1);
}

static void with_gso_0_a_gso_extra_is_a_violation_and_frames_flow_after(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 5000, 0x10);

	front_setup(f, "gso=0");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 1448);
	assert_int_equal(take_responses(f, NETIF_RSP_ERROR, 1), 3);
	assert_int_equal(f->d->violations, 1);
	len = tcp_frame(frame, 100, 0x10);
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 0);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 0), 1);
	assert_int_equal(f->fr.v->stats.from_guest_frames, 1);
}

/* --- frontends that get it wrong --- */

static void a_gso_size_of_0_is_a_violation_answered_on_every_slot(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 9000, 0x10);
	RING_IDX first;

	front_setup(f, "");
	first = queue_chain(f, frame, len, 4096, NETTXF_csum_blank, 1448);
	patch_gso_size(f, first + 1, 0);
	push(f);
	assert_frame_refused(f, 1, 1 + 3);
	/* The next frame is read from the right slot. */
	assert_a_good_gso_frame_still_goes(f, frame, len, 1448);
}

/* Segments of gso_size payload behind the headers would not fit the vif's MTU. */
static void a_gso_size_over_the_mtu_is_a_violation(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 9000, 0x10);

	front_setup(f, "");
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 4000); /* 4054-byte segments */
	assert_frame_refused(f, 1, 1 + 3);
	/* One segment at most 1500 bytes of IP datagram: 1460 of payload goes. */
	assert_a_good_gso_frame_still_goes(f, frame, len, 1460);
}

static void a_chain_past_the_produced_requests_stops_the_ring(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1460, 0x10);
	netif_tx_front_ring_t *tx = &f->fr.tx;

	front_setup(f, "");
	memcpy(netif_front_page(&f->fr, GFN_BUF), frame, 1000);
	*RING_GET_REQUEST(tx, tx->req_prod_pvt++) = (netif_tx_request_t){
		.gref = REF_BUF, .id = 1, .size = (uint16_t)len, .flags = NETTXF_more_data };
	push(f);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(tx->sring->rsp_prod, 0);
	sim_evtchn_send(f->d, f->fr.port);
	assert_int_equal(f->d->violations, 1); /* the ring is no longer read */
}

static void a_chain_of_more_than_18_slots_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1460, 0x10);

	front_setup(f, "");
	send_chain(f, frame, len, 80, 0, 0); /* 19 slots */
	assert_int_equal(take_responses(f, NETIF_RSP_ERROR, 0), 19);
	assert_int_equal(f->d->violations, 1);
	send_chain(f, frame, len, 1514, NETTXF_csum_blank, 0);
	assert_int_equal(take_responses(f, NETIF_RSP_OKAY, 0), 1);
}

static void a_first_size_below_the_rest_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1460, 0x10);
	RING_IDX first;

	front_setup(f, "");
	first = queue_chain(f, frame, len, 600, 0, 0);
	RING_GET_REQUEST(&f->fr.tx, first)->size = 800; /* the other two hold 914 */
	push(f);
	assert_frame_refused(f, 0, 3);
}

static void a_gso_frame_that_is_not_tcp_is_refused(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 3000, 0x10);

	front_setup(f, "");
	frame[23] = 17; /* UDP */
	send_chain(f, frame, len, 4096, NETTXF_csum_blank, 1448);
	assert_frame_refused(f, 1, 2);
}

static void a_gso_extra_of_another_type_is_refused(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[GSO_MAX_FRAME];
	size_t len = tcp_frame(frame, 3000, 0x10);
	RING_IDX first;

	front_setup(f, "");
	first = f->fr.tx.req_prod_pvt;
	/* Written by hand: an extra of type MCAST_ADD, which netback does not take. */
	memcpy(netif_front_page(&f->fr, GFN_BUF), frame, len);
	*RING_GET_REQUEST(&f->fr.tx, first) = (netif_tx_request_t){
		.gref = REF_BUF, .id = 3, .size = 1514, .flags = NETTXF_extra_info };
	netif_extra_info_t x = { .type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD };
	memcpy((void *)RING_GET_REQUEST(&f->fr.tx, first + 1), &x, sizeof(x));
	f->fr.tx.req_prod_pvt += 2;
	push(f);
	assert_int_equal(take_responses(f, NETIF_RSP_ERROR, 1), 2);
	assert_int_equal(f->d->violations, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_gso_frame_of_many_slots_leaves_as_checksummed_segments),
		T(a_multi_slot_frame_is_joined_byte_for_byte),
		T(capture_gso_whole_keeps_the_frame_as_the_guest_sent_it),
		T(a_blank_checksum_is_filled_for_tcp_and_udp),
		T(bytes_after_a_gso_datagram_are_cut_off),
		T(gso_keeps_a_short_frame_whole_and_refuses_bad_ones),
		T(gso_refuses_a_segment_over_the_largest_mtu_emitting_none),
		T(keys_turn_each_offload_off_in_the_published_features),
		T(with_csum_0_a_blank_checksum_is_a_violation),
		T(with_gso_0_a_gso_extra_is_a_violation_and_frames_flow_after),
		T(a_gso_size_of_0_is_a_violation_answered_on_every_slot),
		T(a_gso_size_over_the_mtu_is_a_violation),
		T(a_chain_past_the_produced_requests_stops_the_ring),
		T(a_chain_of_more_than_18_slots_is_refused),
		T(a_first_size_below_the_rest_is_refused),
		T(a_gso_frame_that_is_not_tcp_is_refused),
		T(a_gso_extra_of_another_type_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
