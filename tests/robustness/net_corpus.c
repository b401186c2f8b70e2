/*
 * Feeds every frame of every Ethernet pcap in a directory of malformed and
 * odd real-world captures (tests/corpus/pcap) through the IPv4 stack:
 *   net_corpus [--readdressed-only] [-v] PCAP_DIR
 *
 * The interface is 10.0.0.2/24 (gateway 10.0.0.1) on a link that records
 * what the stack sends; UDP sockets listen on a few well-known ports so that
 * datagrams reach a receive queue, and TCP sockets on others so that
 * segments reach a listener (SYNs make half-open connections, which time out
 * within a file's settling time). Each frame is fed twice, in an exact-size
 * heap copy (so that valgrind sees a read past its end): as captured, and
 * readdressed to the interface (its MAC; for IPv4 its address, with the
 * header checksum fixed; see traces/readdress.h), so that it reaches
 * ARP, IPv4, ICMP and UDP instead of stopping at the Ethernet layer.
 * --readdressed-only feeds the second copy only (the valgrind run, if the
 * corpus grows too big for its time budget).
 *
 * The net objects are the guest code, unchanged; tests/fuzz/runtime_stubs.c
 * provides the runtime functions they call. The fake clock advances
 * TICK_NS before each frame, and SETTLE_S seconds, one at a time, after each
 * file, running the due timers (ARP, reassembly: the real runtime/timer.c)
 * as the scheduler would; so queued packets and partial datagrams expire between files. In
 * every other file the link answers the ARP requests the stack sends, so
 * that what it queued behind them (mostly ICMP errors quoting corpus
 * frames) is sent and checked; in the others the queued packets expire.
 *
 * Fails (exit 1) when the stack sends a frame outside 14..MTU+14 bytes (or,
 * under valgrind, one with undefined bytes), when it still holds heap blocks
 * once a file's timers have expired, or when blocks are left after the
 * interface is destroyed. Files that are not Ethernet pcaps are skipped and
 * counted; files whose reading stops with an error are fed up to the error
 * and counted. Exits 77 (skipped) when PCAP_DIR does not exist.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "net_private.h"
#include <net/netif.h>
#include <net/socket.h>

#include "traces/readdress.h"
#include "tests/fuzz/runtime_stubs.h"
#include "timer_private.h"
#include "traces/pcap_reader.h"

#define MTU 1500
#define TICK_NS (10ULL * 1000 * 1000)
#define SETTLE_S 120

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t our_ip[4] = { 10, 0, 0, 2 }, gw_ip[4] = { 10, 0, 0, 1 };
/* Ports with a listening socket (DNS, DHCP, NTP, NetBIOS, SNMP, IKE, syslog, RIP,
 * RADIUS, BFD, VXLAN, Geneve). */
static const uint16_t ports[] = { 53, 67, 68, 123, 137, 161, 500, 514, 520, 1812, 1813, 3784,
				  4789, 6081 };
#define NPORTS (sizeof(ports) / sizeof(ports[0]))
/* TCP ports with a listener (FTP, SSH, telnet, SMTP, HTTP, HTTPS, HTTP alternate). */
static const uint16_t tcp_ports[] = { 21, 22, 23, 25, 80, 443, 8080 };
#define NTCP (sizeof(tcp_ports) / sizeof(tcp_ports[0]))

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

static struct {
	unsigned int files, ethernet, not_ethernet, unreadable, stopped;
	unsigned long long fed, sent, sent_bytes, bad_sends, received, arp_answers;
	int failed;
} sum;

/* ARP requests the stack sent since the last answer_arp (target addresses). */
static struct {
	int answer; /* whether to answer them (every other file) */
	unsigned int n;
	uint8_t ip[8][4];
} arp_pending;

static int link_send(void *ctx, const uint8_t *frame, size_t len)
{
	sum.sent++;
	sum.sent_bytes += len;
	if (len < ETH_HLEN || len > ETH_HLEN + MTU) {
		fprintf(stderr, "FAIL: the stack sent a %zu-byte frame (MTU %u)\n", len, MTU);
		sum.bad_sends++;
		return -EMSGSIZE;
	}
	/* Under valgrind: every byte of the frame must be defined. */
	(void)VALGRIND_CHECK_MEM_IS_DEFINED(frame, len);
	if (arp_pending.answer && len >= ETH_HLEN + 28 && frame[12] == 0x08 && frame[13] == 0x06 &&
	    frame[20] == 0 && frame[21] == 1 && arp_pending.n < 8)
		memcpy(arp_pending.ip[arp_pending.n++], frame + ETH_HLEN + 24, 4);
	return 0;
}

/*
 * Answers the ARP requests the stack sent, from one peer MAC, so that the
 * packets it queued for them (ICMP errors quoting corpus frames, mostly)
 * go out on the link and meet its checks.
 */
