/*
 * The libslirp functions the user backend uses, loaded on first use (see
 * sim/host/lazylib.h): libslirp brings glib, which a unikernel without a user
 * vif should not pay for at every start.
 */
#include <slirp/libslirp.h>

#include "sim/host/lazylib.h"

static struct lazylib libslirp = {
	.soname = "libslirp.so.0",
	.package = "libslirp0",
	.for_what = "user vifs",
};

LAZYLIB_FORWARD(libslirp, Slirp *, slirp_new,
		(const SlirpConfig *cfg, const SlirpCb *callbacks, void *opaque),
		(cfg, callbacks, opaque))
LAZYLIB_FORWARD_VOID(libslirp, slirp_cleanup, (Slirp *slirp), (slirp))
LAZYLIB_FORWARD_VOID(libslirp, slirp_pollfds_fill,
		     (Slirp *slirp, uint32_t *timeout, SlirpAddPollCb add_poll, void *opaque),
		     (slirp, timeout, add_poll, opaque))
LAZYLIB_FORWARD_VOID(libslirp, slirp_pollfds_poll,
		     (Slirp *slirp, int select_error, SlirpGetREventsCb get_revents, void *opaque),
		     (slirp, select_error, get_revents, opaque))
LAZYLIB_FORWARD_VOID(libslirp, slirp_input, (Slirp *slirp, const uint8_t *pkt, int pkt_len),
		     (slirp, pkt, pkt_len))
LAZYLIB_FORWARD_VOID(libslirp, slirp_handle_timer,
		     (Slirp *slirp, SlirpTimerId id, void *cb_opaque), (slirp, id, cb_opaque))
LAZYLIB_FORWARD(libslirp, int, slirp_add_hostfwd,
		(Slirp *slirp, int is_udp, struct in_addr host_addr, int host_port,
		 struct in_addr guest_addr, int guest_port),
		(slirp, is_udp, host_addr, host_port, guest_addr, guest_port))
