/*
 * NAME
 *	redis_spec 3
 * SUMMARY
 *	parse a Redis database spec (pure: no I/O)
 * SYNOPSIS
 *	#include "redis_spec.h"
 *
 *	int	redis_spec_parse(spec, spec_r, err, errsize)
 *	int	redis_spec_is(spec)
 * DESCRIPTION
 *	The three forms a "database" value or a tool's -d takes for Redis:
 *
 * .nf
 *	redis://HOST:PORT[/DB]
 *	redis+unix:/PATH[?db=N]
 *	redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME[/DB]
 * .fi
 *
 *	HOST is a name or an IPv4 address, or an IPv6 address in
 *	brackets ([::1]:6379); PORT 1 to 65535; DB 0 to
 *	REDIS_SPEC_DB_MAX; PATH absolute and shorter than a socket's
 *	sun_path; MASTERNAME letters, digits, ".", "_" and "-"; at most
 *	REDIS_SPEC_HOSTS sentinels.
 *
 *	redis_spec_parse() fills spec_r and returns 0, or returns -1 with
 *	the reason in err (spec_r then undefined). redis_spec_is() says
 *	whether a spec names a Redis database at all (by its scheme).
 * SECURITY
 *	A spec holds no password: that is databasePasswordFile's, so it
 *	never reaches a command line or a log.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "redis_spec.h"
#include "util.h"

static int redis_spec_err(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
static const char *redis_spec_hostport(const char *, struct redis_spec *,
	    char *, size_t);
static int redis_spec_db(const char *, size_t, int *);
static int redis_spec_tail(const char *, struct redis_spec *, const char *,
	    char *, size_t);

#define REDIS_NAME_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

/* redis_spec_err - a reason, then -1 */

static int
redis_spec_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return (-1);
}

/* redis_spec_is - does spec name a Redis database? */

int
redis_spec_is(const char *spec)
{
	return (strncmp(spec, "redis:", 6) == 0
	    || strncmp(spec, "redis+unix:", 11) == 0
	    || strncmp(spec, "redis-sentinel:", 15) == 0);
}

/* redis_spec_db - a database number of exactly n bytes */

static int
redis_spec_db(const char *s, size_t n, int *db_r)
{
	char buf[16];
	long long v;

	if (n == 0 || n >= sizeof(buf))
		return (-1);
	memcpy(buf, s, n);
	buf[n] = 0;
	if (strspn(buf, "0123456789") != n
	    || strnum_ll(buf, 0, REDIS_SPEC_DB_MAX, &v) < 0)
		return (-1);
	*db_r = (int)v;
	return (0);
}

/* redis_spec_tail - nothing, or /DB, after what */

static int
redis_spec_tail(const char *s, struct redis_spec *sp, const char *what,
    char *err, size_t esize)
{
	if (*s == 0)
		return (0);
	if (*s != '/' || redis_spec_db(s + 1, strlen(s + 1), &sp->db) < 0)
		return (redis_spec_err(err, esize, "expected /DB (0 to %d) "
		    "after the %s", REDIS_SPEC_DB_MAX, what));
	return (0);
}

/*
 * redis_spec_hostport - one HOST:PORT into the next host slot; returns
 * the first byte after it, or NULL with err set
 */

