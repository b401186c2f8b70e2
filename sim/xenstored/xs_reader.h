/*
 * xs_reader: reassembles xs_wire messages (<xen/io/xs_wire.h>: a struct
 * xsd_sockmsg, then hdr.len bytes of payload) from a byte stream however it
 * is split: the xenstore socket's parser, kept apart from libuv so that it
 * can be unit tested and fuzzed. It does no I/O and allocates nothing.
 */
#ifndef SIM_XS_READER_H
#define SIM_XS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

struct xs_reader {
	struct xsd_sockmsg hdr;
	size_t have; /* bytes of header + payload so far */
	char payload[XENSTORE_PAYLOAD_MAX];
};

/*
 * Takes bytes from p (n of them) until one message is whole; returns how
 * many it took and sets *whole when hdr and payload hold a complete message
 * (valid until the next call). A header whose length exceeds
 * XENSTORE_PAYLOAD_MAX returns -EMSGSIZE: the stream cannot be resynchronised.
 */
long xs_reader_take(struct xs_reader *r, const char *p, size_t n, bool *whole);

/* True between messages (a hang-up here is a clean goodbye). */
bool xs_reader_idle(const struct xs_reader *r);

#endif
