/*
 * NAME
 *	spf_macro 3
 * SUMMARY
 *	SPF macro expansion (RFC 7208 section 7): explanations, and the
 *	domain-specs greyspf hands libspf2 under an alias
 * SYNOPSIS
 *	#include "spf_macro.h"
 *
 *	int	spf_macro_expand(text, len, explain, ctx, out, size)
 *	void	spf_domain_truncate(name)
 * DESCRIPTION
 *	spf_macro_expand() expands a macro-string (explain: an
 *	explain-string, with spaces and the c, r and t macros) into out.
 *	greyspf expands explanation texts itself: libspf2's explanation
 *	parser mangles spaces and holds the CVE-2023-42118 underflow, so
 *	remote explanation text never reaches it; spf_dns.c expands the
 *	domain-specs of a record, so that libspf2 gets short names.
 *	Upper-case macro letters are URL-escaped with upper-case hex;
 *	transformers (digits, "r", delimiters) work as section 7.3 says,
 *	over every part of a value. It returns 0, or -1 on a syntax error
 *	or when the result does not fit (the caller then uses the default
 *	explanation, or leaves the spec to libspf2).
 *
 *	spf_domain_truncate() cuts a name longer than 253 octets from the
 *	left, a label at a time (section 7.3).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "spf_macro.h"

#define SPF_MACRO_VALUE_MAX	1024	/* bytes of one macro's value */

struct spf_buf {
	char	*p;
	size_t	size, len;
	int	over;
};

