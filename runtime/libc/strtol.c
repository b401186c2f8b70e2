/*
 * <stdlib.h> for the xen build: strtol, strtoul, strtoll, strtoull with the
 * C11 semantics (7.22.1.4): leading isspace() skipped, an optional sign,
 * base 0 (a "0x"/"0X" prefix means 16, a leading "0" means 8, else 10) or
 * 2..36 with letters for digits from 10 in either case, an optional
 * "0x"/"0X" prefix in base 16. "0x" not followed by a hex digit is the
 * number 0, and *end points at the 'x'. The unsigned functions negate a
 * value that had a '-' sign, in the unsigned type.
 *
 * Out of range, strtol/strtoll return LONG_MAX/LLONG_MAX (LONG_MIN/LLONG_MIN
 * when negative) and strtoul/strtoull return ULONG_MAX/ULLONG_MAX, with *end
 * past all the digits, as C requires. This libc has no errno variable, so,
 * unlike the host's, these functions do not report ERANGE: a caller can tell
 * overflow from a legitimately parsed limit only by the clamped value and
 * the digits *end skipped (e.g. by checking that the text is not the
 * limit's own spelling). With no digits they return 0 and set *end to s.
 *
 * Differences from glibc: an invalid base (1, < 0, > 36) returns 0 and sets
 * *end to s, where glibc sets errno = EINVAL and leaves *end alone. No
 * "0b" prefix (that is C23); no locale-specific digits or grouping.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

/* The digit's value, or 36 (a digit in no base) for anything else. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

struct parsed {
	unsigned long long magnitude; /* valid unless overflow */
	bool negative;
	bool overflow;
};

/*
 * The subject sequence shared by all four functions: its magnitude, sign
 * and whether the magnitude overflowed unsigned long long.
 */
static struct parsed parse(const char *s, char **end, int base)
{
	struct parsed r = { 0, false, false };
	const char *p = s;
	bool any = false;

	if (base < 0 || base == 1 || base > 36) {
		if (end != NULL)
			*end = (char *)s;
		return r;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-') {
		r.negative = *p == '-';
		p++;
	}
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		unsigned d = (unsigned)digit_value(*p);

		if (d >= (unsigned)base)
			break;
		any = true;
		if (r.magnitude > (ULLONG_MAX - d) / (unsigned)base)
			r.overflow = true;
		else
			r.magnitude = r.magnitude * (unsigned)base + d;
	}
	if (end != NULL)
		*end = (char *)(any ? p : s);
	return r;
}

static long long clamp_signed(struct parsed r, long long min, long long max)
{
	if (!r.negative)
		return r.overflow || r.magnitude > (unsigned long long)max ? max
									  : (long long)r.magnitude;
	/* -min == max + 1 is representable only as min itself. */
	if (r.overflow || r.magnitude > (unsigned long long)max)
		return min;
	return -(long long)r.magnitude;
}

/* max is 2^k - 1: negation modulo 2^k is (0 - magnitude) & max. */
static unsigned long long clamp_unsigned(struct parsed r, unsigned long long max)
{
	if (r.overflow || r.magnitude > max)
		return max;
	return r.negative ? (0 - r.magnitude) & max : r.magnitude;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	return (long)clamp_signed(parse(s, end, base), LONG_MIN, LONG_MAX);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	return (unsigned long)clamp_unsigned(parse(s, end, base), ULONG_MAX);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	return clamp_signed(parse(s, end, base), LLONG_MIN, LLONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	return clamp_unsigned(parse(s, end, base), ULLONG_MAX);
}
