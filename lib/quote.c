/*
 * NAME
 *	quote 3
 * SUMMARY
 *	tumgreyspf's quoteAddress: an address as one path component
 * SYNOPSIS
 *	#include "quote.h"
 *
 *	int	quote_address(raw, buf, size)
 *	int	unquote_address(name, buf, size)
 * DESCRIPTION
 *	tumgreyspf named files and directories after addresses: its data
 *	tree (db/legacy.c) and its per-entity configuration tree
 *	(lib/entity.c) both, so the escaping lives here, below both.
 *
 *	quote_address() keeps ASCII letters, digits and "_.-@+", turns
 *	every other byte into %XX with upper-case hex ("~" included, unlike
 *	Python 3's quote), then a leading "." into "%2e" with a lower-case
 *	"e". The result never contains "/" and is never "." or "..".
 *	unquote_address() reverses it, accepting either hex case, and
 *	refuses a broken escape or a NUL.
 * DIAGNOSTICS
 *	Both return 0, or -1 when the result does not fit or (unquote)
 *	the name is not a valid escape.
 */

#include <string.h>

#include "quote.h"

static const char quote_hex[] = "0123456789ABCDEF";

/* quote_safe - a byte quoteAddress keeps as it is */

static int
quote_safe(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'
	    || c == '@' || c == '+');
}

/* quote_address - tumgreyspf's quoteAddress */

int
quote_address(const char *raw, char *buf, size_t size)
{
	const unsigned char *p;
	size_t n = 0;

	for (p = (const unsigned char *)raw; *p; p++) {
		if (quote_safe(*p)) {
			if (n + 1 >= size)
				return (-1);
			buf[n++] = (char)*p;
		} else {
			if (n + 3 >= size)
				return (-1);
			buf[n++] = '%';
			buf[n++] = quote_hex[*p >> 4];
			buf[n++] = quote_hex[*p & 15];
		}
	}
	if (n > 0 && buf[0] == '.') {
		if (n + 2 >= size)
			return (-1);
		memmove(buf + 3, buf + 1, n - 1);
		memcpy(buf, "%2e", 3);
		n += 2;
	}
	if (n >= size)
		return (-1);
	buf[n] = 0;
	return (0);
}

static int
quote_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* unquote_address - %XX decoding; no NUL, no broken escape */

int
unquote_address(const char *name, char *buf, size_t size)
{
	size_t n = 0;
	int hi, lo;

	for (; *name; name++) {
		if (n + 1 >= size)
			return (-1);
		if (*name != '%') {
			buf[n++] = *name;
			continue;
		}
		if ((hi = quote_hexval(name[1])) < 0
		    || (lo = quote_hexval(name[2])) < 0)
			return (-1);
		if (hi == 0 && lo == 0)
			return (-1);
		buf[n++] = (char)(hi << 4 | lo);
		name += 2;
	}
	buf[n] = 0;
	return (0);
}
