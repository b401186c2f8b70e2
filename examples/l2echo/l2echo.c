/*
 * l2echo: answers every Ethernet frame with the source and destination MAC
 * addresses swapped, on every vif the domain has. It tests the device path
 * (netfront, the rings and grants, netback and a vif backend) without an IP
 * stack. Prints per-vif counters when it ends: when it is shut down, or with
 * the guest argument `count=N`, after echoing N frames.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uk/netfront.h>
#include <uk.h>

#define MAX_VIFS 8
#define OPEN_TIMEOUT_NS (10 * UK_NSEC_PER_SEC)

struct l2echo {
	struct netfront *nf[MAX_VIFS];
	int nr;
	uint64_t echoed, limit;
	bool reported;
	struct uk_waitq done;
};

static struct l2echo app = { .done = UK_WAITQ_INIT };

static void echo(struct netfront *nf, const uint8_t *frame, size_t len, void *arg)
{
	uint8_t out[NETFRONT_MAX_FRAME];

	if (len < 12 || len > sizeof(out))
		return;
	memcpy(out, frame + 6, 6);
	memcpy(out + 6, frame, 6);
	memcpy(out + 12, frame + 12, len - 12);
	if (netfront_send(nf, out, len) == 0)
		app.echoed++;
	if (app.limit && app.echoed >= app.limit)
		uk_waitq_wake_all(&app.done);
}

static void report(void)
{
	if (app.reported)
		return;
	app.reported = true;
	for (int i = 0; i < app.nr; i++) {
		struct netfront_stats st;
		netfront_stats(app.nf[i], &st);
		uk_printf("vif%d: rx %" PRIu64 " frames %" PRIu64 " bytes, tx %" PRIu64
			  " frames %" PRIu64 " bytes, rx errors %" PRIu64 ", tx errors %" PRIu64
			  "\n", i, st.rx_frames, st.rx_bytes, st.tx_frames, st.tx_bytes,
			  st.rx_errors, st.tx_errors);
	}
}

int app_main(int argc, char **argv)
{
	int count = netfront_count();

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "count=", 6))
			app.limit = strtoull(argv[i] + 6, NULL, 10);
	uk_atexit(report);
	if (count <= 0) {
		uk_printf("l2echo: no network devices (give the unikernel --vif ...)\n");
		return 1;
	}
	for (int i = 0; i < count && i < MAX_VIFS; i++) {
		uint8_t mac[6];
		int rc = netfront_open((unsigned int)i, OPEN_TIMEOUT_NS, &app.nf[i]);
		if (rc < 0) {
			uk_printf("l2echo: vif%d did not connect: error %d\n", i, rc);
			return 1;
		}
		app.nr++;
		netfront_mac(app.nf[i], mac);
		uk_printf("l2echo: vif%d %02x:%02x:%02x:%02x:%02x:%02x mtu %u, echoing\n", i,
			  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], netfront_mtu(app.nf[i]));
		netfront_set_rx(app.nf[i], echo, NULL);
	}
	/* Runs until shut down (control/shutdown), or until count= frames. */
	while (!app.limit || app.echoed < app.limit)
		uk_waitq_wait(&app.done, 0);
	report();
	for (int i = 0; i < app.nr; i++)
		netfront_close(app.nf[i]);
	return 0;
}