static void answer_arp(struct net_if *nif)
{
	uint8_t f[ETH_HLEN + 28], ips[8][4];
	unsigned int n = arp_pending.n;

	/* Answers may flush queued packets, and the sends may ask again. */
	memcpy(ips, arp_pending.ip, sizeof(ips));
	arp_pending.n = 0;
	for (unsigned int i = 0; i < n; i++) {
		static const uint8_t hdr[8] = { 0, 1, 0x08, 0x00, 6, 4, 0, 2 };

		memcpy(f, our_mac, 6);
		memcpy(f + 6, peer_mac, 6);
		f[12] = 0x08;
		f[13] = 0x06;
		memcpy(f + 14, hdr, 8);
		memcpy(f + 22, peer_mac, 6);
		memcpy(f + 28, ips[i], 4);
		memcpy(f + 32, our_mac, 6);
		memcpy(f + 38, our_ip, 4);
		net_if_input(nif, f, sizeof(f));
		sum.arp_answers++;
	}
}

static void run_timers(struct net_if *nif)
{
	uk_timer_run_due(stub_now_ns);
}

static void feed(struct net_if *nif, const uint8_t *frame, size_t len, int readdress)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("net_corpus: malloc");
		exit(1);
	}
	memcpy(copy, frame, len);
	if (readdress)
		trace_readdress_to(copy, len, our_mac, our_ip);
	stub_now_ns += TICK_NS;
	run_timers(nif);
	net_if_input(nif, copy, len);
	sum.fed++;
	free(copy);
	answer_arp(nif);
}

static void drain(struct net_socket **socks)
{
	uint8_t buf[2048];

	for (size_t i = 0; i < NPORTS; i++)
		while (net_recvfrom(socks[i], buf, sizeof(buf), NULL, NULL, stub_now_ns + 1) >= 0)
			sum.received++;
}

static void feed_file(struct net_if *nif, struct net_socket **socks, const char *path,
		      int readdressed_only, int verbose, uint64_t *baseline)
{
	struct trace_reader *r;
	const uint8_t *frame;
	unsigned long long frames = 0;
	size_t len;
	uint64_t ts;
	char err[512];
	int rc;

	sum.files++;
	if ((rc = trace_reader_open(path, &r, err, sizeof(err))) < 0) {
		if (rc == -EPROTONOSUPPORT)
			sum.not_ethernet++;
		else
			sum.unreadable++;
		if (verbose)
			printf("skipped: %s\n", err);
		return;
	}
	sum.ethernet++;
	arp_pending.answer = sum.ethernet % 2;
	while ((rc = trace_reader_next(r, &frame, &len, &ts)) == 1) {
		if (!readdressed_only)
			feed(nif, frame, len, 0);
		feed(nif, frame, len, 1);
		frames++;
	}
	if (rc < 0) {
		sum.stopped++;
		if (verbose)
			printf("stopped after %llu frames: %s\n", frames, trace_reader_error(r));
	}
	trace_reader_close(r);

	/* Let every ARP query and partial datagram time out, then empty the sockets. */
	for (int s = 0; s < SETTLE_S; s++) {
		stub_now_ns += 1000000000ULL;
		run_timers(nif);
	}
	drain(socks);
	if (stub_live_blocks() != *baseline) {
		fprintf(stderr, "FAIL: %s: the stack holds %lld more heap blocks %d s after its "
			"last frame than before it\n",
			path, (long long)(stub_live_blocks() - *baseline), SETTLE_S);
		sum.failed = 1;
		*baseline = stub_live_blocks();
	}
	if (verbose)
		printf("%s: %llu frames\n", path, frames);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's *.pcap files, sorted; NULL (errno set) when it cannot be read. */
static char **list_pcaps(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((errno = 0, e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 5, ".pcap") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			if (!(names = realloc(names, cap * sizeof(*names)))) {
				perror("net_corpus: realloc");
				exit(1);
			}
		}
		if (!(names[(*n)++] = malloc(strlen(dir) + l + 2))) {
			perror("net_corpus: malloc");
			exit(1);
		}
		sprintf(names[*n - 1], "%s/%s", dir, e->d_name);
	}
	if (errno) {
		perror("net_corpus: readdir");
		exit(1);
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), by_name);
	else if (!(names = malloc(sizeof(*names)))) {
		perror("net_corpus: malloc");
		exit(1);
	}
	return names;
}

static void print_stats(const struct net_if_stats *st)
{
#define C(f) { #f, st->f }
	const struct {
		const char *name;
		uint64_t v;
	} c[] = {
		C(rx_frames), C(tx_frames), C(eth_not_for_us), C(eth_unknown_type), C(eth_truncated),
		C(arp_bad), C(arp_replies_sent), C(arp_requests_sent), C(arp_unsolicited_ignored),
		C(ip_bad_header), C(ip_bad_checksum), C(ip_bad_length), C(ip_not_for_us),
		C(ip_ttl_expired), C(ip_unknown_protocol), C(ip_frag_timeout), C(ip_frag_overlap),
		C(ip_frag_memory), C(ip_frags_received), C(ip_reassembled), C(ip_frags_sent),
		C(icmp_bad), C(icmp_echo_replies), C(icmp_unreach_sent), C(icmp_unreach_ratelimited),
		C(udp_bad_checksum), C(udp_bad_length), C(udp_no_port), C(no_route), C(arp_queue_full),
		C(nomem), C(arp_unresolved), C(tx_errors),
	};
#undef C
	int col = 0;

	printf("stack counters (non-zero):\n");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (!c[i].v)
			continue;
		printf("  %-25s %8llu%s", c[i].name, (unsigned long long)c[i].v,
		       ++col % 2 ? "" : "\n");
	}
	if (col % 2)
		printf("\n");
}

