/*
 * libFuzzer harness: each input is one Ethernet frame handed to
 * net_if_input of an interface configured as 10.0.0.2/24 (gateway
 * 10.0.0.1) on a link that checks and drops what the stack sends.
 *
 * The net objects are the guest code, unchanged (build.sh compiles them
 * with the guest's freestanding headers). They run without a booted guest:
 * runtime_stubs.c provides the few runtime functions they call, on the host:
 * malloc-backed uk_malloc, a fake clock that advances FUZZ_TICK_NS before
 * each input (the harness then runs the due timers, ARP and reassembly,
 * with the real runtime/timer.c, as the scheduler would), and threads and wait queues that never
 * block. A send the link must refuse (shorter than 14 bytes or longer than
 * the MTU plus 14) aborts: the stack must never build one.
 *
 * TCP: a socket listens on port 80 (connections it completes are accepted,
 * read from and closed), and the harness keeps one connection established
 * from the gateway's address to it. An input whose first byte is 0xfe is
 * not a frame but a segment for that connection, built by the harness with
 * the right addresses and checksum: byte 1 the flags, bytes 2-5 and 6-9
 * offsets added to the sequence number the guest expects and to the one it
 * sends next, 10-11 the window, 12 the option bytes that follow (up to 40),
 * then options and payload. So the fuzzer reaches every state of an
 * established connection without guessing its initial sequence number.
 * Every other connection has agreed SACK, timestamps and window scaling.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_private.h"
#include <net/socket.h>

#include "fuzz_target.h"
#include "runtime_stubs.h"
#include "timer_private.h"

#define TCP_MODE 0xfe
#define TCP_PORT 80

/* The connection the harness drives, as the peer sees it from what the guest sends. */
static struct {
	struct net_socket *listener, *conn;
	uint16_t peer_port;
	uint32_t guest_ack;   /* the guest's latest ACK: the sequence number it expects */
	uint32_t guest_next;  /* the guest's next sequence number */
	bool syn_ack_seen;
} tcp;

static void tcp_watch(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + ETH_HLEN, *t;
	size_t ihl;
	uint32_t end;

	if (len < ETH_HLEN + 20 || net_get16(frame + 12) != ETH_TYPE_IP4 || ip[9] != IP4_PROTO_TCP)
		return;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (len < ETH_HLEN + ihl + 20 || net_get16(ip + ihl + 2) != tcp.peer_port)
		return;
	t = ip + ihl;
	end = net_get32(t + 4) + (uint32_t)(net_get16(ip + 2) - ihl - (size_t)(t[12] >> 4) * 4) +
	      !!(t[13] & 0x02) + !!(t[13] & 0x01);
	if (t[13] & 0x10)
		tcp.guest_ack = net_get32(t + 8);
	if ((t[13] & 0x12) == 0x12)
		tcp.syn_ack_seen = true;
	if ((int32_t)(end - tcp.guest_next) > 0 || (t[13] & 0x02))
		tcp.guest_next = end;
}

/* --- the interface --- */

static int link_send(void *ctx, const uint8_t *frame, size_t len)
{
	if (len < ETH_HLEN || len > ETH_HLEN + FUZZ_MTU) {
		fprintf(stderr, "the stack sent a %zu-byte frame\n", len);
		abort();
	}
	tcp_watch(frame, len);
	/* Touch every byte so that ASan checks the whole frame. */
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < len; i++)
		sink ^= frame[i];
	(void)sink;
	return 0;
}

static struct net_if *fuzz_if(void)
{
	static struct net_if *nif;
	static const uint8_t ip[4] = FUZZ_IP, gw[4] = FUZZ_GW;
	struct net_link link = { .send = link_send, .mac = FUZZ_MAC, .mtu = FUZZ_MTU };
	struct net_if_config cfg = { 0 };

	if (nif)
		return nif;
	if (net_if_create(&link, &nif) < 0)
		abort();
	memcpy(&cfg.addr, ip, 4);
	memcpy(&cfg.gateway, gw, 4);
	cfg.netmask = ip4_prefix_mask(FUZZ_PREFIX);
	if (net_if_set_config(nif, &cfg) < 0)
		abort();
	return nif;
}

/* A segment from the gateway's peer_port to TCP_PORT: the TCP part at seg, len bytes. */
static void tcp_feed(struct net_if *nif, uint8_t *seg, size_t len)
{
	static const uint8_t src[4] = FUZZ_GW, dst[4] = FUZZ_IP;
	uint8_t frame[ETH_HLEN + 20 + 60 + FUZZ_MTU];
	uint8_t *ip = frame + ETH_HLEN;
	ip4_addr_t s, d;

	memcpy(&s, src, 4);
	memcpy(&d, dst, 4);
	memcpy(frame, (const uint8_t[6])FUZZ_MAC, 6);
	memcpy(frame + 6, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x99 }, 6);
	net_put16(frame + 12, ETH_TYPE_IP4);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	net_put16(ip + 2, (uint16_t)(20 + len));
	ip[8] = 64;
	ip[9] = IP4_PROTO_TCP;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	net_put16(ip + 10, net_csum_fold(net_csum_add(0, ip, 20)));
	net_put16(seg + 16, 0);
	net_put16(seg + 16, net_csum_fold(net_csum_add(net_csum_pseudo(s, d, IP4_PROTO_TCP,
								       (uint16_t)len),
						       seg, len)));
	memcpy(ip + 20, seg, len);
	net_if_input(nif, frame, ETH_HLEN + 20 + len);
}

