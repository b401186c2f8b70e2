/* --timeout: a guest-time limit on a domain's run (contract in timeout.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/domain.h"
#include "sim/report.h"
#include "sim/toolstack/timeout.h"

#define NS_PER_SEC UINT64_C(1000000000)

void sim_timeout_format_seconds(uint64_t ns, char *buf, size_t len)
{
	uint64_t frac = ns % NS_PER_SEC;
	int digits = 9;

	if (!frac) {
		snprintf(buf, len, "%" PRIu64, ns / NS_PER_SEC);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, ns / NS_PER_SEC, digits, frac);
}

static void expired(struct sim_timer *timer, void *arg)
{
	struct sim_timeout *t = arg;
	char secs[32];

	sim_timeout_format_seconds(t->after_ns, secs, sizeof(secs));
	sim_log("domain %u (%s): timeout after %s s of guest time; powering it off",
		t->dom->domid, t->dom->name, secs);
	sim_domain_power_off(t->dom, SIM_TIMEOUT_EXIT_STATUS);
}

void sim_timeout_start(struct sim_timeout *t, struct sim_domain *d, uint64_t after_ns)
{
	memset(t, 0, sizeof(*t));
	t->sim = d->sim;
	t->dom = d;
	t->after_ns = after_ns;
	if (after_ns)
		sim_timer_start(t->sim, &t->timer, sim_now_ns(t->sim) + after_ns, expired, t);
}

void sim_timeout_stop(struct sim_timeout *t)
{
	if (t->sim)
		sim_timer_stop(t->sim, &t->timer);
}

int sim_timeout_parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0, scale = NS_PER_SEC;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > SIM_TIMEOUT_MAX_SEC)
			return -EINVAL;
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if ((scale /= 10) == 0)
				return -EINVAL;
			frac += (uint64_t)(*p - '0') * scale;
		}
	}
	if (*p || (sec == 0 && frac == 0) || (sec == SIM_TIMEOUT_MAX_SEC && frac))
		return -EINVAL;
	*ns = sec * NS_PER_SEC + frac;
	return 0;
}
