/*
 * uk_console_flush (runtime/console.c), which uk_exit calls before
 * SCHEDOP_shutdown: it returns once the backend has taken everything out of
 * the ring, and gives up after 10 s on a backend that never reads (saying
 * so on Xen's console) rather than holding the exit forever.
 *
 * This test is a unikernel (see sched_test.c): app_main runs the CMocka
 * group in the guest's main thread, under the virtual clock. It stops the
 * simulator's console backend by replacing the handler of its dom0 port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <xen/io/console.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/console.h"
#include "runtime/include/uk/time.h"
#include "sim/console.h"
#include "sim/evtchn.h"
#include "sim/sim.h"

const char uk_app_name[] = "console_flush_test";

static struct xencons_interface *ring(void)
{
	struct sim_domain *d = shim_current();

	return sim_domain_gfn_to_page(d, d->hvm_param[HVM_PARAM_CONSOLE_PFN]);
}

static void ignore_notifications(void *arg, evtchn_port_t port)
{
	(void)arg;
	(void)port;
}

/* As sim/console.c's own handler: drain, then tell the guest there is room. */
static void drain_and_notify(void *arg, evtchn_port_t port)
{
	struct sim_console *c = arg;

	(void)port;
	sim_console_drain(c);
	sim_evtchn_send(sim_domain_lookup(c->dom->sim, 0), c->dom0_port);
}

static void set_backend(sim_evtchn_handler_fn fn)
{
	struct sim_domain *d = shim_current();

	assert_int_equal(sim_evtchn_set_handler(sim_domain_lookup(d->sim, 0), d->console.dom0_port,
						fn, &d->console),
			 0);
}

static void test_flush_returns_once_the_backend_took_everything(void **state)
{
	static const char line[] = "console_flush_test: a line for the backend\n";
	uint64_t t0 = uk_now_ns();

	(void)state;
	uk_console_write(line, strlen(line));
	uk_console_flush();
	assert_int_equal(ring()->out_cons, ring()->out_prod);
	assert_true(uk_now_ns() - t0 < UK_NSEC_PER_SEC);
}

static void test_flush_gives_up_after_10_s_on_a_backend_that_never_reads(void **state)
{
	static const char line[] = "console_flush_test: a line nobody reads\n";
	uint64_t t0;

	(void)state;
	set_backend(ignore_notifications);
	uk_console_write(line, strlen(line));
	t0 = uk_now_ns();
	uk_console_flush();
	assert_true(uk_now_ns() - t0 >= 10 * UK_NSEC_PER_SEC);
	assert_true(uk_now_ns() - t0 < 11 * UK_NSEC_PER_SEC);
	assert_int_equal(ring()->out_prod - ring()->out_cons, strlen(line));
	/* A backend that reads again gets all of it, and the exit's flush works. */
	set_backend(drain_and_notify);
	uk_console_flush();
	assert_int_equal(ring()->out_cons, ring()->out_prod);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_returns_once_the_backend_took_everything),
		cmocka_unit_test(test_flush_gives_up_after_10_s_on_a_backend_that_never_reads),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
