/* Decimal numbers from outside, one parser for the simulator (sim/parse.h). */
#include <errno.h>

#include "sim/parse.h"

static int digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

/* One digit in base (8, 10 or 16), or -1. */
static int digit_in(char c, unsigned int base)
{
	int d = digit(c);

	if (d < 0 && base == 16 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
		d = (c | 0x20) - 'a' + 10;
	return d >= 0 && (unsigned int)d < base ? d : -1;
}

/* The len bytes at s: digits in base only, up to max. */
static int parse_base(const char *s, size_t len, unsigned int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = digit_in(s[i], base);

		if (d < 0 || (uint64_t)d > max || v > (max - (uint64_t)d) / base)
			return -EINVAL;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

static size_t length(const char *s)
{
	size_t len = 0;

	while (s[len])
		len++;
	return len;
}

int sim_parse_u64_n(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	return parse_base(s, len, 10, max, out);
}

int sim_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return parse_base(s, length(s), 10, max, out);
}

int sim_parse_u64_c(const char *s, uint64_t max, uint64_t *out)
{
	size_t len = length(s);

	if (len > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
		return parse_base(s + 2, len - 2, 16, max, out);
	if (len > 1 && s[0] == '0')
		return parse_base(s + 1, len - 1, 8, max, out);
	return parse_base(s, len, 10, max, out);
}

const char *sim_parse_fixed(const char *s, unsigned int decimals, uint64_t max_whole,
			    uint64_t *out)
{
	uint64_t whole = 0, frac = 0;
	unsigned int n = 0;

	if (digit(*s) < 0)
		return NULL;
	for (; digit(*s) >= 0; s++) {
		uint64_t d = (uint64_t)digit(*s);

		if (d > max_whole || whole > (max_whole - d) / 10)
			return NULL;
		whole = whole * 10 + d;
	}
	if (*s == '.') {
		s++;
		if (digit(*s) < 0)
			return NULL;
		for (; digit(*s) >= 0; s++, n++) {
			if (n == decimals)
				return NULL;
			frac = frac * 10 + (uint64_t)digit(*s);
		}
	}
	for (; n < decimals; n++)
		frac *= 10;
	for (unsigned int i = 0; i < decimals; i++)
		whole *= 10;
	*out = whole + frac;
	return s;
}
