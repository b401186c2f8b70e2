/*
 * net_init: opens every vif, decides how each is configured and brings it
 * up (see <net/net.h>).
 *
 * The guest command line may say, for interface N (the bare names mean 0):
 *   ipN=ADDR/PREFIX   a static address (the prefix is required)
 *   ipN=dhcp, dhcpN   DHCP, even when xenstore has an address
 *   gwN=ADDR          the default gateway of a static address
 *   dnsN=ADDR[,ADDR]  DNS servers of a static address (at most NET_IF_MAX_DNS)
 * Other words are the application's and are left alone; a word of this
 * shape with a bad value is an error (-EINVAL, with a message).
 *
 * Without ipN/dhcpN, the backend's "ip" key (<backend>/ip, where
 * device/vif/N/backend points) is used: libxl writes the vif's ip= there,
 * one or more addresses separated by spaces, for the hotplug scripts. We
 * take the first word, which may carry a /PREFIX. Mini-OS reads the same key
 * as "ADDR [NETMASK [GATEWAY]]", so a second word that is a netmask
 * (contiguous ones, like 255.255.255.0) is one, and the word after it the
 * gateway. Neither libxl nor the scripts say what the prefix is (vif-route
 * routes each address as a /32 and answers ARP for the guest by proxy), so
 * without one we do as Mini-OS does: the address's class (A /8, B /16,
 * C /24). gwN=/dnsN= on the command line add to a xenstore address.
 * With neither, DHCP.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uk/alloc.h>
#include <uk/console.h>
#include <uk/time.h>
#include <uk/xenbus.h>

#include <net/dhcp.h>
#include <net/net.h>
#include <uk/netfront.h>

#include "net_private.h"

#define CONFIG_MAX_IFS 8
#define OPEN_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

enum plan_how { PLAN_AUTO, PLAN_STATIC, PLAN_DHCP };

/* What the command line says about one interface. */
struct plan {
	enum plan_how how;
	struct net_if_config cfg; /* addr/netmask for PLAN_STATIC; gateway, dns any time */
	bool have_gw, have_dns;
};

/* --- the command line --- */

static bool addr_is_host(ip4_addr_t a)
{
	uint8_t first = (uint8_t)(a & 0xff); /* network order: the first octet is lowest */

	return a != IP4_ANY && a != IP4_BROADCAST && first != 0 && first < 224;
}

/* Parses a dotted quad that ends at len (not NUL-terminated). */
static int addr_parse_n(const char *s, size_t len, ip4_addr_t *out)
{
	char buf[16];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return ip4_addr_parse(buf, out);
}

