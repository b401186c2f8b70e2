/*
 * SHA-256 (FIPS 180-4), incremental: init, update with any number of byte
 * runs of any length, final. Freestanding: only <stdint.h> and <stddef.h>,
 * so the same file builds in the guest and in a host unit test.
 */
#ifndef HTTPD_SHA256_H
#define HTTPD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;     /* message length so far */
	uint8_t block[64];  /* a partial block waiting for more input */
	size_t fill;        /* bytes of block in use */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Pads, writes the digest and leaves c to be initialised again. */
void sha256_final(struct sha256 *c, uint8_t digest[SHA256_DIGEST_LEN]);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[2 * SHA256_DIGEST_LEN + 1]);

#endif
