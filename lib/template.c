/*
 * NAME
 *	template 3
 * SUMMARY
 *	%-escape templates: the greylist reply text, the X-Greylist header
 * SYNOPSIS
 *	#include "template.h"
 *
 *	int	template_check(tmpl, letters)
 *	size_t	template_expand(tmpl, vars, nvars, buf, size)
 * DESCRIPTION
 *	A template is printable ASCII text in which %x is replaced by the
 *	value of the variable x, and %% by "%" (postgrey's --greylist-text
 *	and --x-greylist-header forms: %s, %r; %t, %v, %h, %d). Every
 *	occurrence is replaced (postgrey replaced the first only).
 *
 *	template_check() says whether a template is usable with the
 *	variables named in letters: 0, or -1 for a byte that is not
 *	printable ASCII, an unknown %x or a "%" at the end. The
 *	configuration reader calls it, so that a bad template is an error
 *	at start, with its file and line.
 *
 *	template_expand() writes the expansion into buf (size bytes, NUL
 *	included), cut at the end of buf, and returns its length. It is
 *	pure.
 * SECURITY
 *	Values may come from the client (a recipient's domain): each is
 *	cut to TEMPLATE_VALUE_MAX bytes, and every byte that is not
 *	printable ASCII (a space is) is written as "?". Nothing the
 *	client sends can end a reply line or add a header line.
 */

#include <string.h>

#include "template.h"

/* template_check - 0 when tmpl is printable and uses only letters */

int
template_check(const char *tmpl, const char *letters)
{
	const unsigned char *p;

	for (p = (const unsigned char *)tmpl; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return (-1);
		if (*p != '%')
			continue;
		p++;
		if (*p != '%' && (*p == 0 || strchr(letters, *p) == NULL))
			return (-1);
	}
	return (0);
}

/* template_expand - tmpl with its variables; returns the length */

size_t
template_expand(const char *tmpl, const struct template_var *vars,
    size_t nvars, char *buf, size_t size)
{
	const unsigned char *v;
	const char *p;
	size_t n = 0, i, k;

	if (size == 0)
		return (0);
	for (p = tmpl; *p && n + 1 < size; p++) {
		if (*p != '%' || p[1] == 0) {
			buf[n++] = *p;
			continue;
		}
		if (*++p == '%') {
			buf[n++] = '%';
			continue;
		}
		for (i = 0; i < nvars && vars[i].letter != *p; i++)
			;
		if (i == nvars || vars[i].value == NULL)
			continue;
		v = (const unsigned char *)vars[i].value;
		for (k = 0; v[k] && k < TEMPLATE_VALUE_MAX && n + 1 < size;
		    k++)
			buf[n++] = v[k] >= 0x20 && v[k] < 0x7f ? (char)v[k]
			    : '?';
	}
	buf[n] = 0;
	return (n);
}
