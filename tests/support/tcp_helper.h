/*
 * A TCP peer for tests of the stack's TCP (tests/unit/tcp_*_test.c), after
 * lwIP's test/unit/tcp/tcp_helper.c: it builds the segments the peer sends,
 * with checksums computed here independently of the stack, hands them to
 * net_if_input, and records and parses every segment the guest sends, with
 * the guest time it left at.
 *
 * The stack runs on one interface (10.0.0.2/24) over a test link; the peer is
 * 10.0.0.1. The link answers the guest's ARP requests for the peer from a
 * zero-delay timer (never from inside the send), so long tests survive ARP
 * expiry. Run the tests with --clock virtual: times are then exact.
 */
#ifndef TESTS_SUPPORT_TCP_HELPER_H
#define TESTS_SUPPORT_TCP_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/include/net/ip4.h"
#include "net/include/net/socket.h"

#define TH_OUR_IP IP4_ADDR(10, 0, 0, 2)
#define TH_PEER_IP IP4_ADDR(10, 0, 0, 1)
#define TH_MS UINT64_C(1000000)
#define TH_S UINT64_C(1000000000)

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define TH_MAX_SEGS 512
#define TH_MAX_DATA 1460
#define TH_MAX_GRO (65535 - 20 - 60) /* th_conn_send_gro's payload: an IPv4 datagram's */

/* One segment, either way. Options are sent when their has_ flag is set. */
struct th_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	const uint8_t *data; /* fed: the payload; recorded: a copy kept by the helper */
	size_t len;
	bool has_mss, has_ws, has_ts, sack_ok;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
	uint8_t n_sack;      /* SACK blocks, [start, end) */
	uint32_t sack[4][2];
	/* Recorded segments only. */
	uint64_t time_ns;    /* when the guest sent it */
	bool csum_ok;
	bool df;             /* the IP header's Don't Fragment */
	ip4_addr_t src, dst;
};

/* Creates the interface the first time; every call forgets what was sent. */
int th_setup(void);
void th_teardown(void);
struct net_if *th_nif(void);

/* Feeds a segment from the peer to us (checksum right unless bad_csum). */
void th_feed(const struct th_seg *s);
/*
 * The frames fed from th_batch_begin to th_batch_end come as one netfront
 * batch; th_batch_end runs what the scheduler's pass after one runs (the
 * timers due). Outside a batch, each th_feed* ends one.
 */
void th_batch_begin(void);
void th_batch_end(void);
void th_feed_bad_csum(const struct th_seg *s);
/* Feeds len raw bytes as the TCP part of an IPv4 datagram from the peer. */
void th_feed_raw(const uint8_t *tcp, size_t len);

/*
 * The peer's router answers a segment the guest sent with an ICMP
 * destination unreachable (code; mtu: the next-hop MTU of code 4) quoting it.
 */
void th_feed_icmp_unreach(uint8_t code, uint16_t mtu, const struct th_seg *quoted);

/* TCP segments the guest sent since th_reset, in order. */
unsigned int th_count(void);
const struct th_seg *th_get(unsigned int i);
const struct th_seg *th_last(void);
void th_reset(void);
/* How many of them carried data. */
unsigned int th_data_count(void);

/* --- a peer's view of one connection --- */
struct th_conn {
	uint16_t our_port, peer_port;
	uint32_t peer_nxt;   /* the peer's next sequence number */
	uint32_t our_nxt;    /* what the peer acknowledges: our next sequence number */
	uint16_t peer_wnd;   /* the window the peer advertises */
	bool ts;             /* timestamps agreed */
	uint32_t peer_ts;    /* the peer's timestamp clock */
	uint32_t our_ts;     /* the last timestamp the guest sent */
};

/* A segment of conn from the peer with the ACK flag and the connection's numbers. */
struct th_seg th_conn_seg(const struct th_conn *c, uint8_t flags);
/* Sends len bytes from the peer (advancing peer_nxt), acknowledging our_nxt. */
void th_conn_send(struct th_conn *c, const void *data, size_t len);
/*
 * Sends len bytes (up to TH_MAX_GRO) in one segment, as netfront hands the
 * stack a receive-offload segment; th_conn_send stops at TH_MAX_DATA.
 */
