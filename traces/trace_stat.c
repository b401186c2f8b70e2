/* A trace summed up (trace_stat.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "traces/dissect.h"
#include "traces/frame.h"
#include "traces/keytab.h"
#include "traces/pcap_reader.h"
#include "traces/readdress.h"
#include "traces/trace_stat.h"

#define NSEC_PER_SEC 1000000000ULL
#define HOSTS_SHOWN_MAX 32

struct stat_tables {
	struct trace_keytab hosts, flows;
};

static int count_host(struct stat_tables *t, struct trace_stat *st, uint32_t ip)
{
	uint8_t key[TRACE_KEY_LEN] = { 0 };
	struct trace_keytab_entry *e;
	int added;

	memcpy(key, &ip, 4);
	if (!(e = trace_keytab_get(&t->hosts, key, &added)))
		return -ENOMEM;
	e->value++;
	st->hosts += (uint64_t)added;
	return 0;
}

/* A flow is its protocol and both ends, the lower end first: one per conversation. */
static int count_flow(struct stat_tables *t, struct trace_stat *st,
		      const struct trace_flow_key *k)
{
	uint8_t key[TRACE_KEY_LEN] = { 0 }, a[6], b[6];
	struct trace_keytab_entry *e;
	int added;

	memcpy(a, &k->src, 4), trace_put16(a + 4, k->sport);
	memcpy(b, &k->dst, 4), trace_put16(b + 4, k->dport);
	bool swap = memcmp(a, b, 6) > 0;
	memcpy(key, swap ? b : a, 6);
	memcpy(key + 6, swap ? a : b, 6);
	key[12] = k->proto;
	if (!(e = trace_keytab_get(&t->flows, key, &added)))
		return -ENOMEM;
	if (added) {
		if (k->proto == IPPROTO_TCP)
			st->flows_tcp++;
		else if (k->proto == IPPROTO_UDP)
			st->flows_udp++;
		else if (k->proto == IPPROTO_ICMP)
			st->flows_icmp++;
		else
			st->flows_other++;
	}
	return 0;
}

static int stat_frame(struct stat_tables *t, struct trace_stat *st, const uint8_t *f,
		      size_t len)
{
	struct trace_flow_key k;
	int rc;

	if (trace_dissect_flow(f, len, &k)) {
		if ((rc = count_host(t, st, k.src)) < 0 || (rc = count_host(t, st, k.dst)) < 0)
			return rc;
		return count_flow(t, st, &k);
	}
	uint16_t type = len >= ETH_HLEN ? trace_get16(f + 12) : 0;
	if (type == ETH_P_ARP)
		st->arp++;
	else if (type == ETH_P_IPV6)
		st->ipv6++;
	else
		st->other++;
	return 0;
}

static int stat_read(struct trace_reader *r, struct stat_tables *t, struct trace_stat *st)
{
	const uint8_t *f;
	size_t len;
	uint64_t ts;
	int rc;

	while ((rc = trace_reader_next(r, &f, &len, &ts)) == 1) {
		if (!st->frames++)
			st->first_ns = ts;
		st->last_ns = ts;
		st->bytes += len;
		if ((rc = stat_frame(t, st, f, len)) < 0)
			return rc;
	}
	st->snapped = trace_reader_snapped(r);
	return rc;
}

/* Prints the shown busiest hosts: repeated passes, fine for a handful. */
static void print_hosts(FILE *out, const struct trace_keytab *hosts, unsigned int shown)
{
	uint64_t below = UINT64_MAX;
	unsigned int printed = 0;
	char ip[16];

	while (printed < shown) {
		uint64_t best = 0;
		for (size_t i = 0; i < hosts->cap; i++)
			if (hosts->e[i].used && hosts->e[i].value < below && hosts->e[i].value > best)
				best = hosts->e[i].value;
		if (!best)
			break;
		for (size_t i = 0; i < hosts->cap && printed < shown; i++) {
			if (!hosts->e[i].used || hosts->e[i].value != best)
				continue;
			fprintf(out, "  %-15s %llu frames\n",
				trace_ip4_format(trace_addr_get(hosts->e[i].key), ip),
				(unsigned long long)best);
			printed++;
		}
		below = best;
	}
	if (printed < hosts->nr)
		fprintf(out, "  (%zu more)\n", hosts->nr - printed);
}

static void print_stat(FILE *out, const char *path, const struct trace_stat *st,
		       const struct stat_tables *t, unsigned int shown)
{
	uint64_t d = st->last_ns >= st->first_ns ? st->last_ns - st->first_ns : 0;

	fprintf(out, "file:      %s\n", path);
	fprintf(out, "format:    %s\n", st->format);
	fprintf(out, "link type: %s\n", TRACE_READER_LINK_TYPE);
	fprintf(out, "frames:    %llu (%llu bytes, %llu captured short)\n",
		(unsigned long long)st->frames, (unsigned long long)st->bytes,
		(unsigned long long)st->snapped);
	fprintf(out, "duration:  %llu.%09llu s\n", (unsigned long long)(d / NSEC_PER_SEC),
		(unsigned long long)(d % NSEC_PER_SEC));
	fprintf(out, "flows:     %llu (TCP %llu, UDP %llu, ICMP %llu, other IPv4 %llu)\n",
		(unsigned long long)(st->flows_tcp + st->flows_udp + st->flows_icmp +
				     st->flows_other),
		(unsigned long long)st->flows_tcp, (unsigned long long)st->flows_udp,
		(unsigned long long)st->flows_icmp, (unsigned long long)st->flows_other);
	fprintf(out, "not IPv4:  ARP %llu, IPv6 %llu, other %llu frames\n",
		(unsigned long long)st->arp, (unsigned long long)st->ipv6,
		(unsigned long long)st->other);
	fprintf(out, "hosts:     %llu IPv4 addresses\n", (unsigned long long)st->hosts);
	print_hosts(out, &t->hosts, shown);
}

int trace_stat_file(const char *path, unsigned int hosts_shown, struct trace_stat *st,
		    FILE *out, char *err, size_t errlen)
{
	struct stat_tables t = { 0 };
	struct trace_reader *r;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = trace_reader_open(path, &r, err, errlen)) < 0)
		return rc;
	st->format = trace_reader_format(r);
	if (trace_keytab_init(&t.hosts) < 0 || trace_keytab_init(&t.flows) < 0) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
	} else if ((rc = stat_read(r, &t, st)) < 0) {
		snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory" :
			 trace_reader_error(r));
	} else {
		print_stat(out, path, st, &t, hosts_shown > HOSTS_SHOWN_MAX ? HOSTS_SHOWN_MAX :
			   hosts_shown);
	}
	trace_keytab_free(&t.hosts);
	trace_keytab_free(&t.flows);
	trace_reader_close(r);
	return rc;
}