int main(int argc, char **argv)
{
	struct net_link link = { .send = link_send, .mtu = MTU };
	struct net_if_config cfg = { 0 };
	struct net_socket *socks[NPORTS], *listeners[NTCP];
	struct net_if_stats st;
	struct net_if *nif;
	const char *dir = NULL;
	int readdressed_only = 0, verbose = 0;
	uint64_t baseline;
	size_t n;
	char **files;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--readdressed-only"))
			readdressed_only = 1;
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			fprintf(stderr, "usage: net_corpus [--readdressed-only] [-v] PCAP_DIR\n");
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "usage: net_corpus [--readdressed-only] [-v] PCAP_DIR\n");
		return 2;
	}
	if (!(files = list_pcaps(dir, &n))) {
		/* The corpus is part of the repository (tests/corpus/pcap): no skipping. */
		fprintf(stderr, "net_corpus: FAILED: no capture corpus at %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "net_corpus: FAILED: no *.pcap files in %s\n", dir);
		free(files);
		return 1;
	}

	memcpy(link.mac, our_mac, 6);
	if (net_if_create(&link, &nif) < 0) {
		fprintf(stderr, "net_corpus: net_if_create failed\n");
		return 1;
	}
	memcpy(&cfg.addr, our_ip, 4);
	memcpy(&cfg.gateway, gw_ip, 4);
	cfg.netmask = ip4_prefix_mask(24);
	if (net_if_set_config(nif, &cfg) < 0) {
		fprintf(stderr, "net_corpus: net_if_set_config failed\n");
		return 1;
	}
	for (size_t i = 0; i < NPORTS; i++) {
		if (net_socket(NET_SOCK_DGRAM, &socks[i]) < 0 ||
		    net_bind(socks[i], IP4_ANY, ports[i]) < 0) {
			fprintf(stderr, "net_corpus: cannot bind UDP port %u\n", ports[i]);
			return 1;
		}
	}
	for (size_t i = 0; i < NTCP; i++) {
		if (net_socket(NET_SOCK_STREAM, &listeners[i]) < 0 ||
		    net_bind(listeners[i], IP4_ANY, tcp_ports[i]) < 0 ||
		    net_listen(listeners[i], 8) < 0) {
			fprintf(stderr, "net_corpus: cannot listen on TCP port %u\n", tcp_ports[i]);
			return 1;
		}
	}
	/* The gratuitous ARP's retries, if any, are over before the first file. */
	for (int s = 0; s < SETTLE_S; s++) {
		stub_now_ns += 1000000000ULL;
		run_timers(nif);
	}
	baseline = stub_live_blocks();

	for (size_t i = 0; i < n; i++) {
		feed_file(nif, socks, files[i], readdressed_only, verbose, &baseline);
		free(files[i]);
	}
	free(files);

	net_if_stats(nif, &st);
	for (size_t i = 0; i < NPORTS; i++)
		net_close(socks[i]);
	for (size_t i = 0; i < NTCP; i++)
		net_close(listeners[i]);
	net_if_destroy(nif);

	printf("net_corpus: %u files: %u Ethernet pcaps fed (%u stopped early by a reader "
	       "error), %u other link types skipped, %u not readable as pcap\n",
	       sum.files, sum.ethernet, sum.stopped, sum.not_ethernet, sum.unreadable);
	printf("net_corpus: %llu frames fed (%s), %llu ARP requests answered (every other file)\n",
	       sum.fed, readdressed_only ? "each readdressed" : "each as captured and readdressed",
	       sum.arp_answers);
	printf("net_corpus: %llu frames sent by the stack (%llu bytes), %llu UDP datagrams "
	       "received on its sockets\n", sum.sent, sum.sent_bytes, sum.received);
	print_stats(&st);
	printf("net_corpus: heap blocks: %llu allocated, %llu live after net_if_destroy\n",
	       (unsigned long long)stub_total_blocks(), (unsigned long long)stub_live_blocks());
	if (sum.bad_sends) {
		fprintf(stderr, "FAIL: %llu frames sent outside 14..%u bytes\n", sum.bad_sends,
			MTU + ETH_HLEN);
		sum.failed = 1;
	}
	if (stub_live_blocks()) {
		fprintf(stderr, "FAIL: %llu heap blocks never freed\n",
			(unsigned long long)stub_live_blocks());
		sum.failed = 1;
	}
	if (sum.ethernet == 0) {
		fprintf(stderr, "FAIL: no Ethernet pcap in %s\n", dir);
		sum.failed = 1;
	}
	printf("net_corpus: %s\n", sum.failed ? "FAILED" : "ok");
	return sum.failed;
}