/* "ADDR[/PREFIX]" in s[0..len): *prefix is -1 when none is given. 0 or -EINVAL. */
static int addr_prefix_parse(const char *s, size_t len, ip4_addr_t *addr, int *prefix)
{
	const char *slash = memchr(s, '/', len);
	char *end;
	unsigned long p;

	if (addr_parse_n(s, slash ? (size_t)(slash - s) : len, addr) < 0 || !addr_is_host(*addr))
		return -EINVAL;
	*prefix = -1;
	if (!slash)
		return 0;
	if (slash + 1 == s + len || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	p = strtoul(slash + 1, &end, 10);
	if (end != s + len || p > 32 || end - (slash + 1) > 2)
		return -EINVAL;
	*prefix = (int)p;
	return 0;
}

static int parse_ip(struct plan *pl, const char *word, const char *v)
{
	ip4_addr_t a;
	int prefix;

	if (pl->how != PLAN_AUTO) {
		uk_printf("net: '%s': this interface was already given ip= or dhcp\n", word);
		return -EINVAL;
	}
	if (!strcmp(v, "dhcp")) {
		pl->how = PLAN_DHCP;
		return 0;
	}
	if (addr_prefix_parse(v, strlen(v), &a, &prefix) < 0 || prefix < 0) {
		uk_printf("net: '%s': expected ADDRESS/PREFIX (like ip=10.0.0.2/24) or dhcp\n",
			  word);
		return -EINVAL;
	}
	pl->how = PLAN_STATIC;
	pl->cfg.addr = a;
	pl->cfg.netmask = ip4_prefix_mask((unsigned int)prefix);
	return 0;
}

static int parse_gw(struct plan *pl, const char *word, const char *v)
{
	if (pl->have_gw || ip4_addr_parse(v, &pl->cfg.gateway) < 0 ||
	    !addr_is_host(pl->cfg.gateway)) {
		uk_printf("net: '%s': expected one gateway address (like gw=10.0.0.1)\n", word);
		return -EINVAL;
	}
	pl->have_gw = true;
	return 0;
}

static int parse_dns(struct plan *pl, const char *word, const char *v)
{
	unsigned int n = 0;

	while (!pl->have_dns) {
		size_t len = strcspn(v, ",");

		if (n == NET_IF_MAX_DNS || addr_parse_n(v, len, &pl->cfg.dns[n]) < 0 ||
		    !addr_is_host(pl->cfg.dns[n]))
			break;
		n++;
		if (!v[len]) {
			pl->have_dns = true;
			return 0;
		}
		v += len + 1;
	}
	uk_printf("net: '%s': expected dns=ADDRESS[,ADDRESS] (at most %d, given once)\n", word,
		  NET_IF_MAX_DNS);
	return -EINVAL;
}

/*
 * One word of the command line: 1 when it is not ours, 0 when taken,
 * -EINVAL when it is ours and wrong.
 */
static int parse_word(struct plan *plans, const char *word)
{
	static const char *const keys[] = { "ip", "gw", "dns", "dhcp" };

	for (unsigned int k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t klen = strlen(keys[k]);
		const char *p = word + klen;
		unsigned long index = 0;

		if (strncmp(word, keys[k], klen) != 0)
			continue;
		if (*p >= '0' && *p <= '9') {
			char *end;
			index = strtoul(p, &end, 10);
			if (end - p > 2)
				return 1;
			p = end;
		}
		if (*p != '=' && !(k == 3 && *p == '\0'))
			return 1; /* ipv6=, dnsmasq, dhcpd...: not ours */
		if (k == 3 && *p == '=') {
			uk_printf("net: '%s': dhcp takes no value (say dhcp, or dhcpN for vif N)\n",
				  word);
			return -EINVAL;
		}
		if (index >= CONFIG_MAX_IFS) {
			uk_printf("net: '%s': interfaces are numbered 0 to %d\n", word,
				  CONFIG_MAX_IFS - 1);
			return -EINVAL;
		}
		if (k == 3)
			return parse_ip(&plans[index], word, "dhcp");
		if (k == 0)
			return parse_ip(&plans[index], word, p + 1);
		if (k == 1)
			return parse_gw(&plans[index], word, p + 1);
		return parse_dns(&plans[index], word, p + 1);
	}
	return 1;
}

static int parse_cmdline(int argc, char **argv, struct plan *plans)
{
	for (int i = 1; i < argc; i++) {
		int rc = parse_word(plans, argv[i]);

		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < CONFIG_MAX_IFS; i++)
		if (plans[i].how == PLAN_DHCP && (plans[i].have_gw || plans[i].have_dns))
			uk_printf("net: vif%u uses DHCP: its gw%u=/dns%u= are ignored\n", i, i, i);
	return 0;
}

/* --- xenstore --- */

static bool is_netmask(const char *s, size_t len, ip4_addr_t *mask)
{
	return addr_parse_n(s, len, mask) == 0 && ip4_mask_prefix(*mask) > 0;
}

static ip4_addr_t classful_mask(ip4_addr_t a)
{
	uint8_t first = (uint8_t)(a & 0xff);

	return ip4_prefix_mask(first < 128 ? 8 : first < 192 ? 16 : 24);
}

/* Parses the backend's "ip" value into cfg (see the top of this file). */
static int xenstore_ip_parse(const char *v, struct net_if_config *cfg)
{
	const char *w[3];
	size_t len[3];
	unsigned int n = 0;
	int prefix;

	while (n < 3) {
		v += strspn(v, " \t\n");
		if (!*v)
			break;
		w[n] = v;
		len[n] = strcspn(v, " \t\n");
		v += len[n++];
	}
	if (n == 0 || addr_prefix_parse(w[0], len[0], &cfg->addr, &prefix) < 0)
		return -EINVAL;
	if (prefix >= 0)
		cfg->netmask = ip4_prefix_mask((unsigned int)prefix);
	else if (n >= 2 && is_netmask(w[1], len[1], &cfg->netmask)) {
		if (n == 3 && (addr_parse_n(w[2], len[2], &cfg->gateway) < 0 ||
			       !addr_is_host(cfg->gateway)))
			cfg->gateway = IP4_ANY;
	} else
		cfg->netmask = classful_mask(cfg->addr);
	return 0;
}

/* 0 with cfg filled, -ENOENT when the backend has no "ip", or -EINVAL. */
static int xenstore_ip_read(unsigned int index, struct net_if_config *cfg)
{
	char path[64], *backend = NULL, *ip_path = NULL, *value = NULL;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "device/vif/%u/backend", index);
	rc = xenbus_read(XBT_NIL, path, &backend, NULL);
	if (rc < 0)
		return rc;
	n = strlen(backend) + sizeof("/ip");
	ip_path = uk_malloc(n);
	if (!ip_path) {
		uk_free(backend);
		return -ENOMEM;
	}
	snprintf(ip_path, n, "%s/ip", backend);
	rc = xenbus_read(XBT_NIL, ip_path, &value, NULL);
	if (rc == 0) {
		rc = xenstore_ip_parse(value, cfg);
		if (rc < 0)
			uk_printf("net: vif%u: %s is '%s', not an address; using DHCP\n", index,
				  ip_path, value);
	}
	uk_free(value);
	uk_free(ip_path);
	uk_free(backend);
	return rc;
}

/* --- bringing interfaces up --- */

