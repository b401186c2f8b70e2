/*
 * What the tests that watch the guest's advertised window during an upload
 * share (tcp_rcvbuf_test.c, tcp_rx_direct_test.c): the peer's side of the
 * upload (tests/support/tcp_helper.c's peer), which follows the right edge
 * of the window the guest advertises.
 */
/* Each test file includes this header once, hence the static helpers. */
#ifndef TESTS_UNIT_TCP_UPLOAD_FIXTURE_H
#define TESTS_UNIT_TCP_UPLOAD_FIXTURE_H

#include <string.h>

#include "net/tcp_private.h"
#include "tests/support/tcp_helper.h"

/* The peer's side of an upload: the right edge the guest advertised last. */
struct upload {
	struct th_conn c;
	struct net_socket *s;
	uint8_t ws;
	uint32_t edge;         /* ACK + window of the guest's latest segment */
	unsigned int seen;     /* guest segments looked at */
};

/* Takes in the guest's segments recorded since the last call. */
static inline void upload_track(struct upload *u)
{
	for (; u->seen < th_count(); u->seen++) {
		const struct th_seg *g = th_get(u->seen);
		uint32_t edge = g->ack + ((uint32_t)g->wnd << u->ws);

		if (!(g->flags & TH_ACK) || (g->flags & TH_SYN))
			continue;
		if (tcp_seq_gt(edge, u->edge))
			u->edge = edge;
		u->c.our_ts = g->tsval;
	}
	if (th_count() > TH_MAX_SEGS / 2) {
		th_reset();
		u->seen = 0;
	}
}

/* A connection to listener with window scale and timestamps, as Linux opens one. */
static inline void upload_open(struct upload *u, struct net_socket *listener, uint16_t peer_port)
{
	memset(u, 0, sizeof(*u));
	th_reset();
	u->s = th_open_passive(listener, 80, peer_port, 1000, true, &u->c);
	u->ws = u->s->stream.pcb->rcv_ws;
	u->edge = u->c.peer_nxt + 65535; /* the SYN-ACK's window, never scaled */
	u->c.peer_wnd = 65535;
}

#endif
