/*
 * Reading one Ethernet frame the way tcpdump does, for trace comparison
 * and statistics: the field a byte offset falls in (trace_dissect_field),
 * and the frame in tcpdump's one-line style (trace_dissect_line). Knows
 * Ethernet, ARP, IPv4, ICMP, UDP and TCP; anything else is named by its
 * EtherType or IP protocol and its bytes. Frames may be short or malformed:
 * only bytes inside len are read. Host code.
 */
#ifndef TRACES_DISSECT_H
#define TRACES_DISSECT_H

#include <stddef.h>
#include <stdint.h>

/* How a field's value is printed. */
enum trace_field_kind {
	TRACE_FIELD_UINT,  /* big-endian unsigned, 1..4 bytes */
	TRACE_FIELD_HEX,   /* 0x-prefixed, 1..4 bytes */
	TRACE_FIELD_MAC,
	TRACE_FIELD_IP4,
	TRACE_FIELD_BYTE,  /* one byte of a payload: name is "udp.payload", index kept */
};

struct trace_field {
	const char *name;  /* "ip.ttl", "udp.dport", "icmp.payload" */
	size_t off, len;   /* in the frame */
	enum trace_field_kind kind;
	size_t index;      /* TRACE_FIELD_BYTE: the byte's offset in its payload */
};

/*
 * The field of frame (len bytes) that holds byte off (< len). A byte
 * beyond what is dissected is a payload byte of the innermost layer.
 */
void trace_dissect_field(const uint8_t *frame, size_t len, size_t off, struct trace_field *out);
/* Formats a field of frame (its bytes must lie inside the frame) into buf. */
void trace_field_format(const struct trace_field *fld, const uint8_t *frame, char *buf,
			size_t size);
/* "IP 10.0.0.1.1024 > 10.0.0.2.7: UDP, length 5", as tcpdump -n prints it after the time. */
void trace_dissect_line(const uint8_t *frame, size_t len, char *buf, size_t size);

/*
 * The flow a frame belongs to, for statistics: IPv4 addresses, protocol and
 * ports (0 when none) in the order they appear; returns 0 when the frame is
 * not IPv4.
 */
struct trace_flow_key {
	uint32_t src, dst;       /* network byte order */
	uint16_t sport, dport;
	uint8_t proto;
};
int trace_dissect_flow(const uint8_t *frame, size_t len, struct trace_flow_key *key);

#endif
