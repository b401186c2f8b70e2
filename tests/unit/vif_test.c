/*
 * vifs and netback (sim/backends/vif.c, sim/backends/netback.c, traces/pcap_writer.c): --vif
 * specs, the default MAC, the xenstore entries libxl and Linux netback
 * write, capture files, and the netif rings driven by a frontend written
 * here by hand (grant table, rings and event channel in the guest's RAM,
 * as netfront sets them up).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netif_front.h" /* first: the ring barriers, before <xen/io/netif.h> */
#include <xen/io/xs_wire.h>

#include "sim/domain.h"
#include "sim/backends/netback.h"
#include "sim/sim.h"
#include "sim/toolstack/toolstack.h"
#include "sim/sim_private.h"
#include "sim/backends/vif.h"
#include "sim/xenstored/xs_store.h"
#include "sim_checks.h"
#include "sim_fixture.h"

/* --- vif_config_parse --- */

static void parse_accepts_each_backend(void **state)
{
	struct vif_config cfg;

	vif_spec_parse_ok("null", &cfg);
	assert_string_equal(cfg.backend, "null");
	assert_null(cfg.arg);
	assert_false(cfg.mac_given);
	assert_null(cfg.capture);
	assert_int_equal(cfg.mtu, 1500);
	vif_config_free(&cfg);

	vif_spec_parse_ok("tap=dd0", &cfg);
	assert_string_equal(cfg.backend, "tap");
	assert_string_equal(cfg.arg, "dd0");
	vif_config_free(&cfg);

	vif_spec_parse_ok("pcap=in.pcap,linger=2", &cfg);
	assert_string_equal(cfg.backend, "pcap");
	assert_string_equal(cfg.arg, "in.pcap");
	assert_string_equal(vif_config_get(&cfg, "linger"), "2");
	vif_config_free(&cfg);

	vif_spec_parse_ok("user", &cfg);
	assert_string_equal(cfg.backend, "user");
	vif_config_free(&cfg);
}

static void parse_takes_common_keys(void **state)
{
	struct vif_config cfg;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0xab, 0xCD, 0x01 };

	vif_spec_parse_ok("null,mac=02:00:00:ab:CD:01,capture=/tmp/x.pcap,mtu=576", &cfg);
	assert_true(cfg.mac_given);
	assert_memory_equal(cfg.mac, mac, 6);
	assert_string_equal(cfg.capture, "/tmp/x.pcap");
	assert_int_equal(cfg.mtu, 576);
	vif_config_free(&cfg);
}

static void parse_keeps_backend_keys_in_order(void **state)
{
	struct vif_config cfg;

	vif_spec_parse_ok("user,hostfwd=tcp::8080-:80,mac=00:16:3e:00:00:09,hostfwd=udp::53-:53",
			  &cfg);
	assert_int_equal(cfg.nr_keys, 2);
	assert_string_equal(cfg.keys[0].key, "hostfwd");
	assert_string_equal(cfg.keys[0].value, "tcp::8080-:80");
	assert_string_equal(cfg.keys[1].value, "udp::53-:53");
	assert_string_equal(vif_config_get(&cfg, "hostfwd"), "tcp::8080-:80");
	assert_null(vif_config_get(&cfg, "linger"));
	vif_config_free(&cfg);
}

static void parse_refuses_unknown_backend_naming_the_valid_ones(void **state)
{
	vif_spec_refused("bogus", "unknown vif backend 'bogus' (valid: tap=IFNAME, user, "
			 "pcap=FILE or null)");
	vif_spec_refused("", "unknown vif backend ''");
	vif_spec_refused(",mac=00:16:3e:00:00:01", "valid: tap=IFNAME");
	vif_spec_refused("averyveryverylongbackendname", "unknown vif backend");
}

