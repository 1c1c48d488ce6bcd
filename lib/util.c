/*
 * NAME
 *	util 3
 * SUMMARY
 *	allocation that dies on exhaustion; strict number parsing; the
 *	standard descriptors never left free
 * SYNOPSIS
 *	#include "util.h"
 *
 *	void	*xmalloc(size), *xcalloc(n, size)
 *	void	*xreallocarray(ptr, n, size)
 *	char	*xstrdup(str)
 *
 *	int	strnum_ll(str, min, max, value_r)
 *	int	strnum_double(str, min, max, value_r)
 *
 *	int	std_fds_guard(void)
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
 *
 *	std_fds_guard() puts /dev/null on each of descriptors 0, 1 and 2
 *	that is closed, and returns -1 (errno set) when it cannot. Every
 *	program calls it first, before it opens anything: otherwise the
 *	next open() takes the free number, and a reply or a message meant
 *	for standard output lands in that file (LMDB's lock.mdb, say).
 *	/dev/null is opened in the other direction (write-only on 0,
 *	read-only on 1 and 2), so that the descriptor still behaves as
 *	closed: reading or writing it fails with EBADF, which the caller
 *	reports, rather than losing output without a word.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* std_fds_guard - /dev/null on closed descriptors 0-2; -1 if impossible */

int
std_fds_guard(void)
{
	int fd, nfd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* The lowest free number is fd: those below it are open. */
		nfd = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (nfd < 0)
			return (-1);
		if (nfd != fd) {
			close(nfd);
			errno = EBADF;
			return (-1);
		}
	}
	return (0);
}
