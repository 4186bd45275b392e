/*
 * Formatting into a buffer: the subset of printf the kernel uses.
 *
 *   %d %i %u %x %X %p %s %c %%
 *   length hh, h, l, ll, z; flags '-' (left-justify) and '0' (zero-pad);
 *   a width.
 *
 * %p prints "0x" and 16 hex digits so that addresses line up in logs.
 * An unknown conversion is printed as written. Output that does not fit is
 * dropped, the buffer is always terminated (when n > 0) and the return
 * value is the length the whole output would have had, as C's snprintf.
 * No precision, no floating point: the kernel needs neither.
 */
#include <lib/printk.h>

/* Caps the parsed width so that a hostile format cannot overflow it. */
#define WIDTH_MAX 4096

struct out {
	char *buf;
	size_t n;
	size_t pos; /* may run past n: it counts what would have been written */
};

enum arg_len { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_SHORT, LEN_CHAR };

struct spec {
	bool left;
	bool zero;
	int width;
	int mindigits; /* not from the format: %p asks for all 16 */
	enum arg_len len;
};

static void out_char(struct out *o, char c)
{
	if (o->pos + 1 < o->n)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct out *o, char c, int count)
{
	while (count-- > 0)
		out_char(o, c);
}

static void out_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len])
		len++;
	if (!sp->left)
		out_repeat(o, ' ', sp->width - len);
	while (*s)
		out_char(o, *s++);
	if (sp->left)
		out_repeat(o, ' ', sp->width - len);
}

/*
 * Prints the magnitude `v` with an optional sign and prefix ("0x"), padded
 * to the width. Zero padding goes between the prefix and the digits.
 */
static void out_num(struct out *o, const struct spec *sp, u64 v, bool neg,
		    unsigned int base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 2^64 has 20 decimal digits */
	int nd = 0, len, pad;
	const char *p;

	do {
		tmp[nd++] = digits[v % base];
		v /= base;
	} while (v);
	while (nd < sp->mindigits && nd < (int)sizeof(tmp))
		tmp[nd++] = '0';

	len = nd + neg;
	for (p = prefix; p && *p; p++)
		len++;
	pad = sp->width - len;

	if (!sp->left && !sp->zero)
		out_repeat(o, ' ', pad);
	if (neg)
		out_char(o, '-');
	for (p = prefix; p && *p; p++)
		out_char(o, *p);
	if (!sp->left && sp->zero)
		out_repeat(o, '0', pad);
	while (nd)
		out_char(o, tmp[--nd]);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

static s64 arg_signed(va_list *ap, enum arg_len len)
{
	switch (len) {
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		/* ssize_t, which is long on every target Ferry has. */
		return va_arg(*ap, long);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static u64 arg_unsigned(va_list *ap, enum arg_len len)
{
	switch (len) {
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Parses flags, width and length after '%'; returns the conversion. */
static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){0};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		if (sp->width < WIDTH_MAX)
			sp->width = sp->width * 10 + (*f - '0');
	if (sp->width > WIDTH_MAX)
		sp->width = WIDTH_MAX;
	if (*f == 'l') {
		sp->len = LEN_LONG;
		if (*++f == 'l') {
			sp->len = LEN_LLONG;
			f++;
		}
	} else if (*f == 'h') {
		sp->len = LEN_SHORT;
		if (*++f == 'h') {
			sp->len = LEN_CHAR;
			f++;
		}
	} else if (*f == 'z') {
		sp->len = LEN_SIZE;
		f++;
	}
	return f;
}

/* Handles one conversion; returns false if `c` is not one we know. */
static bool convert(struct out *o, const struct spec *sp, char c, va_list *ap)
{
	struct spec ptr;
	s64 sv;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, sp->len);
		/* Negate as unsigned: -INT64_MIN does not fit an s64. */
		out_num(o, sp, sv < 0 ? -(u64)sv : (u64)sv, sv < 0, 10, false,
			NULL);
		return true;
	case 'u':
		out_num(o, sp, arg_unsigned(ap, sp->len), false, 10, false,
			NULL);
		return true;
	case 'x':
	case 'X':
		out_num(o, sp, arg_unsigned(ap, sp->len), false, 16, c == 'X',
			NULL);
		return true;
	case 'p':
		ptr = *sp;
		ptr.mindigits = 16;
		out_num(o, &ptr, (uintptr_t)va_arg(*ap, void *), false, 16,
			false, "0x");
		return true;
	case 's':
		out_str(o, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		if (!sp->left)
			out_repeat(o, ' ', sp->width - 1);
		out_char(o, (char)va_arg(*ap, int));
		if (sp->left)
			out_repeat(o, ' ', sp->width - 1);
		return true;
	case '%':
		out_char(o, '%');
		return true;
	default:
		return false;
	}
}

int vsnprintk(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .n = n, .pos = 0};
	struct spec sp;
	const char *start;
	va_list args;

	/* Helpers take a va_list *, which a va_list parameter cannot give. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		start = fmt;
		fmt = parse_spec(fmt + 1, &sp);
		if (*fmt && convert(&o, &sp, *fmt, &args)) {
			fmt++;
			continue;
		}
		/* Unknown or truncated: show the text as written. */
		while (start < fmt)
			out_char(&o, *start++);
	}
	va_end(args);

	if (n)
		o.buf[MIN(o.pos, n - 1)] = '\0';
	return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
}

int snprintk(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintk(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
