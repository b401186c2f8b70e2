/*
 * IPv4 addresses. An ip4_addr_t holds the address in network byte order,
 * exactly as it travels in a header, so it is copied and compared without
 * conversion; IP4_ADDR builds one from its four dotted-quad parts.
 */
#ifndef NET_IP4_H
#define NET_IP4_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t ip4_addr_t;

#define IP4_ANY ((ip4_addr_t)0)
#define IP4_BROADCAST ((ip4_addr_t)0xffffffffu)
/* a.b.c.d in network byte order (x86 is little-endian: a is the low byte). */
#define IP4_ADDR(a, b, c, d)                                                              \
	((ip4_addr_t)(((uint32_t)(d) << 24) | ((uint32_t)(c) << 16) | ((uint32_t)(b) << 8) | \
		      (uint32_t)(a)))

/* Parses "a.b.c.d" (each 0..255, nothing else). 0 or -EINVAL. */
int ip4_addr_parse(const char *s, ip4_addr_t *out);
/* Formats as "a.b.c.d" into buf (16 bytes) and returns buf. */
char *ip4_addr_str(ip4_addr_t a, char buf[16]);
/* Netmask for a prefix length 0..32, and back (-1 if not contiguous). */
ip4_addr_t ip4_prefix_mask(unsigned int prefix);
int ip4_mask_prefix(ip4_addr_t mask);

#endif