static const char *
redis_spec_hostport(const char *s, struct redis_spec *sp, char *err,
    size_t esize)
{
	const char *h = s, *end, *p;
	char port[8];
	size_t hlen, plen;
	long long v;

	if (sp->nhosts == REDIS_SPEC_HOSTS) {
		redis_spec_err(err, esize, "more than %d hosts",
		    REDIS_SPEC_HOSTS);
		return (NULL);
	}
	if (*s == '[') {		/* [IPv6]:port */
		h = s + 1;
		if ((end = strchr(h, ']')) == NULL || end[1] != ':') {
			redis_spec_err(err, esize, "an IPv6 address must be "
			    "[ADDRESS]:PORT");
			return (NULL);
		}
		hlen = (size_t)(end - h);
		p = end + 2;
		if (strspn(h, "0123456789abcdefABCDEF:.") < hlen) {
			redis_spec_err(err, esize, "bad IPv6 address");
			return (NULL);
		}
	} else {
		hlen = strspn(h, REDIS_NAME_CHARS);
		if (h[hlen] != ':') {
			redis_spec_err(err, esize, "expected HOST:PORT at "
			    "\"%.40s\"", s);
			return (NULL);
		}
		p = h + hlen + 1;
	}
	if (hlen == 0 || hlen >= REDIS_SPEC_HOST_MAX) {
		redis_spec_err(err, esize, "empty or over-long host name");
		return (NULL);
	}
	plen = strspn(p, "0123456789");
	if (plen == 0 || plen >= sizeof(port)) {
		redis_spec_err(err, esize, "bad port at \"%.40s\"", p);
		return (NULL);
	}
	memcpy(port, p, plen);
	port[plen] = 0;
	if (strnum_ll(port, 1, 65535, &v) < 0) {
		redis_spec_err(err, esize, "port %s out of range (1 to 65535)",
		    port);
		return (NULL);
	}
	memcpy(sp->host[sp->nhosts], h, hlen);
	sp->host[sp->nhosts][hlen] = 0;
	sp->port[sp->nhosts] = (int)v;
	sp->nhosts++;
	return (p + plen);
}

/* redis_spec_parse - a spec into its parts, or -1 and the reason */

int
redis_spec_parse(const char *spec, struct redis_spec *sp, char *err,
    size_t esize)
{
	const char *s, *q;
	size_t n;

	memset(sp, 0, sizeof(*sp));
	if (strncmp(spec, "redis://", 8) == 0) {
		sp->kind = REDIS_TCP;
		if ((s = redis_spec_hostport(spec + 8, sp, err, esize)) == NULL)
			return (-1);
		return (redis_spec_tail(s, sp, "port", err, esize));
	}
	if (strncmp(spec, "redis+unix:", 11) == 0) {
		sp->kind = REDIS_UNIX;
		s = spec + 11;
		if ((q = strchr(s, '?')) == NULL)
			q = s + strlen(s);
		n = (size_t)(q - s);
		if (n < 2 || s[0] != '/' || s[1] == '/')
			return (redis_spec_err(err, esize, "expected "
			    "redis+unix:/PATH with an absolute PATH"));
		if (n >= sizeof(sp->path))
			return (redis_spec_err(err, esize, "socket path longer "
			    "than %zu bytes", sizeof(sp->path) - 1));
		memcpy(sp->path, s, n);
		sp->path[n] = 0;
		if (*q == 0)
			return (0);
		if (strncmp(q, "?db=", 4) != 0 || redis_spec_db(q + 4,
		    strlen(q + 4), &sp->db) < 0)
			return (redis_spec_err(err, esize, "expected ?db=N (0 "
			    "to %d) after the path", REDIS_SPEC_DB_MAX));
		return (0);
	}
	if (strncmp(spec, "redis-sentinel://", 17) == 0) {
		sp->kind = REDIS_SENTINEL;
		s = spec + 17;
		for (;;) {
			if ((s = redis_spec_hostport(s, sp, err, esize))
			    == NULL)
				return (-1);
			if (*s != ',')
				break;
			s++;
		}
		if (*s != '/')
			return (redis_spec_err(err, esize, "expected "
			    "/MASTERNAME after the sentinels"));
		s++;
		n = strspn(s, REDIS_NAME_CHARS);
		if (n == 0 || n >= sizeof(sp->master))
			return (redis_spec_err(err, esize, "bad master name "
			    "(letters, digits, ._-; at most %zu)",
			    sizeof(sp->master) - 1));
		memcpy(sp->master, s, n);
		sp->master[n] = 0;
		return (redis_spec_tail(s + n, sp, "master name", err, esize));
	}
	return (redis_spec_err(err, esize, "not a Redis spec (redis://, "
	    "redis+unix: or redis-sentinel://)"));
}
