/*
 * Bringing the network up. net_init opens every vif the toolstack gave the
 * domain and configures each from, in order of precedence:
 *   the guest command line: ip=ADDR/PREFIX (gw=ADDR, dns=ADDR) for the first
 *     interface, or ipN=/gwN= for interface N, or dhcp / dhcpN;
 *   the backend's "ip" xenstore key (what Xen toolstacks write for vif
 *     ip=...: one or more addresses separated by spaces);
 *   otherwise DHCP.
 * It returns once every interface has an address (or DHCP gave up at the
 * deadline: -ETIMEDOUT, the interface stays up and keeps trying).
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdint.h>

#include <net/ip4.h>
#include <net/netif.h>
#include <net/socket.h>

int net_init(int argc, char **argv, uint64_t deadline_ns);

#endif