void th_conn_send_gro(struct th_conn *c, const void *data, size_t len);
/*
 * The whole frame (Ethernet, IPv4, TCP) of th_conn_send_gro's segment of len
 * bytes at seq, built into f and not fed (peer_nxt unchanged); its length.
 */
size_t th_conn_frame(const struct th_conn *c, uint32_t seq, const void *data, size_t len,
		     uint8_t *f);
/* Sends a pure ACK for everything the guest sent so far (our_nxt). */
void th_conn_ack(struct th_conn *c);
void th_conn_ack_to(struct th_conn *c, uint32_t ack);

/*
 * The peer connects to our listener on port: SYN, checks the SYN-ACK,
 * ACKs it. opts: whether the SYN offers window scale and timestamps.
 * Returns the accepted socket (net_accept at once).
 */
struct net_socket *th_open_passive(struct net_socket *listener, uint16_t port,
				   uint16_t peer_port, uint32_t peer_iss, bool opts,
				   struct th_conn *c);
/*
 * The peer connects to our listener on port 80 with a SYN offering SACK and
 * an MSS of 1460 (and timestamps when ts); checks that the SYN-ACK agrees
 * SACK, ACKs it and returns the accepted socket.
 */
struct net_socket *th_open_passive_sack(struct net_socket *listener, uint16_t peer_port,
					bool ts, struct th_conn *c);
/* th_open_passive_sack on the group's listener, then Nagle off (NET_OPT_NODELAY). */
struct net_socket *th_open_sack_nodelay(uint16_t peer_port, bool ts, struct th_conn *c);
/* An ACK at ack carrying the SACK blocks [base + a, base + b) of blocks. */
void th_conn_ack_sack(struct th_conn *c, uint32_t ack, uint32_t base,
		      const uint32_t (*blocks)[2], unsigned int n);
/*
 * A guest thread connects to the peer's port; the helper answers the SYN
 * with a SYN-ACK (window scale and timestamps when opts) and returns the
 * connected socket. The guest's final ACK is checked.
 */
struct net_socket *th_open_active(uint16_t peer_port, uint32_t peer_iss, bool opts,
				  struct th_conn *c);

/*
 * TSO on the test link: th_tso_on gives it a send_tso taking segments of up
 * to 65535 bytes whole, recorded in *t (cleared first); th_tso_off takes it
 * away again.
 */
struct th_tso {
	unsigned int n;     /* TSO segments the link was handed */
	uint32_t first_seq; /* the first one's sequence number */
	size_t first_len;   /* its TCP payload */
	size_t last_len;    /* the last one's TCP payload */
};
void th_tso_on(struct th_tso *t);
void th_tso_off(void);

/* Lets guest time pass (timers fire meanwhile). */
void th_sleep(uint64_t ns);
uint64_t th_now(void);

/*
 * The CMocka fixture every tcp_*_test.c runs under. A group opens the
 * interface and a listener on port 80 (backlog 8), returned in *listener
 * (th_group_listen), and closes both at its end (th_group_teardown). Each
 * test starts a second of guest time later (so the challenge-ACK and ICMP
 * rate limits start afresh) with nothing recorded (th_test_setup), and must
 * end its connections: only the listener is left (th_test_teardown).
 * th_group_setup is th_group_listen for a group that asks th_listener()
 * for the listener; TH_TEST(f) runs test f under the tests' fixture.
 */
int th_group_listen(struct net_socket **listener);
int th_group_setup(void **state);
struct net_socket *th_listener(void);
int th_group_teardown(void **state);
int th_test_setup(void **state);
int th_test_teardown(void **state);
#define TH_TEST(f) cmocka_unit_test_setup_teardown(f, th_test_setup, th_test_teardown)

#endif
