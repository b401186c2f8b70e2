/*
 * What the tests of the IPv4 stack's core share (net_*_test.c in this
 * directory; net_core_fixture.c): each is a unikernel whose app_main runs
 * its CMocka group (drydock_add_guest_test), run with --clock virtual so that
 * ARP retries, cache lifetimes and reassembly timeouts happen at exact guest
 * times. Each test gets a fresh interface, 10.0.0.2/24 (gateway 10.0.0.1),
 * on a link whose send() records frames (tx; refused while link_busy); a
 * peer, 10.0.0.9, sends frames in with net_if_input. The real UDP layer
 * (net/udp.c) answers datagrams to closed ports. Checksums of what the peer
 * sends, and of what the tests check the stack sent, are the test peer's
 * (tests/support/peer.h), not the stack's own code under test.
 *
 * setup/teardown: every test gives back the guest memory it took; the
 * teardown checks it.
 */
#ifndef TESTS_UNIT_NET_CORE_FIXTURE_H
#define TESTS_UNIT_NET_CORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net_private.h"
#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/sched.h"
#include "runtime/include/uk/time.h"
#include "peer.h"

#define MS UK_NSEC_PER_MSEC
#define SEC UK_NSEC_PER_SEC

#define OUR_IP IP4_ADDR(10, 0, 0, 2)
#define PEER_IP IP4_ADDR(10, 0, 0, 9)
#define GW_IP IP4_ADDR(10, 0, 0, 1)
extern const uint8_t our_mac[6];
extern const uint8_t peer_mac[6];

/* The recording link: the frames the stack sent, and when. */
#define MAX_FRAMES 128
struct net_core_tx {
	unsigned int n;
	size_t len[MAX_FRAMES];
	uint64_t when[MAX_FRAMES];
	uint8_t data[MAX_FRAMES][1600];
};
extern struct net_core_tx tx;
/* While set, the link is busy: it records each frame offered, then refuses it. */
extern bool link_busy;

extern struct net_if *nif;
extern struct uk_mem_stats baseline; /* before the test */
extern size_t ready_blocks;          /* heap blocks with the interface up */
/* Payload bytes for reassembly and fragmentation tests (pattern_fill). */
extern uint8_t pattern[65536 + 64];

int record_send(void *ctx, const uint8_t *frame, size_t len);
void tx_reset(void);
struct uk_mem_stats mem_now(void);
struct net_if_stats stats(void);
int if_make(unsigned int mtu);
int setup(void **state);
int teardown(void **state);
size_t eth_build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type);
void ip_csum_set(uint8_t *h);
size_t ip_build(uint8_t *p, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t id,
		       uint16_t frag, const void *payload, size_t len);
size_t echo_build(uint8_t *m, uint16_t id, uint16_t seq, size_t len);
void ip_in(const uint8_t *pkt, size_t len);
void arp_in(uint16_t op, const uint8_t sha[6], ip4_addr_t spa, ip4_addr_t tpa,
		   const uint8_t eth_dst[6]);
void peer_known(void);
const uint8_t *frame_ip(unsigned int i, size_t *len);
void assert_ip_valid(const uint8_t *ip, size_t len);
bool is_arp_request_for(unsigned int i, ip4_addr_t target);
size_t check_fragments(unsigned int first, unsigned int n, uint8_t *out);
size_t udp_to_closed_port(uint8_t *p, uint16_t id);
void pattern_fill(void);

#endif
