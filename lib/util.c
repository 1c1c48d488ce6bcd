/*
 * NAME
 *	util 3
 * SUMMARY
 *	allocation that dies on exhaustion; strict number parsing; the
 *	standard descriptors never left free; bounded reading of
 *	configuration files
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
 *	int	file_open_regular(path, fp_r)
 *	long	file_read_line(fp, buf, size, total_r, max_total)
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
 *	file_open_regular() opens a configuration file for reading, and
 *	refuses anything but a regular file: a device such as /dev/zero
 *	never ends, and a FIFO without a writer would block the open (it is
 *	opened with O_NONBLOCK, then checked with fstat). It returns 0, an
 *	errno value, or -1 for a file that is not a regular one.
 *
 *	file_read_line() reads one line into buf, without its newline, and
 *	returns its length in bytes. A line longer than size - 1 is read to
 *	its end, but only its start is kept: a return value of size or
 *	more says it was too long. A NUL byte is kept, so strlen(buf) less
 *	than the length says there was one. Every byte read is counted in
 *	*total_r; once that passes max_total, reading stops and -2 is
 *	returned, even in the middle of a line. -1 is the end of the file
 *	or a read error (ferror() tells).
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
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
	struct pollfd pfd[3];
	int fd, nfd;

	/* One system call for the common case, all three open: poll()
	 * marks a closed descriptor POLLNVAL. */
	for (fd = 0; fd <= 2; fd++) {
		pfd[fd].fd = fd;
		pfd[fd].events = 0;
	}
	if (poll(pfd, 3, 0) < 0)
		return (-1);
	for (fd = 0; fd <= 2; fd++) {
		if (!(pfd[fd].revents & POLLNVAL))
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
/* file_open_regular - open a regular file for reading, without blocking */

int
file_open_regular(const char *path, FILE **fp_r)
{
	struct stat st;
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC))
	    < 0)
		return (errno);
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return (err);
	}
	/* O_NONBLOCK means nothing to a regular file: left as it is. */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return (-1);
	}
	if ((*fp_r = fdopen(fd, "r")) == NULL) {
		err = errno;
		close(fd);
		return (err);
	}
	return (0);
}

/* file_read_line - one line, bounded by size and by the file's total */

long
file_read_line(FILE *fp, char *buf, size_t size, size_t *total_r,
    size_t max_total)
{
	size_t len = 0;
	int c;

	while ((c = getc(fp)) != EOF) {
		if (++*total_r > max_total)
			return (-2);
		if (c == '\n')
			break;
		if (len + 1 < size)
			buf[len] = (char)c;
		len++;
	}
	if (c == EOF && (len == 0 || ferror(fp)))
		return (-1);
	buf[len < size ? len : size - 1] = 0;
	return ((long)len);
}
