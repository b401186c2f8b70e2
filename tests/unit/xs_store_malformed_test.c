/*
 * xenstored against malformed requests: a clear error, never a crash.
 * (xs_store_fixture.h: the fixture.)
 */
#include "xs_store_fixture.h"

/* ---- malformed requests ---- */

static void test_payload_without_nul_gives_einval(void **state)
{
	struct fx *f = *state;

	assert_error(req(f, f->g1, XS_READ, 0, "abc", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_READ, 0, "a\0b\0", 4), "EINVAL");
	assert_error(req(f, f->g1, XS_WRITE, 0, "abc", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_MKDIR, 0, NULL, 0), "EINVAL");
	assert_error(req(f, f->g1, XS_WATCH, 0, "x\0t", 3), "EINVAL");
	assert_error(req(f, f->g1, XS_WATCH, 0, "x\0t\0u\0", 6), "EINVAL");
	assert_error(req(f, f->g1, XS_DIRECTORY_PART, 0, "x\0", 2), "EINVAL");
	assert_error(req(f, f->g1, XS_TRANSACTION_END, 0, "T", 1), "EINVAL");
	assert_error(req(f, f->dom0, XS_GET_DOMAIN_PATH, 0, "1x\0", 3),
	             "EINVAL");
}

static void test_bad_permission_strings_give_einval(void **state)
{
	struct fx *f = *state;

	assert_ok(xwrite(f, f->g1, 0, "p", ""));
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 1, "p"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "q1"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r1x"), "EINVAL");
	assert_error(reqv(f, f->g1, XS_SET_PERMS, 0, 2, "p", "r99999"),
	             "EINVAL");
	assert_error(req(f, f->g1, XS_SET_PERMS, 0, "p\0r1", 4), "EINVAL");
}

static void test_unknown_transaction_id_gives_enoent(void **state)
{
	struct fx *f = *state;

	assert_error(XREAD(f, f->g1, 999, "x"), "ENOENT");
	assert_error(xwrite(f, f->g1, 999, "x", "v"), "ENOENT");
	/* Transactions are per connection. */
	assert_error(XREAD(f, f->g2, tx_start(f, f->g1), "x"), "ENOENT");
}

static void test_unknown_type_gives_enosys(void **state)
{
	struct fx *f = *state;

	assert_error(req(f, f->g1, XS_TYPE_COUNT, 0, NULL, 0), "ENOSYS");
	assert_error(req(f, f->g1, XS_INVALID, 0, "x\0", 2), "ENOSYS");
	assert_error(req(f, f->g1, XS_WATCH_EVENT, 0, "x\0t\0", 4), "ENOSYS");
	assert_error(req(f, f->dom0, XS_ERROR, 0, NULL, 0), "ENOSYS");
}

static void test_toolstack_requests_from_guest_give_eacces(void **state)
{
	struct fx *f = *state;
	static const uint32_t types[] = { XS_INTRODUCE, XS_RELEASE,
	                                  XS_SET_TARGET, XS_RESUME, XS_CONTROL,
	                                  XS_IS_DOMAIN_INTRODUCED };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_error(reqv(f, f->g1, types[i], 0, 3, "3", "0", "0"),
		             "EACCES");
}

static void test_fuzzed_requests_never_crash(void **state)
{
	struct fx *f = *state;
	static char buf[XENSTORE_PAYLOAD_MAX];
	static const char alphabet[] = "/a@\0Tr0w1-";
	unsigned seed = 12345;

	for (int i = 0; i < 20000; i++) {
		struct xs_conn *c = (i & 1) ? f->g1 : f->dom0;
		uint32_t type = (seed = seed * 1103515245 + 12345) % 28;
		size_t len = (seed >> 8) % 24;

		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (type == XS_RELEASE || type == XS_INTRODUCE)
			continue; /* would cut the fuzzing client off */
		req(f, c, type, (seed >> 20) % 3, buf, len);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_payload_without_nul_gives_einval),
		T(test_bad_permission_strings_give_einval),
		T(test_unknown_transaction_id_gives_enoent),
		T(test_unknown_type_gives_enosys),
		T(test_toolstack_requests_from_guest_give_eacces),
		T(test_fuzzed_requests_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
