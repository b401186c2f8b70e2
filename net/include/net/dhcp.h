/*
 * The DHCP client (RFC 2131, options of RFC 2132), one per interface, each
 * in its own thread sleeping on guest time: under --clock virtual a lease's
 * timers cost nothing and fire at exactly their time.
 *
 * States, as in RFC 2131 figure 5:
 *   INIT        picks a new xid and sends a DHCPDISCOVER (broadcast)
 *   SELECTING   takes the first valid DHCPOFFER for our xid and MAC,
 *               retransmitting the DISCOVER after 4, 8, 16, 32, 64, 64... s
 *               (each +-1 s at random)
 *   REQUESTING  broadcasts a DHCPREQUEST naming that server (option 54) and
 *               address (option 50), sent at most 4 times (waiting 4, 8,
 *               16, 32 s, +-1 s); DHCPACK -> BOUND, DHCPNAK or silence -> INIT
 *   BOUND       the interface has the lease's address, netmask, router and
 *               DNS servers (net_if_set_config, which announces the address
 *               with a gratuitous ARP); sleeps until T1
 *   RENEWING    at T1: DHCPREQUEST unicast to the server, ciaddr set;
 *               retransmitted after half the time left until T2 (at least
 *               60 s); DHCPACK -> BOUND with the new lease
 *   REBINDING   at T2: the same, broadcast, to any server, until the lease
 *               ends
 *   expiry      the address is removed (net_if_set_config with address 0)
 *               and the client starts over in INIT.
 * A DHCPNAK in REQUESTING, RENEWING or REBINDING removes any address and
 * goes back to INIT: at once the first time, then after 4, 8 ... 64 s while
 * the server keeps refusing.
 *
 * Lease times count from the first transmission of the REQUEST that was
 * answered. T1 and T2 default to 1/2 and 7/8 of the lease (RFC 2131 4.4.5)
 * and are reset to those when the server's are inconsistent (T1 > T2 or
 * T2 > lease); a lease shorter than DHCP_MIN_LEASE_S is used as that long,
 * so a broken server cannot make the client spin. 0xffffffff is infinite.
 *
 * Every message from the wire is checked before use; a malformed one is
 * ignored and counted in struct dhcp_stats, never trusted.
 *
 * Functions return 0 or a negative error number.
 */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include <net/ip4.h>
#include <net/netif.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_MIN_LEASE_S 20
#define DHCP_INFINITE_LEASE 0xffffffffu

enum dhcp_state {
	DHCP_STOPPED,
	DHCP_INIT,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

/* What the server gave, as the client uses it. */
struct dhcp_lease {
	ip4_addr_t addr, netmask, router; /* router IP4_ANY: none given */
	ip4_addr_t dns[NET_IF_MAX_DNS];   /* unused entries IP4_ANY */
	ip4_addr_t server;                /* server identifier (option 54) */
	uint32_t lease_s, t1_s, t2_s;     /* as used (after the checks above) */
	/* Absolute guest times (uk_now_ns); UINT64_MAX for an infinite lease. */
	uint64_t start_ns, t1_ns, t2_ns, expiry_ns;
};

struct dhcp_stats {
	/* sent */
	uint64_t discovers, requests, send_errors;
	/* received and acted on */
	uint64_t offers, acks, naks;
	/* received and ignored: not for this exchange */
	uint64_t wrong_xid, wrong_chaddr;
	/* received and ignored: malformed (the sum of the four after it) */
	uint64_t malformed;
	uint64_t truncated;   /* shorter than BOOTP's header + magic cookie, or too long */
	uint64_t bad_header;  /* not a BOOTREPLY, not Ethernet, or no magic cookie */
	uint64_t bad_options; /* an option past the end, no end option, a bad option length */
	uint64_t no_msg_type; /* no message type (53) or an unknown one */
	/* received and ignored: well-formed, but not usable here */
	uint64_t unusable;    /* an OFFER/ACK without an address, server id or lease time */
	uint64_t unexpected;  /* a type this state does not wait for, or another server's */
	/* the lease's life */
	uint64_t leases;      /* times BOUND was entered from REQUESTING */
	uint64_t renewals;    /* ACKs in RENEWING */
	uint64_t rebinds;     /* ACKs in REBINDING */
	uint64_t expiries;    /* leases that ran out */
};

/*
 * Starts the client on nif (which should be unconfigured): opens a UDP
 * socket on port 68 bound to nif with broadcast allowed, and a thread
 * "dhcp-<index>" that runs the states above until dhcp_stop. -EBUSY when a
 * client already runs on nif; -ENOMEM; or the socket's error (-EADDRINUSE).
 */
int dhcp_start(struct net_if *nif);
/*
 * Waits until nif's client holds a lease (BOUND, RENEWING or REBINDING) or
 * guest time reaches deadline_ns (0: no deadline). 0, -ETIMEDOUT, or
 * -ENOENT when no client runs on nif.
 */
int dhcp_wait_bound(struct net_if *nif, uint64_t deadline_ns);
/*
 * Stops the client and waits for its thread (it notices at once), removes the address it configured (no DHCPRELEASE is sent),
 * closes its socket and frees it. -ENOENT when no client runs on nif.
 */
int dhcp_stop(struct net_if *nif);

/* The client's state; DHCP_STOPPED when none runs on nif. */
enum dhcp_state dhcp_get_state(const struct net_if *nif);
const char *dhcp_state_name(enum dhcp_state state);
/* The current lease: 0, -EAGAIN when there is none yet, -ENOENT (no client). */
int dhcp_get_lease(const struct net_if *nif, struct dhcp_lease *lease);
/* 0 or -ENOENT. */
int dhcp_get_stats(const struct net_if *nif, struct dhcp_stats *stats);

#endif
