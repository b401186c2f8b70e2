/*
 * Frames read straight into the guest's RX buffers (sim/backends/vif_rx_direct.c,
 * sim/backends/netback_rx_direct.c), from a socket pair standing in for a
 * TAP with virtio-net headers: what the guest gets (responses, extras,
 * flags, bytes) is what the copy path gives it; grants the copy would
 * refuse, a ring with too few buffers, a capture file and frames that fail
 * a check after the read all leave the frame to the copy path, which
 * reports what it reported before, and nothing unchecked reaches the guest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netif_front.h" /* first: the ring barriers, before <xen/io/netif.h> */

#include "sim/backends/vif.h"
#include "sim/backends/vif_rx_direct.h"
#include "sim/domain.h"
#include "sim/sim.h"
#include "sim_checks.h"
#include "sim_fixture.h"

#define NR_PAGES 64
#define HLEN sizeof(struct virtio_net_hdr)
enum { GFN_BUF = NETIF_FRONT_GFN_FREE };
enum { REF_BUF = NETIF_FRONT_REF_FREE };

struct fixture {
	struct sim_fixture sf;
	struct sim_domain *d;
	struct netif_front fr;
	int sv[2];       /* [0]: the "kernel" side, [1]: what the vif reads */
	grant_ref_t ref_of[256]; /* the ref posted with each request id */
	uint16_t next_id;
	char dir[64], cap[96];
	uint8_t buf[HLEN + 65549]; /* the TAP backend's read buffer */
	struct vif_rx_direct rd;
};

/* What the guest got for one frame: responses and the bytes of its data slots. */
struct got {
	netif_rx_response_t rsp[20];
	unsigned int n;
	uint8_t data[18 * 4096];
	size_t len;
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .console_to_stdout = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.d = f.sf.guest[0];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, f.sv) < 0)
		return -1;
	strcpy(f.dir, "/tmp/rx_direct.XXXXXX");
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
	close(f->sv[0]);
	close(f->sv[1]);
	unlink(f->cap);
	return rmdir(f->dir);
}

/* vif 0 from spec, and a frontend taking every receive offload connected to it. */
static void front_setup(struct fixture *f, const char *spec)
{
	netif_front_init(&f->fr, f->d);
	for (unsigned int i = 0; i < NR_PAGES; i++)
		netif_front_grant(&f->fr, REF_BUF + i, GFN_BUF + i, false);
	f->fr.v = vif_spec_create(f->d, 0, spec);
	sim_poll(f->d->sim);
	netif_front_put(&f->fr, "feature-sg", "1");
	netif_front_put(&f->fr, "feature-gso-tcpv4", "1");
	netif_front_connect(&f->fr);
	f->rd.bulk = true; /* as after a large frame */
}

/* Posts count buffers, the pages of refs first.. (each page filled with 0xee first). */
static void post(struct fixture *f, unsigned int first, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		uint16_t id = (uint16_t)(f->next_id++ % 256);

		memset(netif_front_page(&f->fr, GFN_BUF + first + i), 0xee, 4096);
		f->ref_of[id] = REF_BUF + first + i;
		netif_front_queue_rx(&f->fr, id, REF_BUF + first + i);
	}
	netif_front_push_rx(&f->fr);
}

/* The responses the guest has not read yet, and the data they point at. */
static void collect(struct fixture *f, struct got *g)
{
	RING_IDX prod = f->fr.rx.sring->rsp_prod;
	bool extra = false;

	memset(g, 0, sizeof(*g));
	for (; f->fr.rx.rsp_cons != prod; f->fr.rx.rsp_cons++) {
		netif_rx_response_t *r = RING_GET_RESPONSE(&f->fr.rx, f->fr.rx.rsp_cons);

		assert_true(g->n < 20);
		g->rsp[g->n] = *r;
		if (extra) { /* the slot after the first holds the GSO extra */
			extra = false;
			g->n++;
			continue;
		}
		if (g->n == 0)
			extra = (r->flags & NETRXF_extra_info) != 0;
		if (r->status > 0) {
			const uint8_t *page = netif_front_page(&f->fr, GFN_BUF + f->ref_of[r->id] -
							       REF_BUF);
			memcpy(g->data + g->len, page + r->offset, (size_t)r->status);
			g->len += (size_t)r->status;
		}
		g->rsp[g->n].id = 0; /* ids differ between two postings: compared apart */
		g->n++;
	}
}