static void parse_refuses_bad_mac_naming_it(void **state)
{
	vif_spec_refused("null,mac=zz:00", "zz:00");
	vif_spec_refused("null,mac=00:16:3e:00:00", "00:16:3e:00:00");
	vif_spec_refused("null,mac=00:16:3e:00:00:01:02", "00:16:3e:00:00:01:02");
	vif_spec_refused("null,mac=01:00:5e:00:00:01", "unicast");
	vif_spec_refused("null,mac=00:00:00:00:00:00", "unicast");
	vif_spec_refused("null,mac=", "bad mac ''");
}

static void parse_refuses_incomplete_specs(void **state)
{
	vif_spec_refused("tap", "tap=IFNAME");
	vif_spec_refused("tap=", "tap=IFNAME");
	vif_spec_refused("pcap", "pcap=FILE");
	vif_spec_refused("null=x", "takes no '=x'");
	vif_spec_refused("tap=averyverylongifname", "longer than 15");
	vif_spec_refused("null,capture=", "capture= needs a file");
	vif_spec_refused("null,mtu=67", "bad mtu '67'");
	vif_spec_refused("null,mtu=4083", "bad mtu '4083'");
	vif_spec_refused("null,mtu=15OO", "bad mtu");
	vif_spec_refused("null,linger", "key=value");
	vif_spec_refused("null,,mac=00:16:3e:00:00:01", "key=value");
	vif_spec_refused("null,linger=2", "unknown key 'linger' for vif backend 'null'");
	vif_spec_refused("tap=dd0,hostfwd=x", "unknown key 'hostfwd' for vif backend 'tap'");
}

/* --- a simulator with domain 1 --- */

struct fixture {
	struct sim_fixture sf;
	struct sim *sim;
	struct sim_domain *d;
	char tmpdir[64];
};

