/*
 * NAME
 *	util 3
 * SUMMARY
 *	allocation that dies on exhaustion; strict number parsing
 * SYNOPSIS
 *	#include "util.h"
 *
 *	void	*xmalloc(size), *xcalloc(n, size)
 *	void	*xreallocarray(ptr, n, size)
 *	char	*xstrdup(str)
 *
 *	int	strnum_ll(str, min, max, value_r)
 *	int	strnum_double(str, min, max, value_r)
 * DESCRIPTION
 *	The x allocators call fatal() when memory is exhausted, so callers
 *	never test for NULL. xreallocarray() checks the multiplication.
 *
 *	strnum_ll() and strnum_double() accept optional surrounding blanks
 *	and an optional sign, then demand that the whole string is one
 *	number within [min, max]. They return 0 and store the value, or
 *	return -1 and leave *value_r untouched: no partial parse, no
 *	overflow, no "10m" read as 10. strnum_double() rejects nan, inf
 *	and hexadecimal forms.
 */

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p == NULL)
		fatal("malloc %zu", len);
	return (p);
}

void *
xcalloc(size_t n, size_t len)
{
	void *p = calloc(n ? n : 1, len ? len : 1);

	if (p == NULL)
		fatal("calloc %zu*%zu", n, len);
	return (p);
}

void *
xreallocarray(void *old, size_t n, size_t len)
{
	void *p;

	if (len && n > SIZE_MAX / len) {
		errno = ENOMEM;
		fatal("reallocarray %zu*%zu", n, len);
	}
	p = realloc(old, n * len != 0 ? n * len : 1);
	if (p == NULL)
		fatal("realloc %zu*%zu", n, len);
	return (p);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return (p);
}

/* strnum_trim - copy str without surrounding blanks; -1 if too long */

static int
strnum_trim(const char *str, char *buf, size_t bufsize)
{
	size_t len;

	while (*str == ' ' || *str == '\t')
		str++;
	len = strlen(str);
	while (len > 0 && (str[len - 1] == ' ' || str[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= bufsize)
		return (-1);
	memcpy(buf, str, len);
	buf[len] = 0;
	return (0);
}

/* strnum_ll - whole-string decimal integer within [min, max] */

int
strnum_ll(const char *str, long long min, long long max, long long *value_r)
{
	char buf[64], *end;
	const char *p;
	long long v;

	if (strnum_trim(str, buf, sizeof(buf)) < 0)
		return (-1);
	p = buf;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return (-1);
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return (-1);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != 0 || v < min || v > max)
		return (-1);
	*value_r = v;
	return (0);
}

/* strnum_double - whole-string decimal number within [min, max] */

int
strnum_double(const char *str, double min, double max, double *value_r)
{
	char buf[64], *end;
	const char *p;
	double v;
	int digits = 0;

	if (strnum_trim(str, buf, sizeof(buf)) < 0)
		return (-1);
	/* Only [+-]digits[.digits][e[+-]digits]: no nan, inf or 0x. */
	for (p = buf; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (strchr("+-.eE", *p) == NULL)
			return (-1);
	}
	if (digits == 0)
		return (-1);
	errno = 0;
	v = strtod(buf, &end);
	if (errno != 0 || *end != 0 || !(v >= min && v <= max))
		return (-1);
	*value_r = v;
	return (0);
}