/* A TCP/IPv4 frame of payload bytes (i * 7 + 3), its TCP checksum field left as it is. */
static size_t tcp_frame(uint8_t *fr, size_t payload)
{
	size_t total = 20 + 20 + payload;

	memset(fr, 0, 54);
	memcpy(fr, "\x00\x16\x3e\x00\x01\x00\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	fr[14] = 0x45;
	fr[16] = (uint8_t)(total >> 8);
	fr[17] = (uint8_t)total;
	fr[20] = 0x40;
	fr[22] = 64;
	fr[23] = 6;
	memcpy(fr + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	fr[46] = 0x50;
	fr[47] = 0x10;
	for (size_t i = 0; i < payload; i++)
		fr[54 + i] = (uint8_t)(i * 7 + 3);
	return 14 + total;
}

/* The "kernel" hands the vif one frame behind h. */
static void kernel_send(struct fixture *f, const struct virtio_net_hdr *h, const uint8_t *fr,
			size_t len)
{
	struct iovec iov[2] = { { (void *)h, HLEN }, { (void *)fr, len } };

	assert_int_equal(writev(f->sv[0], iov, 2), (ssize_t)(HLEN + len));
}

/* vif_rx_direct_read once; returns whether it gave the frame; *n what it returned. */
static bool direct_read(struct fixture *f, ssize_t *n)
{
	bool given;

	*n = vif_rx_direct_read(f->fr.v, &f->rd, f->sv[1], f->buf, sizeof(f->buf), &given);
	return given;
}

static const struct virtio_net_hdr gso_hdr = {
	.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	.gso_size = 1448, .csum_start = 34, .csum_offset = 16, .hdr_len = 54,
};

/* No grant is left pinned: GTF_reading and GTF_writing clear on every buffer. */
static void assert_nothing_pinned(struct fixture *f)
{
	const grant_entry_v1_t *e = netif_front_page(&f->fr, NETIF_FRONT_GFN_GNTTAB);

	for (unsigned int i = 0; i < NR_PAGES; i++)
		assert_int_equal(e[REF_BUF + i].flags & (GTF_reading | GTF_writing), 0);
}

/* The frame both ways: the copy path (vif_deliver_offload) into posted pages, then the direct read. */
static void assert_same_both_ways(struct fixture *f, const struct virtio_net_hdr *h,
				  uint8_t *frame, size_t len)
{
	static struct got copied, direct;
	static uint8_t copy[65549];
	ssize_t n;

	post(f, 0, 18);
	memcpy(copy, frame, len);
	assert_int_equal(vif_deliver_offload(f->fr.v, copy, len, h->gso_type ? h->gso_size : 0,
					     (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0,
					     (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) != 0), 0);
	collect(f, &copied);
	post(f, 20, 18);
	kernel_send(f, h, frame, len);
	assert_true(direct_read(f, &n));
	assert_int_equal(n, (ssize_t)(HLEN + len));
	collect(f, &direct);
	assert_int_equal(direct.n, copied.n);
	assert_memory_equal(direct.rsp, copied.rsp, sizeof(direct.rsp));
	assert_int_equal(direct.len, len);
	assert_memory_equal(direct.data, frame, len);
	assert_memory_equal(copied.data, frame, len);
	assert_int_equal(f->fr.v->stats.to_guest_frames, 2);
	assert_int_equal(f->fr.v->stats.to_guest_bytes, 2 * len);
	assert_nothing_pinned(f);
	assert_int_equal(f->d->violations, 0);
}

static void a_gso_frame_read_into_the_guests_pages_is_what_the_copy_gives(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[65549];
	size_t len = tcp_frame(frame, 65495); /* the largest: 17 pages, the last 13 bytes */

	front_setup(f, "null");
	assert_same_both_ways(f, &gso_hdr, frame, len);
	assert_int_equal(f->rd.direct, 1);
	assert_true(f->rd.bulk);
}

static void a_small_validated_frame_read_directly_is_what_the_copy_gives(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1000);

	front_setup(f, "null");
	assert_same_both_ways(f, &h, frame, len);
	assert_false(f->rd.bulk); /* the next frame is read and copied as before */
}

static void frames_in_a_row_each_take_the_next_buffers(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[2][65549];
	size_t len[2] = { tcp_frame(frame[0], 65495), tcp_frame(frame[1], 30000) };
	bool seen[256] = { false };
	RING_IDX prod;
	struct got g;
	ssize_t n;

	front_setup(f, "null");
	frame[1][60] ^= 0xff; /* the two payloads differ */
	post(f, 0, 36);
	for (int i = 0; i < 2; i++) {
		kernel_send(f, &gso_hdr, frame[i], len[i]);
		assert_true(direct_read(f, &n));
	}
	prod = f->fr.rx.sring->rsp_prod;
	assert_int_equal(prod, 18 + 9); /* 17 data slots and the extra, then 8 and the extra */
	for (RING_IDX i = 0; i < prod; i++) {
		uint16_t id = RING_GET_RESPONSE(&f->fr.rx, i)->id;

		if (i == 1 || i == 19)
			continue; /* each frame's GSO extra */
		assert_false(seen[id]); /* each buffer answered once */
		seen[id] = true;
	}
	for (int i = 0; i < 2; i++) {
		RING_IDX first = f->fr.rx.rsp_cons;

		f->fr.rx.sring->rsp_prod = first + (i ? 9 : 18); /* one frame at a time */
		collect(f, &g);
		assert_int_equal(g.len, len[i]);
		assert_memory_equal(g.data, frame[i], len[i]);
		f->fr.rx.sring->rsp_prod = prod;
	}
}

static void small_frames_are_read_as_before_until_a_large_one_comes(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr none = { 0 };
	static uint8_t frame[65549];
	size_t len;
	ssize_t n;

	front_setup(f, "null");
	f->rd.bulk = false;
	post(f, 0, 18);
	len = tcp_frame(frame, 100);
	kernel_send(f, &none, frame, len);
	assert_false(direct_read(f, &n)); /* read into buf: the caller delivers it */
	assert_int_equal(n, (ssize_t)(HLEN + len));
	assert_memory_equal(f->buf + HLEN, frame, len);
	len = tcp_frame(frame, 30000);
	kernel_send(f, &gso_hdr, frame, len);
	assert_false(direct_read(f, &n));
	assert_memory_equal(f->buf + HLEN, frame, len);
	assert_true(f->rd.bulk);
	kernel_send(f, &gso_hdr, frame, len);
	assert_true(direct_read(f, &n));
	assert_int_equal(f->fr.rx.sring->rsp_prod, 9); /* 8 data slots and the extra */
}

/* Runs the frame through the copy path after a direct read that must not take it. */
static void refused_then_copied(struct fixture *f, const struct virtio_net_hdr *h,
				const uint8_t *frame, size_t len)
{
	ssize_t n;

	kernel_send(f, h, frame, len);
	assert_false(direct_read(f, &n));
	assert_int_equal(n, (ssize_t)(HLEN + len));
	assert_memory_equal(f->buf + HLEN, frame, len);
	assert_int_equal(f->fr.rx.sring->rsp_prod, f->fr.rx.rsp_cons); /* nothing answered */
	assert_nothing_pinned(f);
	vif_deliver_offload(f->fr.v, f->buf + HLEN, len, h->gso_size, true, false);
}

struct bad_grant_run {
	struct fixture *f;
	bool direct;
	unsigned int slot; /* the posted buffer whose grant is bad */
	bool readonly;     /* read-only, else revoked */
};

/* A GSO frame into 18 posted buffers, one with a bad grant, by the copy path or direct first. */
static void bad_grant_run(void *arg)
{
	struct bad_grant_run *r = arg;
	struct fixture *f = r->f;
	static uint8_t frame[65549];
	size_t len = tcp_frame(frame, 65495); /* all 18 buffers: the next run starts afresh */
	grant_entry_v1_t *e = netif_front_page(&f->fr, NETIF_FRONT_GFN_GNTTAB);

	f->next_id = 0;
	post(f, 0, 18);
	if (r->readonly)
		netif_front_grant(&f->fr, REF_BUF + r->slot, GFN_BUF + r->slot, true);
	else
		e[REF_BUF + r->slot].flags = 0;
	if (r->direct)
		refused_then_copied(f, &gso_hdr, frame, len);
	else
		vif_deliver_offload(f->fr.v, frame, len, 1448, true, false);
	netif_front_grant(&f->fr, REF_BUF + r->slot, GFN_BUF + r->slot, false);
}

/* The copy path's report for a bad grant, and the direct read's: the same, once each. */
static void assert_same_report(struct fixture *f, unsigned int slot, bool readonly)
{
	struct bad_grant_run r = { f, false, slot, readonly };
	char copied[1024], direct[1024];
	struct got g;

	stderr_capture_run(copied, sizeof(copied), bad_grant_run, &r);
	collect(f, &g);
	assert_int_equal(g.n, 18);
	assert_int_equal(g.rsp[0].status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 1);
	r.direct = true;
	stderr_capture_run(direct, sizeof(direct), bad_grant_run, &r);
	assert_int_equal(f->d->violations, 2);
	/* The same words but the ring position ("RX slot N"), 18 further on. */
	assert_non_null(strstr(copied, "grant copy to ref"));
	assert_non_null(strstr(direct, "(id "));
	assert_string_equal(strstr(direct, "(id "), strstr(copied, "(id "));
	collect(f, &g);
	assert_int_equal(g.n, 18);
	assert_int_equal(g.rsp[0].status, NETIF_RSP_ERROR);
	assert_int_equal(f->rd.direct, 0);
}

static void a_read_only_grant_is_refused_with_the_copy_paths_report(void **state)
{
	struct fixture *f = *state;

	front_setup(f, "null");
	assert_same_report(f, 0, true);
}

static void a_revoked_grant_is_refused_with_the_copy_paths_report(void **state)
{
	struct fixture *f = *state;

	front_setup(f, "null");
	assert_same_report(f, 9, false);
}

static void a_ring_with_too_few_buffers_leaves_the_frame_to_the_copy(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[65549];
	size_t len = tcp_frame(frame, 30000); /* 8 data slots and the extra */
	struct got g;

	front_setup(f, "null");
	post(f, 0, 10);
	refused_then_copied(f, &gso_hdr, frame, len);
	collect(f, &g);
	assert_int_equal(g.n, 9);
	assert_int_equal(g.len, len);
	assert_memory_equal(g.data, frame, len);
	assert_int_equal(f->rd.direct, 0);
}

static void a_capture_file_forces_the_copy(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[65549];
	size_t len = tcp_frame(frame, 65160);
	char spec[128];

	snprintf(spec, sizeof(spec), "null,capture=%s", f->cap);
	front_setup(f, spec);
	post(f, 0, 18);
	refused_then_copied(f, &gso_hdr, frame, len);
	assert_int_equal(f->fr.v->stats.to_guest_frames, 1);
	assert_int_equal(f->rd.direct, 0);
}

static void rx_impairment_forces_the_copy(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr none = { 0 };
	uint8_t frame[1514];
	size_t len = tcp_frame(frame, 1000);
	ssize_t n;

	front_setup(f, "null,rx-delay=1");
	post(f, 0, 18);
	kernel_send(f, &none, frame, len);
	assert_false(direct_read(f, &n));
	assert_memory_equal(f->buf + HLEN, frame, len);
	assert_int_equal(f->fr.rx.sring->rsp_prod, 0);
}

static void frames_failing_a_check_after_the_read_never_reach_the_guest(void **state)
{
	struct fixture *f = *state;
	/* A blank checksum where no TCP/UDP-over-IPv4 header is: filled by the copy path. */
	struct virtio_net_hdr arp = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 14,
				      .csum_offset = 6 };
	struct virtio_net_hdr none = { 0 };
	struct virtio_net_hdr udp_gso = { .gso_type = VIRTIO_NET_HDR_GSO_UDP, .gso_size = 1000 };
	static uint8_t frame[65549];
	size_t len;
	ssize_t n;
	struct got g;

	front_setup(f, "null");
	post(f, 0, 18);
	memset(frame, 0x5a, 60);
	frame[12] = 0x08;
	frame[13] = 0x06;
	kernel_send(f, &arp, frame, 60);
	assert_false(direct_read(f, &n));
	assert_memory_equal(f->buf + HLEN, frame, 60);
	len = tcp_frame(frame, 5000); /* over the MTU without GSO: vif_deliver drops it */
	f->rd.bulk = true;
	kernel_send(f, &none, frame, len);
	assert_false(direct_read(f, &n));
	assert_int_equal(n, (ssize_t)(HLEN + len));
	assert_memory_equal(f->buf + HLEN, frame, len);
	kernel_send(f, &udp_gso, frame, len);
	assert_false(direct_read(f, &n));
	kernel_send(f, &none, frame, 10); /* shorter than an Ethernet header */
	assert_false(direct_read(f, &n));
	assert_int_equal(n, (ssize_t)(HLEN + 10));
	assert_int_equal(f->fr.rx.sring->rsp_prod, 0); /* no response: the buffers stay posted */
	assert_int_equal(f->rd.copied, 4);
	assert_nothing_pinned(f);
	/* The same buffers take the next frame. */
	len = tcp_frame(frame, 20000);
	kernel_send(f, &gso_hdr, frame, len);
	f->rd.bulk = true;
	assert_true(direct_read(f, &n));
	collect(f, &g);
	assert_int_equal(g.len, len);
	assert_memory_equal(g.data, frame, len);
	assert_int_equal(f->d->violations, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_gso_frame_read_into_the_guests_pages_is_what_the_copy_gives),
		T(a_small_validated_frame_read_directly_is_what_the_copy_gives),
		T(frames_in_a_row_each_take_the_next_buffers),
		T(small_frames_are_read_as_before_until_a_large_one_comes),
		T(a_read_only_grant_is_refused_with_the_copy_paths_report),
		T(a_revoked_grant_is_refused_with_the_copy_paths_report),
		T(a_ring_with_too_few_buffers_leaves_the_frame_to_the_copy),
		T(a_capture_file_forces_the_copy),
		T(rx_impairment_forces_the_copy),
		T(frames_failing_a_check_after_the_read_never_reach_the_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