/*
 * A segment of the harness's own (handshake): flags, seq, ack. Every other
 * connection's SYN offers MSS, SACK, timestamps and window scaling, so that
 * fuzzed segments meet those paths too.
 */
static void tcp_feed_simple(struct net_if *nif, uint8_t flags, uint32_t seq, uint32_t ack)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					  1, 3, 3, 7 };
	bool with = (flags & 0x02) && (tcp.peer_port & 1);
	uint8_t seg[40] = { 0 };
	size_t len = with ? 40 : 20;

	net_put16(seg, tcp.peer_port);
	net_put16(seg + 2, TCP_PORT);
	net_put32(seg + 4, seq);
	net_put32(seg + 8, ack);
	seg[12] = (uint8_t)((len / 4) << 4);
	seg[13] = flags;
	net_put16(seg + 14, 65535);
	if (with)
		memcpy(seg + 20, opts, sizeof(opts));
	tcp_feed(nif, seg, len);
}

/* The gateway asks for our address: the stack learns (again) its MAC, and answers at once. */
static void arp_refresh(struct net_if *nif)
{
	static const uint8_t gw[4] = FUZZ_GW, ip[4] = FUZZ_IP;
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x99, 0x08, 0x06,
			  0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x99 };

	memcpy(f + 28, gw, 4);
	memcpy(f + 38, ip, 4);
	net_if_input(nif, f, sizeof(f));
}

/* Opens the harness's connection from the next peer port. */
static void tcp_open(struct net_if *nif)
{
	arp_refresh(nif);
	tcp.peer_port = (uint16_t)(tcp.peer_port < 40000 || tcp.peer_port == 65535
					   ? 40000 : tcp.peer_port + 1);
	tcp.syn_ack_seen = false;
	tcp_feed_simple(nif, 0x02, 1000, 0);
	if (tcp.syn_ack_seen) {
		tcp_feed_simple(nif, 0x10, 1001, tcp.guest_next);
		if (net_accept(tcp.listener, &tcp.conn, stub_now_ns) < 0)
			tcp.conn = NULL;
	}
}

/* Reads what arrived, answers a little, accepts and closes strays, reopens. */
static void tcp_service(struct net_if *nif, bool send)
{
	struct net_socket *extra;
	uint8_t buf[2048];
	static unsigned int calls;
	int rc = 1;

	if (calls++ % 256 == 0) /* ARP entries last 60 s; inputs are 50 ms apart */
		arp_refresh(nif);
	if (!tcp.listener) {
		if (net_socket(NET_SOCK_STREAM, &tcp.listener) < 0 ||
		    net_bind(tcp.listener, IP4_ANY, TCP_PORT) < 0 || net_listen(tcp.listener, 4) < 0)
			abort();
	}
	while (net_accept(tcp.listener, &extra, stub_now_ns) == 0)
		net_close(extra);
	if (tcp.conn) {
		while ((rc = net_recv(tcp.conn, buf, sizeof(buf), stub_now_ns)) > 0)
			;
		if (send && rc == -ETIMEDOUT)
			net_send(tcp.conn, "fuzz", 4, stub_now_ns);
		if (rc != -ETIMEDOUT) {
			net_close(tcp.conn);
			tcp.conn = NULL;
		}
	}
	if (!tcp.conn)
		tcp_open(nif);
}

/* Builds a segment for the connection from the input (see the header comment). */
static void tcp_input_segment(struct net_if *nif, const uint8_t *data, size_t size)
{
	uint8_t seg[60 + FUZZ_MTU];
	size_t olen, plen;

	if (size < 13)
		return;
	olen = data[12] > 40 ? 40 : data[12] & ~3u;
	if (size < 13 + olen)
		olen = (size - 13) & ~(size_t)3;
	plen = size - 13 - olen;
	if (plen > FUZZ_MTU - 20 - 20 - olen)
		plen = FUZZ_MTU - 20 - 20 - olen;
	memset(seg, 0, 20);
	net_put16(seg, tcp.peer_port);
	net_put16(seg + 2, TCP_PORT);
	net_put32(seg + 4, tcp.guest_ack + net_get32(data + 2));
	net_put32(seg + 8, tcp.guest_next + net_get32(data + 6));
	seg[12] = (uint8_t)(((20 + olen) / 4) << 4);
	seg[13] = data[1];
	memcpy(seg + 14, data + 10, 2);
	memcpy(seg + 20, data + 13, olen + plen);
	tcp_feed(nif, seg, 20 + olen + plen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_if *nif = fuzz_if();
	uint8_t *frame;

	stub_now_ns += FUZZ_TICK_NS;
	uk_timer_run_due(stub_now_ns);
	tcp_service(nif, size & 1);
	if (size && data[0] == TCP_MODE) {
		tcp_input_segment(nif, data, size);
		return 0;
	}
	/* An exact-size copy, so that ASan sees any read past the frame. */
	if (!(frame = malloc(size ? size : 1)))
		return 0;
	memcpy(frame, data, size);
	net_if_input(nif, frame, size);
	free(frame);
	return 0;
}
