/*
 * echo: ICMP echo plus a UDP echo service (RFC 862) on port 7, with a static
 * address or DHCP. net_init configures every vif from the guest command
 * line (ip=ADDR/PREFIX gw=ADDR, or dhcp), the backend's "ip" key, or DHCP;
 * the stack answers ping itself, and this program sends every UDP datagram
 * on port 7 back to where it came from. Runs until shut down, or with the
 * guest argument `count=N`, until it has echoed N datagrams; prints the
 * counters when it ends.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <net/net.h>
#include <uk.h>

#define ECHO_PORT 7
#define INIT_TIMEOUT_NS (30 * UK_NSEC_PER_SEC)
#define MAX_DATAGRAM 65535

struct echo {
	struct net_socket *sock;
	uint64_t received, echoed, send_errors, limit;
	bool reported;
};

static struct echo app;
static uint8_t buf[MAX_DATAGRAM];

static void report(void)
{
	if (app.reported)
		return;
	app.reported = true;
	uk_printf("echo: %" PRIu64 " datagrams received, %" PRIu64 " echoed, %" PRIu64
		  " send errors\n", app.received, app.echoed, app.send_errors);
	for (unsigned int i = 0; i < net_if_count(); i++) {
		struct net_if_stats st;

		net_if_stats(net_if_get(i), &st);
		uk_printf("if%u: rx %" PRIu64 " tx %" PRIu64 " frames, icmp echo replies %" PRIu64
			  ", udp bad checksum %" PRIu64 " bad length %" PRIu64
			  " no port %" PRIu64 ", ip bad %" PRIu64 "\n", i, st.rx_frames,
			  st.tx_frames, st.icmp_echo_replies, st.udp_bad_checksum,
			  st.udp_bad_length, st.udp_no_port,
			  st.ip_bad_header + st.ip_bad_checksum + st.ip_bad_length);
	}
}

static void print_interfaces(void)
{
	for (unsigned int i = 0; i < net_if_count(); i++) {
		struct net_if_config cfg;
		char addr[16], gw[16];

		net_if_get_config(net_if_get(i), &cfg);
		uk_printf("echo: if%u %s/%d gateway %s\n", i, ip4_addr_str(cfg.addr, addr),
			  ip4_mask_prefix(cfg.netmask), ip4_addr_str(cfg.gateway, gw));
	}
}

static int echo_one(void)
{
	ip4_addr_t src;
	uint16_t port;
	int n = net_recvfrom(app.sock, buf, sizeof(buf), &src, &port, 0);

	if (n == -ECONNREFUSED || n == -EHOSTUNREACH)
		return 0; /* an earlier echo's peer went away: not ours to worry about */
	if (n < 0)
		return n;
	app.received++;
	if (net_sendto(app.sock, buf, (size_t)n, src, port) < 0)
		app.send_errors++;
	else
		app.echoed++;
	return 0;
}

int app_main(int argc, char **argv)
{
	int rc;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "count=", 6))
			app.limit = strtoull(argv[i] + 6, NULL, 10);
	uk_atexit(report);
	rc = net_init(argc, argv, uk_now_ns() + INIT_TIMEOUT_NS);
	if (rc == -ETIMEDOUT)
		uk_printf("echo: not every interface has an address yet; DHCP keeps trying\n");
	else if (rc < 0) {
		uk_printf("echo: no network: error %d (give the unikernel --vif ...)\n", rc);
		return 1;
	}
	print_interfaces();
	if ((rc = net_socket(NET_SOCK_DGRAM, &app.sock)) < 0 ||
	    (rc = net_bind(app.sock, IP4_ANY, ECHO_PORT)) < 0) {
		uk_printf("echo: cannot open UDP port %d: error %d\n", ECHO_PORT, rc);
		return 1;
	}
	uk_printf("echo: answering ping and UDP port %d\n", ECHO_PORT);
	while (!app.limit || app.echoed < app.limit)
		if ((rc = echo_one()) < 0) {
			uk_printf("echo: receive failed: error %d\n", rc);
			return 1;
		}
	report();
	net_close(app.sock);
	return 0;
}
