/* examples/httpd's SHA-256 against the FIPS 180-4 / NIST CAVP known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

static void hash_hex(const void *data, size_t len, char out[65])
{
	struct sha256 c;
	uint8_t d[SHA256_DIGEST_LEN];

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, d);
	sha256_hex(d, out);
}

static void test_sha256_of_empty_message(void **state)
{
	char hex[65];

	(void)state;
	hash_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_of_abc(void **state)
{
	char hex[65];

	(void)state;
	hash_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 56 bytes: the length no longer fits the first block, padding takes a second. */
static void test_sha256_of_two_block_message(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];

	(void)state;
	hash_hex(m, strlen(m), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a's fed in pieces of every size from 1 to 997 bytes. */
static void test_sha256_of_a_million_a_in_uneven_pieces(void **state)
{
	static char a[1000];
	struct sha256 c;
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[65];
	size_t left = 1000000, k = 1;

	(void)state;
	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	while (left) {
		size_t n = k < left ? k : left;

		sha256_update(&c, a, n);
		left -= n;
		k = k % 997 + 1;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Final leaves the context ready for a new message. */
static void test_sha256_final_starts_a_new_message(void **state)
{
	struct sha256 c;
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[65];

	(void)state;
	sha256_init(&c);
	sha256_update(&c, "junk", 4);
	sha256_final(&c, d);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_of_empty_message),
		cmocka_unit_test(test_sha256_of_abc),
		cmocka_unit_test(test_sha256_of_two_block_message),
		cmocka_unit_test(test_sha256_of_a_million_a_in_uneven_pieces),
		cmocka_unit_test(test_sha256_final_starts_a_new_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
