/*
 * The second SIGINT/SIGTERM's handler (sim/host/signals.c, on_signal) makes
 * only async-signal-safe calls: the signal may land inside malloc or stdio
 * in the main code, where strsignal (gettext, a locale lock) or snprintf
 * (stdio's locale, maybe malloc) could deadlock or corrupt their state.
 *
 * The executable is linked with --wrap for the unsafe calls the handler
 * could be tempted by (CMakeLists.txt): each wrapper notes a call made on
 * the alternate signal stack, where the handler runs (SA_ONSTACK) and
 * nothing else of this test does. Run with "-- two-signals", app_main
 * sends itself SIGTERM twice; the handler's _exit, wrapped too, prints
 * which unsafe calls it saw (or that it ran off the alternate stack, where
 * they go unseen), and CMakeLists.txt checks that line; the
 * integration tests (signals.sh) check the handler's message. Run with
 * "-- two-signals-overrun", it first runs its console ring's producer
 * index past the ring (a guest that overran it): the handler still writes
 * out what it can with write(2), reporting no violation with stdio.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xen/hvm/params.h>
#include <xen/io/console.h>

#include "runtime/include/uk/alloc.h"
#include "runtime/include/uk/boot.h"
#include "runtime/include/uk/hypercall.h"
#include "runtime/platform/platform.h"

const char uk_app_name[] = "sim_signal_safe_test";

/* The unsafe calls seen on the alternate signal stack, a bit each. */
static volatile sig_atomic_t unsafe;
static volatile sig_atomic_t signalled;

#define UNSAFE(X)                                                                          \
	X(strsignal)                                                                       \
	X(strerror)                                                                        \
	X(snprintf)                                                                        \
	X(__snprintf_chk)                                                                  \
	X(vsnprintf)                                                                       \
	X(malloc)                                                                          \
	X(sim_log)                                                                         \
	X(sim_report_violation)

#define BIT(name) BIT_##name,
enum { UNSAFE(BIT) NR_UNSAFE };
#undef BIT
#define NAME(name) #name,
static const char *const unsafe_names[] = { UNSAFE(NAME) };
#undef NAME

/* Notes a call of an unsafe function when it is made in a signal handler. */
static void note(unsigned int bit)
{
	stack_t ss;

	if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
		unsafe |= 1 << bit;
}

char *__real_strsignal(int sig), *__wrap_strsignal(int sig);
char *__wrap_strsignal(int sig)
{
	note(BIT_strsignal);
	return __real_strsignal(sig);
}

char *__real_strerror(int err), *__wrap_strerror(int err);
char *__wrap_strerror(int err)
{
	note(BIT_strerror);
	return __real_strerror(err);
}

int __real_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	note(BIT_vsnprintf);
	return __real_vsnprintf(s, n, fmt, ap);
}

int __wrap_snprintf(char *s, size_t n, const char *fmt, ...);
int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	note(BIT_snprintf);
	va_start(ap, fmt);
	rc = __real_vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return rc;
}

/* What _FORTIFY_SOURCE turns snprintf into. */
int __wrap___snprintf_chk(char *s, size_t n, int flag, size_t len, const char *fmt, ...);
int __wrap___snprintf_chk(char *s, size_t n, int flag, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	(void)flag;
	(void)len;
	note(BIT___snprintf_chk);
	va_start(ap, fmt);
	rc = __real_vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return rc;
}

void *__real_malloc(size_t size), *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	note(BIT_malloc);
	return __real_malloc(size);
}

void __real_sim_log(const char *fmt, ...), __wrap_sim_log(const char *fmt, ...);
void __wrap_sim_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	note(BIT_sim_log);
	va_start(ap, fmt);
	__real_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	__real_sim_log("%s", line);
}

struct sim_domain;
void __real_sim_report_violation(struct sim_domain *d, const char *fmt, ...);
void __wrap_sim_report_violation(struct sim_domain *d, const char *fmt, ...);
void __wrap_sim_report_violation(struct sim_domain *d, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	note(BIT_sim_report_violation);
	va_start(ap, fmt);
	__real_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	__real_sim_report_violation(d, "%s", line);
}

/* The handler's last call: says what it saw, with write(2) only. */
_Noreturn void __real__exit(int status), __wrap__exit(int status);
_Noreturn void __wrap__exit(int status)
{
	static const char safe[] = "two-signals: the handler made no unsafe call\n";
	static const char bad[] = "two-signals: the handler called";
	static const char off[] = "two-signals: the handler ran off the alternate stack, "
				  "where its calls go unseen\n";
	stack_t ss;

	if (signalled) {
		/* note() sees only calls on the alternate stack: off it, "no unsafe call" means nothing. */
		if (sigaltstack(NULL, &ss) < 0 || !(ss.ss_flags & SS_ONSTACK)) {
			(void)!write(STDOUT_FILENO, off, sizeof(off) - 1);
		} else if (!unsafe) {
			(void)!write(STDOUT_FILENO, safe, sizeof(safe) - 1);
		} else {
			(void)!write(STDOUT_FILENO, bad, sizeof(bad) - 1);
			for (unsigned int i = 0; i < NR_UNSAFE; i++)
				if (unsafe & (1 << i)) {
					(void)!write(STDOUT_FILENO, " ", 1);
					(void)!write(STDOUT_FILENO, unsafe_names[i],
						     strlen(unsafe_names[i]));
				}
			(void)!write(STDOUT_FILENO, "\n", 1);
		}
	}
	__real__exit(status);
}

/* A handler of the test's own, on the alternate stack as the simulator's are. */
static void on_usr1(int sig)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%d", sig);
}

static void test_the_wrappers_see_calls_in_a_handler_and_only_there(void **state)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK }, old;
	char buf[8];

	(void)state;
	unsafe = 0;
	snprintf(buf, sizeof(buf), "%d", 1); /* on the thread's stack: not noted */
	assert_int_equal(unsafe, 0);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	kill(getpid(), SIGUSR1); /* the handler runs before kill returns */
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_true(unsafe & (1 << BIT_snprintf | 1 << BIT___snprintf_chk));
	unsafe = 0;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_wrappers_see_calls_in_a_handler_and_only_there),
	};

	if (argc > 1 && !strcmp(argv[1], "two-signals-overrun")) {
		uint64_t pfn = 0;
		struct xencons_interface *c;

		if (uk_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn) < 0 || !pfn)
			return 1;
		c = uk_platform_phys_to_virt(pfn << UK_PAGE_SHIFT);
		/* No hypercall from here on: the simulator sees the ring only in the handler. */
		__atomic_store_n(&c->out_prod, c->out_cons + 3 * sizeof(c->out), __ATOMIC_RELEASE);
		argv[1] = "two-signals";
	}
	if (argc > 1 && !strcmp(argv[1], "two-signals")) {
		unsafe = 0;
		signalled = 1;
		kill(getpid(), SIGTERM); /* asks for a power-off (the loop's on_wake) */
		kill(getpid(), SIGTERM); /* stops at once: the handler ends in _exit */
		printf("two-signals: the second signal did not end the process\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