static void print_config(unsigned int index, const struct net_if_config *cfg, const char *how)
{
	char a[16], g[16];

	ip4_addr_str(cfg->addr, a);
	if (cfg->gateway != IP4_ANY)
		uk_printf("net: vif%u %s/%d gw %s (%s)\n", index, a,
			  ip4_mask_prefix(cfg->netmask), ip4_addr_str(cfg->gateway, g), how);
	else
		uk_printf("net: vif%u %s/%d (%s)\n", index, a, ip4_mask_prefix(cfg->netmask),
			  how);
}

/*
 * Configures interface index from its plan: 0 when configured (*how says
 * from where), 1 when handed to DHCP, or a negative error.
 */
static int configure(unsigned int index, struct net_if *nif, struct plan *pl, const char **how)
{
	struct net_if_config cfg = pl->cfg;
	int rc;

	*how = "static";
	if (pl->how == PLAN_AUTO) {
		memset(&cfg, 0, sizeof(cfg));
		rc = xenstore_ip_read(index, &cfg);
		if (rc == 0) {
			*how = "xenstore";
			if (pl->have_gw)
				cfg.gateway = pl->cfg.gateway;
			if (pl->have_dns)
				memcpy(cfg.dns, pl->cfg.dns, sizeof(cfg.dns));
		} else if (rc == -ENOENT || rc == -EINVAL) {
			pl->how = PLAN_DHCP;
		} else {
			uk_printf("net: vif%u: reading its backend's ip: error %d\n", index, rc);
			return rc;
		}
	}
	if (pl->how == PLAN_DHCP) {
		rc = dhcp_start(nif);
		if (rc < 0)
			uk_printf("net: vif%u: DHCP did not start: error %d\n", index, rc);
		return rc < 0 ? rc : 1;
	}
	rc = net_if_set_config(nif, &cfg);
	if (rc < 0) {
		uk_printf("net: vif%u: configuring it failed: error %d\n", index, rc);
		return rc;
	}
	return 0;
}

/* Waits for the DHCP interfaces, then prints one line per interface, in order. */
static int wait_and_report(struct net_if **nifs, const char **how, unsigned int n,
			   uint64_t deadline)
{
	int result = 0;

	for (unsigned int i = 0; i < n; i++)
		if (!how[i] && dhcp_wait_bound(nifs[i], deadline) < 0)
			result = -ETIMEDOUT;
	for (unsigned int i = 0; i < n; i++) {
		struct net_if_config cfg;
		struct dhcp_lease lease;
		char from[48], s[16];

		net_if_get_config(nifs[i], &cfg);
		if (how[i]) {
			print_config(i, &cfg, how[i]);
		} else if (dhcp_get_lease(nifs[i], &lease) == 0) {
			snprintf(from, sizeof(from), "dhcp from %s", ip4_addr_str(lease.server, s));
			print_config(i, &cfg, from);
		} else {
			uk_printf("net: vif%u no DHCP lease yet (%s); still asking\n", i,
				  dhcp_state_name(dhcp_get_state(nifs[i])));
		}
	}
	return result;
}

int net_init(int argc, char **argv, uint64_t deadline_ns)
{
	static bool done;
	struct plan plans[CONFIG_MAX_IFS];
	struct net_if *nifs[CONFIG_MAX_IFS];
	const char *how[CONFIG_MAX_IFS] = { NULL }; /* NULL: DHCP */
	int count, rc;

	if (done)
		return -EBUSY;
	memset(plans, 0, sizeof(plans));
	rc = parse_cmdline(argc, argv, plans);
	if (rc < 0)
		return rc;
	count = netfront_count();
	if (count < 0) {
		uk_printf("net: listing device/vif: error %d\n", count);
		return count;
	}
	if (count == 0) {
		uk_printf("net: no network devices\n");
		return -ENODEV;
	}
	if (count > CONFIG_MAX_IFS) {
		uk_printf("net: %d vifs; using the first %d\n", count, CONFIG_MAX_IFS);
		count = CONFIG_MAX_IFS;
	}
	for (unsigned int i = CONFIG_MAX_IFS; i-- > (unsigned int)count;)
		if (plans[i].how != PLAN_AUTO || plans[i].have_gw || plans[i].have_dns)
			uk_printf("net: the command line configures vif%u, which does not exist\n",
				  i);
	done = true;
	for (int i = 0; i < count; i++) {
		struct netfront *nf;

		rc = netfront_open_rx_offload((unsigned int)i, OPEN_TIMEOUT_NS, &nf);
		if (rc < 0) {
			uk_printf("net: vif%d did not connect: error %d\n", i, rc);
			return rc;
		}
		rc = net_if_attach_netfront(nf, &nifs[i]);
		if (rc < 0) {
			uk_printf("net: vif%d: no interface: error %d\n", i, rc);
			netfront_close(nf);
			return rc;
		}
	}
	for (int i = 0; i < count; i++) {
		rc = configure((unsigned int)i, nifs[i], &plans[i], &how[i]);
		if (rc < 0)
			return rc;
		if (rc == 1)
			how[i] = NULL;
	}
	return wait_and_report(nifs, how, (unsigned int)count, deadline_ns);
}
