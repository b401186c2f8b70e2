/*
 * What the xenstore fuzzers share: a store set up as the toolstack leaves
 * it (domains 1 and 2 introduced, each owning /local/domain/<id>), and the
 * checks every message xenstored sends must pass whatever came in. A
 * failed check aborts, which libFuzzer reports as a crash with the input.
 */
#ifndef XS_FUZZ_COMMON_H
#define XS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "sim/xenstored/xs_store.h"

/* Introduces domid and gives it /local/domain/<domid> (name "fuzzN"). */
void xs_fuzz_add_domain(struct xs_store *s, domid_t domid);

/* Aborts unless hdr/payload is a well-formed reply or watch event. */
void xs_fuzz_check_message(const struct xsd_sockmsg *hdr, const char *payload);

/* A toolstack action chosen by op: a write, an rm, introduce or release. */
void xs_fuzz_toolstack(struct xs_store *s, uint8_t op);

/* Aborts unless a store with no connections holds no watch or transaction. */
void xs_fuzz_check_empty(const struct xs_store *s);

#endif
