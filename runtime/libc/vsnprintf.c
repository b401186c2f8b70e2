/*
 * <stdio.h> for both builds: snprintf and vsnprintf, C11 7.21.6 without
 * floating point or wide characters. The runtime compiles this file in the
 * sim build as in the xen build (link names uk_libc_*, see <stdio.h>), so a
 * guest's output is the same in both.
 *
 * Supported: flags '-' '+' ' ' '#' '0'; field width and precision, either
 * as digits or '*' (a negative '*' width means '-' and its absolute value,
 * a negative '*' precision means none); length modifiers hh h l ll z j t
 * (and L, which glibc accepts as ll for integers); conversions d i u o x X
 * c s p %. The output is what glibc prints, including its choices where C
 * leaves them open: %p is "0x" and lowercase hex ("(nil)" for NULL) with
 * the flags of a signed conversion; %s of NULL is "(null)", or "" if the
 * precision is below 6; '0' pads %s, %c and %p's "(nil)" with spaces; %%
 * ignores flags and width.
 *
 * The return value is the number of characters the whole output has (not
 * counting the NUL), whatever size is; the buffer receives the first
 * size - 1 of them and a NUL when size > 0 (buf may be NULL when size is
 * 0). As in glibc, -1 if that number exceeds INT_MAX.
 *
 * Differences from glibc, by design:
 * - %f %F %e %E %g %G %a %A (any length) print "?" (padded to the width
 *   like a string) after consuming their double / long double argument,
 *   so that later arguments still line up. On x86-64 built without SSE no
 *   caller can pass a double, and none is consumed.
 * - %lc and %ls (wide characters) print "?" after consuming the argument.
 * - %n is not supported: its pointer argument is consumed, nothing is
 *   stored.
 * - An unknown conversion is copied to the output as written ("%y" gives
 *   "%y", as glibc does); a specification cut short by the end of the format
 *   ("abc%" or "abc%-5") is copied the same way, where glibc fails with -1.
 * - No positional arguments ("%1$d"), no ' (grouping) flag, no 'q'
 *   modifier.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "%zd reads a size_t as a ptrdiff_t");

/* The output so far: its first size - 1 characters are stored in buf. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, size_t n)
{
	for (; n > 0 && o->len + 1 < o->size; n--)
		o->buf[o->len++] = c;
	o->len += n; /* past the end of buf only the count grows */
}

static void put_chars(struct out *o, const char *s, size_t n)
{
	while (n-- > 0)
		put_char(o, *s++);
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T, LEN_BIG_L };

/* One conversion specification: %[flags][width][.precision][length]conv. */
struct spec {
	bool minus, plus, space, hash, zero;
	size_t width;  /* 0 when absent */
	int precision; /* -1 when absent */
	enum length length;
	char conv;
};

/* s padded with spaces to the field width; '0' is ignored, as in glibc. */
static void put_field(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!sp->minus)
		put_repeat(o, ' ', pad);
	put_chars(o, s, n);
	if (sp->minus)
		put_repeat(o, ' ', pad);
}

/*
 * An integer: [spaces] [sign] [0x] [zeros] digits [spaces]. sign is '-',
 * '+', ' ' or 0; prefix "0x"/"0X" or "".
 */
static void put_integer(struct out *o, const struct spec *sp, unsigned long long v,
			unsigned base, char sign, const char *prefix)
{
	const char *digit_chars = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[sizeof(v) * CHAR_BIT / 3 + 1]; /* octal needs the most */
	size_t n = 0, zeros, prefix_len = 0, total, pad;
	size_t precision = sp->precision < 0 ? 1 : (size_t)sp->precision;

	while (v != 0) {
		digits[n++] = digit_chars[v % base];
		v /= base;
	}
	zeros = precision > n ? precision - n : 0;
	/* '#' with o: the first digit is a 0 (the value 0 prints as "0"). */
	if (sp->hash && base == 8 && zeros == 0)
		zeros = 1;
	while (prefix[prefix_len] != '\0')
		prefix_len++;
	total = (sign != 0) + prefix_len + zeros + n;
	pad = sp->width > total ? sp->width - total : 0;

	/* '0' pads with zeros after the sign and prefix, unless '-' or a precision. */
	if (!sp->minus && !(sp->zero && sp->precision < 0))
		put_repeat(o, ' ', pad);
	if (sign != 0)
		put_char(o, sign);
	put_chars(o, prefix, prefix_len);
	if (!sp->minus && sp->zero && sp->precision < 0)
		put_repeat(o, '0', pad);
	put_repeat(o, '0', zeros);
	while (n > 0)
		put_char(o, digits[--n]);
	if (sp->minus)
		put_repeat(o, ' ', pad);
}

static long long get_signed(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, long long);
	case LEN_Z: /* the signed type of size_t's width */
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long get_unsigned(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	case LEN_T: /* the unsigned type of ptrdiff_t's width */
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static char sign_of(const struct spec *sp, bool negative)
{
	if (negative)
		return '-';
	if (sp->plus)
		return '+';
	if (sp->space)
		return ' ';
	return 0;
}

static void convert_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	long long v = get_signed(ap, sp->length);
	unsigned long long magnitude = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	put_integer(o, sp, magnitude, 10, sign_of(sp, v < 0), "");
}