static void
spf_add(struct spf_buf *b, char c)
{
	if (b->len + 1 >= b->size) {
		b->over = 1;
		return;
	}
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

/* spf_macro_value - the raw value of one macro letter */

static void
spf_macro_value(int letter, const struct spf_macro_ctx *c, char *v,
    size_t size)
{
	const char *at, *s = c->sender ? c->sender : "";
	const uint8_t *b = c->client->bytes;
	size_t i, n = 0;

	at = strrchr(s, '@');
	switch (letter) {
	case 's':
		snprintf(v, size, "%s", s);
		break;
	case 'l':
		if (at == NULL || at == s)
			snprintf(v, size, "postmaster");
		else
			snprintf(v, size, "%.*s", (int)(at - s), s);
		break;
	case 'o':
		snprintf(v, size, "%s", at ? at + 1 : s);
		break;
	case 'd':
		snprintf(v, size, "%s", c->domain ? c->domain : "");
		break;
	case 'h':
		snprintf(v, size, "%s", c->helo ? c->helo : "");
		break;
	case 'r':
		snprintf(v, size, "%s", c->receiver ? c->receiver : "unknown");
		break;
	case 't':
		snprintf(v, size, "%lld", c->now);
		break;
	case 'v':
		snprintf(v, size, "%s", c->client->family == 4 ? "in-addr"
		    : "ip6");
		break;
	case 'p':
		snprintf(v, size, "%s", c->validated ? c->validated(c->arg)
		    : "unknown");
		break;
	case 'c':
		if (c->client->family == 4)
			snprintf(v, size, "%u.%u.%u.%u", b[0], b[1], b[2],
			    b[3]);
		else if (inet_ntop(AF_INET6, b, v, (socklen_t)size) == NULL)
			snprintf(v, size, "unknown");
		break;
	case 'i':
	default:
		if (c->client->family == 4) {
			snprintf(v, size, "%u.%u.%u.%u", b[0], b[1], b[2],
			    b[3]);
			break;
		}
		for (i = 0; i < 16 && n + 4 < size; i++)
			n += (size_t)snprintf(v + n, size - n, "%s%X.%X",
			    i ? "." : "", b[i] >> 4, b[i] & 15);
		break;
	}
}

/*
 * spf_transform - keep the rightmost parts, maybe reversed; join with ".".
 * v holds less than SPF_MACRO_VALUE_MAX bytes, so every part is seen.
 */

static void
spf_transform(const char *v, long keep, int reverse, const char *delims,
    char *out, size_t size)
{
	const char *part[SPF_MACRO_VALUE_MAX / 2 + 1];
	size_t plen[SPF_MACRO_VALUE_MAX / 2 + 1], n = 0, i, first, o = 0;
	const char *p = v, *e;

	for (;;) {
		e = p + strcspn(p, delims);
		if (n < sizeof(part) / sizeof(part[0])) {
			part[n] = p;
			plen[n++] = (size_t)(e - p);
		}
		if (*e == 0)
			break;
		p = e + 1;
	}
	if (reverse)
		for (i = 0; i < n / 2; i++) {
			const char *tp = part[i];
			size_t tl = plen[i];

			part[i] = part[n - 1 - i];
			plen[i] = plen[n - 1 - i];
			part[n - 1 - i] = tp;
			plen[n - 1 - i] = tl;
		}
	first = (keep > 0 && (size_t)keep < n) ? n - (size_t)keep : 0;
	out[0] = 0;
	for (i = first; i < n; i++) {
		if (o + plen[i] + 2 > size)
			break;
		if (i > first)
			out[o++] = '.';
		memcpy(out + o, part[i], plen[i]);
		o += plen[i];
		out[o] = 0;
	}
}

int
spf_macro_expand(const char *s, size_t len, int explain,
    const struct spf_macro_ctx *ctx, char *out, size_t size)
{
	struct spf_buf b = {out, size, 0, 0};
	char raw[SPF_MACRO_VALUE_MAX], val[SPF_MACRO_VALUE_MAX], delims[8];
	size_t i = 0, j, nd;
	long keep;
	int letter, upper, reverse;

	if (size == 0)
		return (-1);
	out[0] = 0;
	while (i < len && !b.over) {
		if (s[i] != '%') {
			unsigned char c = (unsigned char)s[i];

			if (c == ' ' ? !explain : (c < 0x21 || c > 0x7e))
				return (-1);
			spf_add(&b, s[i++]);
			continue;
		}
		if (i + 1 >= len)
			return (-1);
		switch (s[i + 1]) {
		case '%':
			spf_add(&b, '%');
			i += 2;
			continue;
		case '_':
			spf_add(&b, ' ');
			i += 2;
			continue;
		case '-':
			spf_add(&b, '%');
			spf_add(&b, '2');
			spf_add(&b, '0');
			i += 2;
			continue;
		case '{':
			break;
		default:
			return (-1);
		}
		i += 2;
		if (i >= len)
			return (-1);
		letter = tolower((unsigned char)s[i]);
		upper = isupper((unsigned char)s[i]);
		if (strchr(explain ? "slodiphcrtv" : "slodiphv", letter)
		    == NULL || letter == 0)
			return (-1);
		i++;
		keep = 0;
		if (i < len && s[i] == '0')
			return (-1);
		while (i < len && isdigit((unsigned char)s[i]) && keep < 1000)
			keep = keep * 10 + (s[i++] - '0');
		reverse = 0;
		if (i < len && (s[i] == 'r' || s[i] == 'R')) {
			reverse = 1;
			i++;
		}
		nd = 0;
		while (i < len && s[i] && strchr(".-+,/_=", s[i]) != NULL) {
			if (nd < sizeof(delims) - 1 && memchr(delims, s[i],
			    nd) == NULL)
				delims[nd++] = s[i];
			i++;
		}
		delims[nd] = 0;
		if (nd == 0)
			strcpy(delims, ".");
		if (i >= len || s[i] != '}')
			return (-1);
		i++;
		spf_macro_value(letter, ctx, raw, sizeof(raw));
		spf_transform(raw, keep, reverse, delims, val, sizeof(val));
		for (j = 0; val[j] && !b.over; j++) {
			unsigned char c = (unsigned char)val[j];

			if (upper && !(isalnum(c) || c == '-' || c == '.'
			    || c == '_' || c == '~')) {
				char hex[4];

				snprintf(hex, sizeof(hex), "%%%02X", c);
				spf_add(&b, hex[0]);
				spf_add(&b, hex[1]);
				spf_add(&b, hex[2]);
			} else
				spf_add(&b, (char)c);
		}
	}
	return (b.over ? -1 : 0);
}

void
spf_domain_truncate(char *name)
{
	size_t len = strlen(name);
	char *p = name;

	if (len > 0 && name[len - 1] == '.')
		len--;
	while (len - (size_t)(p - name) > 253) {
		char *dot = memchr(p, '.', len - (size_t)(p - name));

		if (dot == NULL)
			break;
		p = dot + 1;
	}
	if (p != name)
		memmove(name, p, strlen(p) + 1);
}