static int setup(void **state)
{
	static struct fixture f;
	struct sim_fixture_options o = { .console_to_stdout = true };

	memset(&f, 0, sizeof(f));
	if (sim_fixture_create(&f.sf, &o) < 0)
		return -1;
	f.sim = f.sf.sim;
	f.d = f.sf.guest[0];
	strcpy(f.tmpdir, "/tmp/vif_test.XXXXXX");
	if (!mkdtemp(f.tmpdir))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	sim_fixture_destroy(&f->sf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct vif *make_vif(struct fixture *f, unsigned int index, const char *spec)
{
	return vif_spec_create(f->d, index, spec);
}

static char *xs_read(struct fixture *f, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return sim_xs_get(f->sim, path);
}

static void assert_xs(struct fixture *f, const char *path, const char *want)
{
	sim_xs_assert(f->sim, path, want);
}

static void xs_put(struct fixture *f, const char *path, const char *value)
{
	sim_xs_put(f->sim, path, value);
}

/* One request from a client of the given domain; returns the reply's type and payload. */
struct reply {
	uint32_t type;
	char payload[512];
};

static void on_reply(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload,
		     void *arg)
{
	struct reply *r = arg;

	if (hdr->type == XS_WATCH_EVENT)
		return;
	r->type = hdr->type;
	memcpy(r->payload, payload, hdr->len < sizeof(r->payload) ? hdr->len : 0);
	r->payload[hdr->len < sizeof(r->payload) ? hdr->len : 0] = '\0';
}

static struct reply xs_as(struct fixture *f, domid_t domid, uint32_t type, const char *payload,
			  size_t len)
{
	struct reply r = { 0 };
	struct xs_conn *c = xs_conn_create(sim_xenstore(f->sim), domid, on_reply, &r);
	struct xsd_sockmsg hdr = { .type = type, .req_id = 7, .len = (uint32_t)len };

	xs_conn_handle(c, &hdr, payload);
	xs_conn_destroy(c);
	return r;
}

/* XS_GET_PERMS as dom0: "n1\0r0\0" becomes "n1 r0". */
static void assert_perms(struct fixture *f, const char *path, const char *want)
{
	struct reply r = xs_as(f, 0, XS_GET_PERMS, path, strlen(path) + 1);
	char got[128] = "";

	assert_int_equal(r.type, XS_GET_PERMS);
	for (const char *p = r.payload; *p; p += strlen(p) + 1) {
		if (*got)
			strcat(got, " ");
		strcat(got, p);
	}
	if (strcmp(got, want))
		fail_msg("permissions of %s are '%s', want '%s'", path, got, want);
}

/* --- default MAC, xenstore entries --- */

static void default_mac_is_xen_oui_with_domid_and_index(void **state)
{
	struct fixture *f = *state;
	static const uint8_t want0[6] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 };
	static const uint8_t want1[6] = { 0x00, 0x16, 0x3e, 0x00, 0x01, 0x01 };
	struct vif *v0 = make_vif(f, 0, "null");
	struct vif *v1 = make_vif(f, 1, "null");

	assert_memory_equal(v0->cfg.mac, want0, 6);
	assert_memory_equal(v1->cfg.mac, want1, 6);
	assert_int_equal(v0->cfg.mac[0] & 1, 0); /* unicast */
	assert_xs(f, "/local/domain/1/device/vif/0/mac", "00:16:3e:00:01:00");
	assert_xs(f, "/local/domain/1/device/vif/1/mac", "00:16:3e:00:01:01");
	assert_int_equal(f->d->nr_vifs, 2);
	assert_ptr_equal(f->d->vifs[1], v1);
}

static void default_mac_is_the_same_in_every_simulator(void **state)
{
	struct sim_config sc = { .clock = SIM_CLOCK_REAL, .seed = 99,
				 .console_fd = STDOUT_FILENO };
	struct sim_domain_config dc = { .domid = 0x1234, .name = "x", .mem_bytes = 4 << 20 };
	static const uint8_t want[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x03 };
	struct fixture g = { 0 };
	struct vif *v;

	assert_int_equal(sim_create(&g.sim, &sc), 0);
	assert_int_equal(sim_toolstack_build_domain(g.sim, &dc, &g.d), 0);
	v = make_vif(&g, 3, "null");
	assert_memory_equal(v->cfg.mac, want, 6);
	sim_destroy(g.sim);
}

static void given_mac_is_used(void **state)
{
	struct fixture *f = *state;
	struct vif *v = make_vif(f, 0, "null,mac=02:aa:bb:cc:dd:ee");

	assert_int_equal(v->cfg.mac[0], 0x02);
	assert_xs(f, "/local/domain/1/device/vif/0/mac", "02:aa:bb:cc:dd:ee");
	assert_xs(f, "/local/domain/0/backend/vif/1/0/mac", "02:aa:bb:cc:dd:ee");
}

static void netback_writes_libxl_entries_and_waits(void **state)
{
	struct fixture *f = *state;
	const char *fe = "/local/domain/1/device/vif/0", *be = "/local/domain/0/backend/vif/1/0";
	char path[128];

	make_vif(f, 0, "null");
	sim_poll(f->sim);
	struct { const char *dir, *name, *value; } want[] = {
		{ fe, "backend", be }, { fe, "backend-id", "0" }, { fe, "state", "1" },
		{ fe, "handle", "0" }, { fe, "mtu", "1500" }, { fe, "trusted", "1" },
		{ be, "frontend", fe }, { be, "frontend-id", "1" }, { be, "online", "1" },
		{ be, "state", "2" }, { be, "handle", "0" }, { be, "type", "vif" },
		{ be, "feature-rx-copy", "1" }, { be, "feature-rx-flip", "0" },
		{ be, "feature-sg", "1" }, { be, "feature-rx-notify", "1" },
		{ be, "feature-gso-tcpv4", "1" }, { be, "feature-no-csum-offload", "0" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", want[i].dir, want[i].name);
		assert_xs(f, path, want[i].value);
	}
	assert_null(xs_read(f, "%s/mtu", be)); /* libxl: only when not 1500 */
	/* libxl's permissions: the guest owns its frontend directory, dom0 reads it;
	 * the backend directory and the frontend's mtu are dom0's, the guest reads them. */
	assert_perms(f, fe, "n1 r0");
	assert_perms(f, "/local/domain/1/device/vif/0/state", "n1 r0");
	assert_perms(f, "/local/domain/1/device/vif/0/mtu", "n0 r1");
	assert_perms(f, be, "n0 r1");
	assert_perms(f, "/local/domain/0/backend/vif/1/0/state", "n0 r1");
	snprintf(path, sizeof(path), "%s/state", be);
	assert_int_equal(xs_as(f, 1, XS_READ, path, strlen(path) + 1).type, XS_READ);
	char w[128];
	int n = snprintf(w, sizeof(w), "%s/state%c4", be, '\0');
	assert_int_equal(xs_as(f, 1, XS_WRITE, w, (size_t)n).type, XS_ERROR);
	n = snprintf(w, sizeof(w), "%s/state%c3", fe, '\0');
	assert_int_equal(xs_as(f, 1, XS_WRITE, w, (size_t)n).type, XS_WRITE);
}

static void vif_destroy_removes_its_entries(void **state)
{
	struct fixture *f = *state;
	struct vif *v = make_vif(f, 2, "null,mtu=4000");

	assert_xs(f, "/local/domain/0/backend/vif/1/2/mtu", "4000");
	vif_destroy(v);
	assert_null(f->d->vifs[2]);
	assert_int_equal(f->d->nr_vifs, 0);
	assert_null(xs_read(f, "/local/domain/1/device/vif/2/state"));
	assert_null(xs_read(f, "/local/domain/0/backend/vif/1/2/state"));
}

static void vif_create_names_an_unwritable_capture_file(void **state)
{
	struct fixture *f = *state;
	struct vif_config cfg;
	struct vif *v;
	char err[256] = "";

	vif_spec_parse_ok("null,capture=/nonexistent/dir/cap.pcap", &cfg);
	assert_int_equal(vif_create(f->d, 0, &cfg, &v, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir/cap.pcap"));
	assert_null(f->d->vifs[0]);
	assert_null(xs_read(f, "/local/domain/1/device/vif/0/state"));
	vif_config_free(&cfg);
}

/* --- capture --- */

static void capture_holds_both_directions_readable_by_libpcap(void **state)
{
	struct fixture *f = *state;
	char spec[128], path[96], errbuf[PCAP_ERRBUF_SIZE];
	uint8_t in[60], out[1514];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct vif *v;
	pcap_t *p;

	memset(in, 0xa5, sizeof(in));
	memset(out, 0x5a, sizeof(out));
	snprintf(path, sizeof(path), "%s/cap.pcap", f->tmpdir);
	snprintf(spec, sizeof(spec), "null,capture=%s", path);
	v = make_vif(f, 0, spec);
	sim_clock_advance_to(sim_clock(f->sim), 1500000000ull + 2500); /* 1.5 s + 2.5 us */
	assert_int_equal(vif_deliver(v, in, sizeof(in)), -ENOTCONN); /* captured, dropped */
	assert_int_equal(v->stats.to_guest_dropped, 1);
	sim_clock_advance_to(sim_clock(f->sim), 3000000000ull);
	vif_from_guest(v, out, sizeof(out));
	assert_int_equal(v->stats.from_guest_frames, 1);
	assert_int_equal(v->stats.from_guest_bytes, 1514);
	vif_flush(v);

	assert_non_null(p = pcap_open_offline(path, errbuf));
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 1);
	assert_int_equal(h->ts.tv_usec, 500002);
	assert_int_equal(h->caplen, sizeof(in));
	assert_memory_equal(data, in, sizeof(in));
	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 3);
	assert_int_equal(h->ts.tv_usec, 0);
	assert_int_equal(h->len, sizeof(out));
	assert_memory_equal(data, out, sizeof(out));
	assert_int_equal(pcap_next_ex(p, &h, &data), -2); /* end of file */
	pcap_close(p);
}

static void oversized_and_runt_frames_are_dropped_and_counted(void **state)
{
	struct fixture *f = *state;
	struct vif *v = make_vif(f, 0, "null,mtu=576");
	uint8_t frame[600] = { 0 };

	assert_int_equal(vif_deliver(v, frame, 591), -EMSGSIZE);
	assert_int_equal(v->stats.oversized_dropped, 1);
	assert_int_equal(vif_deliver(v, frame, 13), -EMSGSIZE);
	assert_int_equal(vif_deliver(v, frame, 590), -ENOTCONN);
	assert_int_equal(v->stats.to_guest_dropped, 2);
	assert_int_equal(v->stats.to_guest_frames, 0);
}

/* --- the rings, with a frontend written here --- */

/* Guest frames used by the hand-made frontend. */
enum { GFN_TX_BUF = NETIF_FRONT_GFN_FREE, GFN_RX_BUF };
enum { REF_TX_BUF = NETIF_FRONT_REF_FREE, REF_RX_BUF, REF_RO_BUF };

static void *page(struct fixture *f, xen_pfn_t gfn)
{
	return sim_domain_gfn_to_page(f->d, gfn);
}

/* vif 0 from spec, with a frontend connected as netfront connects it. */
static void front_setup(struct fixture *f, struct netif_front *fr, const char *spec)
{
	netif_front_init(fr, f->d);
	netif_front_grant(fr, REF_TX_BUF, GFN_TX_BUF, true);
	netif_front_grant(fr, REF_RX_BUF, GFN_RX_BUF, false);
	netif_front_grant(fr, REF_RO_BUF, GFN_TX_BUF, true);
	fr->v = make_vif(f, 0, spec);
	sim_poll(f->sim);
	netif_front_connect(fr);
}

static void front_post_rx(struct netif_front *fr, uint16_t id, grant_ref_t ref)
{
	netif_front_queue_rx(fr, id, ref);
	netif_front_push_rx(fr);
}

static void netback_connects_when_the_frontend_does(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;

	front_setup(f, &fr, "null");
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "4");
	assert_true(netback_connected(fr.v->netback));
	assert_int_equal(f->d->violations, 0);
}

static void tx_frames_reach_the_backend_and_are_answered(void **state)
{
	struct fixture *f = *state;
	char spec[128], path[96], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct netif_front fr;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/tx.pcap", f->tmpdir);
	snprintf(spec, sizeof(spec), "null,capture=%s", path);
	front_setup(f, &fr, spec);
	memset(page(f, GFN_TX_BUF), 0x11, 4096);
	memcpy((uint8_t *)page(f, GFN_TX_BUF) + 100, "\xff\xff\xff\xff\xff\xff", 6);
	netif_tx_response_t rsp = netif_front_send(&fr, 5, REF_TX_BUF, 100, 60, 0);
	assert_int_equal(rsp.id, 5);
	assert_int_equal(rsp.status, NETIF_RSP_OKAY);
	assert_true(netif_front_port_pending(&fr));
	assert_int_equal(fr.v->stats.from_guest_frames, 1);
	assert_int_equal(fr.v->stats.from_guest_bytes, 60);
	/* The same id again, once the guest has its answer: fine. */
	rsp = netif_front_send(&fr, 5, REF_TX_BUF, 0, 1514, 0);
	assert_int_equal(rsp.status, NETIF_RSP_OKAY);
	assert_int_equal(f->d->violations, 0);
	vif_flush(fr.v);
	assert_non_null(p = pcap_open_offline(path, errbuf));
	assert_int_equal(pcap_next_ex(p, &h, &data), 1);
	assert_int_equal(h->len, 60);
	assert_memory_equal(data, (uint8_t *)page(f, GFN_TX_BUF) + 100, 60);
	pcap_close(p);
}

static void bad_tx_requests_are_violations_answered_with_errors(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;

	/* sg=0: a multi-slot frame is then one the backend never offered to take. */
	front_setup(f, &fr, "null,sg=0");
	assert_int_equal(netif_front_send(&fr, 1, REF_TX_BUF, 0, 13, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(netif_front_send(&fr, 1, REF_TX_BUF, 0, 1515, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 2);
	assert_int_equal(netif_front_send(&fr, 1, REF_TX_BUF, 4000, 100, 0).status,
			 NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 3);
	assert_int_equal(netif_front_send(&fr, 256, REF_TX_BUF, 0, 60, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 4);
	assert_int_equal(netif_front_send(&fr, 2, 9999, 0, 60, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 5); /* grant copy fails: bad ref */
	assert_int_equal(netif_front_send(&fr, 2, REF_TX_BUF, 0, 60, NETTXF_more_data).status,
			 NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 6);
	/* The rest of that frame is answered too, and then frames flow again. */
	assert_int_equal(netif_front_send(&fr, 3, REF_TX_BUF, 0, 60, 0).status, NETIF_RSP_ERROR);
	assert_int_equal(netif_front_send(&fr, 4, REF_TX_BUF, 0, 60, 0).status, NETIF_RSP_OKAY);
	assert_int_equal(f->d->violations, 6);
	assert_int_equal(fr.v->stats.from_guest_frames, 1);
}

static void a_reused_id_in_one_batch_is_a_violation(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;
	int notify;

	front_setup(f, &fr, "null");
	for (int i = 0; i < 2; i++) {
		*RING_GET_REQUEST(&fr.tx, fr.tx.req_prod_pvt) = (netif_tx_request_t){
			.gref = REF_TX_BUF, .id = 9, .size = 60 };
		fr.tx.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr.tx, notify);
	assert_true(notify);
	sim_evtchn_send(f->d, fr.port);
	assert_int_equal(RING_GET_RESPONSE(&fr.tx, 0)->status, NETIF_RSP_OKAY);
	assert_int_equal(RING_GET_RESPONSE(&fr.tx, 1)->status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 1);
}

static void a_producer_beyond_the_ring_stops_netback(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;

	front_setup(f, &fr, "null");
	fr.tx.sring->req_prod = 257;
	sim_evtchn_send(f->d, fr.port);
	assert_int_equal(f->d->violations, 1);
	assert_int_equal(fr.tx.sring->rsp_prod, 0);
	sim_evtchn_send(f->d, fr.port);
	assert_int_equal(f->d->violations, 1); /* reported once; the ring is no longer read */
}

static void rx_frames_fill_posted_buffers(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;
	uint8_t frame[100];

	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	front_setup(f, &fr, "null");
	assert_false(vif_rx_ready(fr.v));
	assert_int_equal(vif_deliver(fr.v, frame, sizeof(frame)), -ENOBUFS);
	assert_int_equal(fr.v->stats.to_guest_dropped, 1);
	front_post_rx(&fr, 17, REF_RX_BUF);
	assert_true(vif_rx_ready(fr.v));
	netif_front_port_pending(&fr);
	assert_int_equal(vif_deliver(fr.v, frame, sizeof(frame)), 0);
	assert_true(netif_front_port_pending(&fr));
	assert_true(RING_HAS_UNCONSUMED_RESPONSES(&fr.rx));
	netif_rx_response_t rsp = *RING_GET_RESPONSE(&fr.rx, fr.rx.rsp_cons);
	assert_int_equal(rsp.id, 17);
	assert_int_equal(rsp.offset, 0);
	assert_int_equal(rsp.flags, 0);
	assert_int_equal(rsp.status, sizeof(frame));
	assert_memory_equal(page(f, GFN_RX_BUF), frame, sizeof(frame));
	assert_int_equal(fr.v->stats.to_guest_frames, 1);
	assert_int_equal(fr.v->stats.to_guest_bytes, sizeof(frame));
	/* A read-only grant cannot take a frame. */
	front_post_rx(&fr, 18, REF_RO_BUF);
	assert_int_equal(vif_deliver(fr.v, frame, sizeof(frame)), -ENOBUFS);
	assert_int_equal(RING_GET_RESPONSE(&fr.rx, fr.rx.rsp_cons + 1)->status, NETIF_RSP_ERROR);
	assert_int_equal(f->d->violations, 1);
}

static void closing_disconnects_and_initialising_reconnects(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;

	front_setup(f, &fr, "null");
	netif_front_state(&fr, XenbusStateClosing);
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "6");
	assert_false(netback_connected(fr.v->netback));
	assert_int_equal(vif_deliver(fr.v, (const uint8_t *)"0123456789abcdef", 16), -ENOTCONN);
	netif_front_state(&fr, XenbusStateClosed);
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "6");
	netif_front_state(&fr, XenbusStateInitialising);
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "2");
	/* The guest's port went back to unbound: it allocates a new one, as netfront does. */
	netif_front_connect(&fr);
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "4");
	assert_true(netback_connected(fr.v->netback));
	assert_int_equal(netif_front_send(&fr, 0, REF_TX_BUF, 0, 60, 0).status, NETIF_RSP_OKAY);
	assert_int_equal(f->d->violations, 0);
}

static void a_frontend_without_rx_copy_is_refused(void **state)
{
	struct fixture *f = *state;
	struct netif_front fr;

	memset(&fr, 0, sizeof(fr));
	fr.d = f->d;
	fr.v = make_vif(f, 0, "null");
	sim_poll(f->sim);
	xs_put(f, "/local/domain/1/device/vif/0/tx-ring-ref", "10");
	xs_put(f, "/local/domain/1/device/vif/0/rx-ring-ref", "11");
	xs_put(f, "/local/domain/1/device/vif/0/event-channel", "5");
	netif_front_state(&fr, XenbusStateConnected);
	assert_int_equal(f->d->violations, 1);
	assert_false(netback_connected(fr.v->netback));
	assert_xs(f, "/local/domain/0/backend/vif/1/0/state", "5");
}

int main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(parse_accepts_each_backend),
		cmocka_unit_test(parse_takes_common_keys),
		cmocka_unit_test(parse_keeps_backend_keys_in_order),
		cmocka_unit_test(parse_refuses_unknown_backend_naming_the_valid_ones),
		cmocka_unit_test(parse_refuses_bad_mac_naming_it),
		cmocka_unit_test(parse_refuses_incomplete_specs),
	};
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest vifs[] = {
		T(default_mac_is_xen_oui_with_domid_and_index),
		cmocka_unit_test(default_mac_is_the_same_in_every_simulator),
		T(given_mac_is_used),
		T(netback_writes_libxl_entries_and_waits),
		T(vif_destroy_removes_its_entries),
		T(vif_create_names_an_unwritable_capture_file),
		T(capture_holds_both_directions_readable_by_libpcap),
		T(oversized_and_runt_frames_are_dropped_and_counted),
	};
	const struct CMUnitTest rings[] = {
		T(netback_connects_when_the_frontend_does),
		T(tx_frames_reach_the_backend_and_are_answered),
		T(bad_tx_requests_are_violations_answered_with_errors),
		T(a_reused_id_in_one_batch_is_a_violation),
		T(a_producer_beyond_the_ring_stops_netback),
		T(rx_frames_fill_posted_buffers),
		T(closing_disconnects_and_initialising_reconnects),
		T(a_frontend_without_rx_copy_is_refused),
	};
#undef T
	int failed = cmocka_run_group_tests_name("vif_config", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("vif", vifs, NULL, NULL);
	failed += cmocka_run_group_tests_name("netback", rings, NULL, NULL);
	return failed;
}
