/* --vif specs and a netif frontend written by hand, for tests (see netif_front.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netif_front.h"
#include "sim/sim.h"
#include "sim_checks.h"
#include "sim_fixture.h"

void vif_spec_parse_ok(const char *spec, struct vif_config *cfg)
{
	char err[256] = "";

	if (vif_config_parse(cfg, spec, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", spec, err);
}

void vif_spec_refused(const char *spec, const char *want)
{
	struct vif_config cfg;
	char err[256] = "";

	assert_int_equal(vif_config_parse(&cfg, spec, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' does not say '%s'", spec, err, want);
	assert_null(strchr(err, '\n'));
}

struct vif *vif_spec_create(struct sim_domain *d, unsigned int index, const char *spec)
{
	struct vif_config cfg;
	struct vif *v;
	char err[256] = "";

	vif_spec_parse_ok(spec, &cfg);
	if (vif_create(d, index, &cfg, &v, err, sizeof(err)) < 0)
		fail_msg("vif_create '%s': %s", spec, err);
	return v;
}

void netif_front_init(struct netif_front *fr, struct sim_domain *d)
{
	memset(fr, 0, sizeof(*fr));
	fr->d = d;
	assert_int_equal(sim_gnttab_place_frame(d, 0, NETIF_FRONT_GFN_GNTTAB), 0);
	netif_front_grant(fr, NETIF_FRONT_REF_TX_RING, NETIF_FRONT_GFN_TX_RING, false);
	netif_front_grant(fr, NETIF_FRONT_REF_RX_RING, NETIF_FRONT_GFN_RX_RING, false);
}

void *netif_front_page(const struct netif_front *fr, xen_pfn_t gfn)
{
	return sim_domain_gfn_to_page(fr->d, gfn);
}

void netif_front_grant(struct netif_front *fr, grant_ref_t ref, xen_pfn_t gfn, bool readonly)
{
	sim_fixture_grant(fr->d, NETIF_FRONT_GFN_GNTTAB, ref, gfn, readonly);
}

void netif_front_put(struct netif_front *fr, const char *key, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif/0/%s", fr->d->domid, key);
	sim_xs_put(fr->d->sim, path, value);
}

void netif_front_state(struct netif_front *fr, int state)
{
	char v[4];

	snprintf(v, sizeof(v), "%d", state);
	netif_front_put(fr, "state", v);
	sim_poll(fr->d->sim); /* netback answers from the loop */
}

void netif_front_connect(struct netif_front *fr)
{
	char v[16];

	assert_int_equal(sim_evtchn_alloc_unbound(fr->d, 0, &fr->port), 0);
	SHARED_RING_INIT((netif_tx_sring_t *)netif_front_page(fr, NETIF_FRONT_GFN_TX_RING));
	SHARED_RING_INIT((netif_rx_sring_t *)netif_front_page(fr, NETIF_FRONT_GFN_RX_RING));
	FRONT_RING_INIT(&fr->tx, (netif_tx_sring_t *)netif_front_page(fr, NETIF_FRONT_GFN_TX_RING),
			4096);
	FRONT_RING_INIT(&fr->rx, (netif_rx_sring_t *)netif_front_page(fr, NETIF_FRONT_GFN_RX_RING),
			4096);
	snprintf(v, sizeof(v), "%d", NETIF_FRONT_REF_TX_RING);
	netif_front_put(fr, "tx-ring-ref", v);
	snprintf(v, sizeof(v), "%d", NETIF_FRONT_REF_RX_RING);
	netif_front_put(fr, "rx-ring-ref", v);
	snprintf(v, sizeof(v), "%u", fr->port);
	netif_front_put(fr, "event-channel", v);
	netif_front_put(fr, "request-rx-copy", "1");
	netif_front_put(fr, "feature-rx-notify", "1");
	netif_front_state(fr, XenbusStateConnected);
}

netif_tx_response_t netif_front_send(struct netif_front *fr, uint16_t id, grant_ref_t ref,
				     uint16_t offset, uint16_t size, uint16_t flags)
{
	netif_tx_request_t *req = RING_GET_REQUEST(&fr->tx, fr->tx.req_prod_pvt);
	netif_tx_response_t rsp;
	int notify;

	*req = (netif_tx_request_t){ .gref = ref, .offset = offset, .flags = flags, .id = id,
				     .size = size };
	fr->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr->tx, notify);
	if (notify)
		sim_evtchn_send(fr->d, fr->port);
	assert_true(RING_HAS_UNCONSUMED_RESPONSES(&fr->tx));
	rsp = *RING_GET_RESPONSE(&fr->tx, fr->tx.rsp_cons);
	fr->tx.rsp_cons++;
	return rsp;
}

void netif_front_queue_rx(struct netif_front *fr, uint16_t id, grant_ref_t ref)
{
	*RING_GET_REQUEST(&fr->rx, fr->rx.req_prod_pvt) = (netif_rx_request_t){ .id = id,
										 .gref = ref };
	fr->rx.req_prod_pvt++;
}

void netif_front_push_rx(struct netif_front *fr)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr->rx, notify);
	if (notify)
		sim_evtchn_send(fr->d, fr->port);
}

bool netif_front_port_pending(struct netif_front *fr)
{
	unsigned int bits = sizeof(xen_ulong_t) * 8;
	xen_ulong_t *word = &fr->d->shared_info->evtchn_pending[fr->port / bits];
	xen_ulong_t bit = (xen_ulong_t)1 << (fr->port % bits);

	return __atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit;
}
