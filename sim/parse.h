/*
 * Numbers in what the simulator reads from outside (host options, --vif and
 * --disk specs, xenstore values a frontend wrote), parsed one way: decimal
 * digits only (host options may also use C's base prefixes), no sign, no
 * blank, no overflow. Callers say what was wrong in their own words.
 */
#ifndef SIM_PARSE_H
#define SIM_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* s is a decimal number from 0 to max: 0 and *out set, or -EINVAL. */
int sim_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* The same for the len bytes at s, which need not end in NUL (a xenstore value). */
int sim_parse_u64_n(const char *s, size_t len, uint64_t max, uint64_t *out);

/*
 * The same with C's prefixes, for host options (docs/host-options.md):
 * 0x for hex, a leading 0 for octal, else decimal.
 */
int sim_parse_u64_c(const char *s, uint64_t max, uint64_t *out);

/*
 * A fixed-point decimal at the start of s, for seconds and percentages:
 * DIGITS[.DIGITS], with an integer part of at most max_whole and at most
 * `decimals` fraction digits, as an integer scaled by 10^decimals
 * ("1.5" with 3 decimals is 1500). Returns the first character after the
 * number, or NULL when s does not start with one. max_whole * 10^decimals
 * must fit in 64 bits.
 */
const char *sim_parse_fixed(const char *s, unsigned int decimals, uint64_t max_whole,
			    uint64_t *out);

/* The value of one hexadecimal digit, or -1 (a MAC address, an xl.cfg escape). */
static inline int sim_parse_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