static void convert_unsigned(struct out *o, const struct spec *sp, va_list *ap)
{
	unsigned long long v = get_unsigned(ap, sp->length);
	unsigned base = sp->conv == 'o' ? 8 : sp->conv == 'u' ? 10 : 16;
	const char *prefix = "";

	if (sp->hash && base == 16 && v != 0)
		prefix = sp->conv == 'X' ? "0X" : "0x";
	put_integer(o, sp, v, base, 0, prefix);
}

static void convert_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);

	if (v == 0)
		put_field(o, sp, "(nil)", 5);
	else
		put_integer(o, sp, v, 16, sign_of(sp, false), "0x");
}

static void convert_string(struct out *o, const struct spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t n = 0;

	if (s == NULL)
		s = sp->precision < 0 || sp->precision >= 6 ? "(null)" : "";
	/* Read no further than the precision: s need not be terminated. */
	while ((sp->precision < 0 || n < (size_t)sp->precision) && s[n] != '\0')
		n++;
	put_field(o, sp, s, n);
}

/* A conversion this libc does not do; its argument is consumed. */
static void convert_unsupported(struct out *o, const struct spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'c':
		(void)va_arg(*ap, unsigned int); /* wint_t */
		break;
	case 's':
		(void)va_arg(*ap, void *); /* wchar_t * */
		break;
	default: /* floating point */
#if !defined(__x86_64__) || defined(__SSE2__)
		if (sp->length == LEN_BIG_L)
			(void)va_arg(*ap, long double);
		else
			(void)va_arg(*ap, double);
#endif
		break;
	}
	put_field(o, sp, "?", 1);
}

/* Does the conversion; false if conv is not a conversion character. */
static bool convert(struct out *o, const struct spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		convert_signed(o, sp, ap);
		return true;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		convert_unsigned(o, sp, ap);
		return true;
	case 'p':
		convert_pointer(o, sp, ap);
		return true;
	case 'c':
	case 's':
		if (sp->length == LEN_L)
			convert_unsupported(o, sp, ap);
		else if (sp->conv == 's')
			convert_string(o, sp, ap);
		else {
			c = (char)(unsigned char)va_arg(*ap, int);
			put_field(o, sp, &c, 1);
		}
		return true;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		convert_unsupported(o, sp, ap);
		return true;
	case 'n':
		(void)va_arg(*ap, void *);
		return true;
	case '%':
		put_char(o, '%');
		return true;
	default:
		return false;
	}
}

/* A decimal number in the format, saturating at INT_MAX. */
static int parse_number(const char **p)
{
	int v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++) {
		int d = **p - '0';

		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
	}
	return v;
}

static bool parse_flag(struct spec *sp, char c)
{
	switch (c) {
	case '-':
		sp->minus = true;
		return true;
	case '+':
		sp->plus = true;
		return true;
	case ' ':
		sp->space = true;
		return true;
	case '#':
		sp->hash = true;
		return true;
	case '0':
		sp->zero = true;
		return true;
	default:
		return false;
	}
}

static enum length parse_length(const char **p)
{
	switch (**p) {
	case 'h':
		(*p)++;
		if (**p != 'h')
			return LEN_H;
		(*p)++;
		return LEN_HH;
	case 'l':
		(*p)++;
		if (**p != 'l')
			return LEN_L;
		(*p)++;
		return LEN_LL;
	case 'z':
		(*p)++;
		return LEN_Z;
	case 'j':
		(*p)++;
		return LEN_J;
	case 't':
		(*p)++;
		return LEN_T;
	case 'L':
		(*p)++;
		return LEN_BIG_L;
	default:
		return LEN_NONE;
	}
}

/*
 * Parses the specification after a '%' at *p, taking '*' arguments from ap.
 * Leaves *p after the conversion character (at the NUL if there is none).
 */
static void parse_spec(struct spec *sp, const char **p, va_list *ap)
{
	int w;

	*sp = (struct spec){ .precision = -1 };
	while (parse_flag(sp, **p))
		(*p)++;
	if (**p == '*') {
		(*p)++;
		w = va_arg(*ap, int);
		if (w < 0) {
			sp->minus = true;
			sp->width = 0 - (size_t)w; /* INT_MIN too */
		} else {
			sp->width = (size_t)w;
		}
	} else {
		sp->width = (size_t)parse_number(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			(*p)++;
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
		} else {
			sp->precision = parse_number(p);
		}
	}
	sp->length = parse_length(p);
	sp->conv = **p;
	if (**p != '\0')
		(*p)++;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	const char *p = fmt, *start;
	va_list args;

	/* A copy, so that a pointer to it can be passed (va_list may be an array). */
	va_copy(args, ap);
	while (*p != '\0') {
		if (*p != '%') {
			put_char(&o, *p++);
			continue;
		}
		start = p++;
		parse_spec(&sp, &p, &args);
		if (!convert(&o, &sp, &args))
			put_chars(&o, start, (size_t)(p - start));
	}
	va_end(args);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
