/*
 * TCP segmentation offload in the stack (net/netif_offload.c and its hook
 * in net/ip4.c), on the recording link of net_core_fixture.c given a
 * send_tso: a segment over the MTU goes whole to the link with a
 * pseudo-header checksum while the peer's MAC is known, its first MSS as an
 * ordinary, checksummed segment behind ARP while it is not; and how much
 * TCP may put in one segment with and without TSO.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "net_core_fixture.h"

const char uk_app_name[] = "net_tso_test";

#define GSO 1448

static struct {
	unsigned int n;
	size_t len;
	uint16_t gso_size;
	uint8_t data[65536];
} tso;

static int record_tso(void *ctx, const uint8_t *frame, size_t len, uint16_t gso_size)
{
	tso.n++;
	tso.len = len;
	tso.gso_size = gso_size;
	memcpy(tso.data, frame, len);
	return 0;
}

static int tso_setup(void **state)
{
	int rc = setup(state);

	nif->link.send_tso = record_tso;
	nif->link.tso_max = 65535;
	memset(&tso, 0, sizeof(tso));
	return rc;
}

/* A TCP segment of n payload bytes, its checksum field the folded pseudo-header sum. */
static size_t tcp_seg(uint8_t *s, size_t n, uint8_t flags)
{
	uint32_t sum = net_csum_pseudo(OUR_IP, PEER_IP, IP4_PROTO_TCP, (uint16_t)(20 + n));

	memset(s, 0, 20);
	net_put16(s, 80);
	net_put16(s + 2, 40000);
	net_put32(s + 4, 1000);
	s[12] = 0x50;
	s[13] = flags;
	net_put16(s + 14, 65535);
	for (size_t i = 0; i < n; i++)
		s[20 + i] = (uint8_t)(i * 3 + 1);
	net_put16(s + 16, (uint16_t)~net_csum_fold(sum));
	return 20 + n;
}

/* The TCP checksum of an IPv4 packet adds up, computed with the test peer's sums. */
static void assert_tcp_csum_valid(const uint8_t *ip, size_t len)
{
	uint8_t ph[12];
	uint32_t sum;

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = IP4_PROTO_TCP;
	peer_put16(ph + 10, (uint16_t)(len - 20));
	sum = peer_csum_add(peer_csum_add(0, ph, 12), ip + 20, len - 20);
	assert_int_equal(peer_csum_fold(sum), 0);
}

static void test_a_tso_segment_goes_whole_to_the_link(void **state)
{
	static uint8_t seg[60000];
	size_t len = tcp_seg(seg, 50000, 0x18);
	const uint8_t *ip = tso.data + ETH_HLEN;
	uint16_t id = nif->ip_id;

	peer_known();
	assert_int_equal(ip4_output_df_gso(nif, OUR_IP, PEER_IP, IP4_PROTO_TCP, seg, len, GSO), 0);
	assert_int_equal(tx.n, 0); /* nothing through the ordinary send */
	assert_int_equal(tso.n, 1);
	assert_int_equal(tso.gso_size, GSO);
	assert_int_equal(tso.len, ETH_HLEN + 20 + len);
	assert_memory_equal(tso.data, peer_mac, 6);
	assert_ip_valid(ip, 20 + len);
	assert_int_equal(net_get16(ip + 6), 0x4000); /* DF */
	assert_int_equal(net_get16(ip + 4), id);
	assert_memory_equal(ip + 20, seg, len);
	/* The segments the link makes take ids from this one up. */
	assert_true((uint16_t)(nif->ip_id - id) >= (50000 + GSO - 1) / GSO);
}

static void test_before_arp_the_first_mss_goes_as_an_ordinary_segment(void **state)
{
	static uint8_t seg[60000];
	size_t len = tcp_seg(seg, 50000, 0x19 /* FIN|PSH|ACK */), got;
	const uint8_t *ip;

	assert_int_equal(ip4_output_df_gso(nif, OUR_IP, PEER_IP, IP4_PROTO_TCP, seg, len, GSO), 0);
	assert_int_equal(tso.n, 0);
	assert_int_equal(tx.n, 1);
	assert_true(is_arp_request_for(0, PEER_IP));
	arp_in(2, peer_mac, PEER_IP, OUR_IP, our_mac);
	assert_int_equal(tx.n, 2);
	ip = frame_ip(1, &got);
	assert_int_equal(got, 20 + 20 + GSO);
	assert_ip_valid(ip, got);
	assert_tcp_csum_valid(ip, got);
	assert_int_equal(ip[20 + 13], 0x10); /* not the end: no FIN, no PSH */
	assert_memory_equal(ip + 40, seg + 20, GSO);
	assert_int_equal(tso.n, 0);
}

static void test_tcp_may_send_many_mss_in_one_segment_only_with_tso(void **state)
{
	assert_int_equal(netif_tso_payload_max(nif, 1448), 45 * 1448);
	assert_int_equal(netif_tso_payload_max(nif, 536), 122 * 536);
	nif->link.tso_max = 3000;
	assert_int_equal(netif_tso_payload_max(nif, 1448), 1448 * 2);
	nif->link.tso_max = 100;
	assert_int_equal(netif_tso_payload_max(nif, 1448), 1448);
	nif->link.send_tso = NULL;
	nif->link.tso_max = 65535;
	assert_int_equal(netif_tso_payload_max(nif, 1448), 1448);
	assert_int_equal(netif_tso_payload_max(NULL, 1448), 1448);
}

static void test_a_tso_segment_over_64k_or_without_tso_is_emsgsize(void **state)
{
	static uint8_t seg[65536];

	peer_known();
	assert_int_equal(ip4_output_df_gso(nif, OUR_IP, PEER_IP, IP4_PROTO_TCP, seg, 65516, GSO),
			 -EMSGSIZE);
	nif->link.send_tso = NULL;
	tcp_seg(seg, 3000, 0x10);
	assert_int_equal(ip4_output_df_gso(nif, OUR_IP, PEER_IP, IP4_PROTO_TCP, seg, 3020, GSO),
			 -EMSGSIZE);
	assert_int_equal(tso.n, 0);
	assert_int_equal(tx.n, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tso_setup, teardown)

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_a_tso_segment_goes_whole_to_the_link),
		T(test_before_arp_the_first_mss_goes_as_an_ordinary_segment),
		T(test_tcp_may_send_many_mss_in_one_segment_only_with_tso),
		T(test_a_tso_segment_over_64k_or_without_tso_is_emsgsize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
