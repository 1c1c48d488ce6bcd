/*
 * NAME
 *	dumpfmt 3
 * SUMMARY
 *	one greylist entry as a line of text
 * SYNOPSIS
 *	#include "dumpfmt.h"
 *
 *	int	dumpfmt_format(key, rec, buf, size)
 *	int	dumpfmt_parse(line, key_r, rec_r, why_r)
 *	int	dumpfmt_is_counters(line)
 *	int	dumpfmt_counters_format(key, set, buf, size)
 *	int	dumpfmt_counters_parse(line, key_r, set_r, why_r)
 * DESCRIPTION
 *	The data lines of greyspf-dump(8), format "greyspf-greylist",
 *	version 1. Fields are separated by one space:
 *
 * .nf
 *	triplet CLIENT/PLEN SENDER RECIPIENT FIRST ALLOW LAST PASSES FLAGS
 *	    [PASS]
 *	iponly  CLIENT/PLEN FIRST ALLOW LAST PASSES FLAGS [PASS]
 *	awl     CLIENT/PLEN FIRST LAST PASSES
 *	counters PERIOD START NAME=COUNT[,NAME=COUNT...]
 * .fi
 *
 *	CLIENT/PLEN is a network with host bits clear (203.0.113.0/24,
 *	2001:db8::1/128). SENDER and RECIPIENT are escaped as tumgreyspf
 *	escaped file names (%XX for every byte but letters, digits and
 *	"_.-@+", a leading "." as "%2e"), so a field never holds a blank
 *	or a control byte; the empty address is "<>". Times are seconds
 *	since the epoch with six decimals. PASSES is a decimal count;
 *	FLAGS is "-" or "inferred" (first-seen was inferred on import).
 *	PASS, the time of the first pass (record version 2), is there
 *	only when known, so a database without pass times dumps as it
 *	did before and an older dump loads as it is.
 *
 *	An awl line is an auto-whitelist entry: its first and last counted
 *	pass (or request while whitelisted) and the passes counted; its
 *	record's allow time is its first (unused) and it has no flags.
 *
 *	A counters line is one counter key (counter.c): PERIOD is "hour",
 *	"day" or "total", START the bucket's start in whole seconds since
 *	the epoch (0 for the total), then the counters that are not zero,
 *	in id order, by name (counter_name(); "-" when there is none).
 *	dumpfmt_is_counters() tells such a line from an entry's, so that
 *	the caller picks the parser.
 *
 *	dumpfmt_parse() accepts exactly what dumpfmt_format() writes:
 *	single spaces, canonical escapes, canonical numbers. So a dump,
 *	loaded and dumped again, is byte-identical. It refuses addresses
 *	with ASCII capitals: the service lower-cases every address before
 *	it makes a key, so such an entry could never match.
 * DIAGNOSTICS
 *	Both return 0, or -1 (with *why_r set by dumpfmt_parse()).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dumpfmt.h"
#include "quote.h"
#include "timefmt.h"
#include "util.h"

#define DUMPFMT_FIELDS_MAX 10

static int dumpfmt_addr(const char *, char *, size_t);
static int dumpfmt_unaddr(const char *, char *, size_t);
static int dumpfmt_upper(const char *);
static int dumpfmt_count(const char *, uint32_t *);
static int dumpfmt_u64(const char *, uint64_t *);

/* dumpfmt_addr - escape an address field */

static int
dumpfmt_addr(const char *addr, char *buf, size_t size)
{
	if (*addr == 0) {
		snprintf(buf, size, "<>");
		return (0);
	}
	return (quote_address(addr, buf, size));
}

/* dumpfmt_format - one entry as a data line */

int
dumpfmt_format(const struct greykey *key, const struct greyrec *rec,
    char *buf, size_t size)
{
	char net[ADDR_TEXT_MAX], s[3 * KEY_TEXT_MAX + 4], r[3 * KEY_TEXT_MAX + 4];
	char first[TIMEFMT_MAX], allow[TIMEFMT_MAX], last[TIMEFMT_MAX];
	char pass[TIMEFMT_MAX + 1];
	const char *flags = (rec->flags & RECORD_F_FIRST_INFERRED)
	    ? "inferred" : "-";
	int n;

	addr_format_net(&key->client, net, sizeof(net));
	timefmt_us(rec->first_us, first, sizeof(first));
	timefmt_us(rec->allow_us, allow, sizeof(allow));
	timefmt_us(rec->last_us, last, sizeof(last));
	pass[0] = 0;
	if (rec->pass_us != 0) {
		pass[0] = ' ';
		timefmt_us(rec->pass_us, pass + 1, sizeof(pass) - 1);
	}
	if (key->kind == KEY_AWL) {
		n = snprintf(buf, size, "awl %s %s %s %" PRIu32, net, first,
		    last, rec->passes);
	} else if (key->kind == KEY_IPONLY) {
		n = snprintf(buf, size, "iponly %s %s %s %s %" PRIu32 " %s%s",
		    net, first, allow, last, rec->passes, flags, pass);
	} else {
		if (dumpfmt_addr(key->sender, s, sizeof(s)) < 0
		    || dumpfmt_addr(key->recipient, r, sizeof(r)) < 0)
			return (-1);
		n = snprintf(buf, size, "triplet %s %s %s %s %s %s %" PRIu32
		    " %s%s", net, s, r, first, allow, last, rec->passes, flags,
		    pass);
	}
	return (n < 0 || (size_t)n >= size ? -1 : 0);
}

/* dumpfmt_unaddr - an address field back to raw bytes */

static int
dumpfmt_unaddr(const char *field, char *buf, size_t size)
{
	char again[3 * KEY_TEXT_MAX + 4];

	if (strcmp(field, "<>") == 0) {
		buf[0] = 0;
		return (0);
	}
	if (unquote_address(field, buf, size) < 0 || buf[0] == 0)
		return (-1);
	if (quote_address(buf, again, sizeof(again)) < 0
	    || strcmp(again, field) != 0)
		return (-1);
	return (0);
}

/* dumpfmt_upper - does an address hold an ASCII capital? */

static int
dumpfmt_upper(const char *addr)
{
	/* The service lower-cases ASCII only (proto.c); so does this. */
	for (; *addr; addr++)
		if (*addr >= 'A' && *addr <= 'Z')
			return (1);
	return (0);
}

/* dumpfmt_u64 - a canonical decimal count: digits, no leading zero */

static int
dumpfmt_u64(const char *f, uint64_t *v_r)
{
	uint64_t v = 0;

	if (*f == 0 || (f[0] == '0' && f[1] != 0))
		return (-1);
	for (; *f; f++) {
		if (*f < '0' || *f > '9' || v > (UINT64_MAX - (uint64_t)(*f
		    - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*f - '0');
	}
	*v_r = v;
	return (0);
}

/* dumpfmt_count - a pass count */

static int
dumpfmt_count(const char *f, uint32_t *v_r)
{
	uint64_t v;

	if (dumpfmt_u64(f, &v) < 0 || v > UINT32_MAX)
		return (-1);
	*v_r = (uint32_t)v;
	return (0);
}

/* dumpfmt_parse - one data line back to key and record */

int
dumpfmt_parse(char *line, struct greykey *key_r, struct greyrec *rec_r,
    const char **why_r)
{
	char *f[DUMPFMT_FIELDS_MAX + 1], *p;
	char s[KEY_TEXT_MAX + 1], r[KEY_TEXT_MAX + 1];
	struct netaddr net;
	struct greyrec rec;
	int n = 0, t;
	enum key_kind kind;

	for (p = line; n <= DUMPFMT_FIELDS_MAX; n++) {
		f[n] = p;
		if ((p = strchr(p, ' ')) == NULL) {
			n++;
			break;
		}
		*p++ = 0;
	}
	if (p != NULL || n < 1)
		return (*why_r = "too many fields", -1);
	for (t = 0; t < n; t++)
		if (*f[t] == 0)
			return (*why_r = "empty field (two spaces?)", -1);
	if (strcmp(f[0], "triplet") == 0 && (n == 9 || n == 10))
		kind = KEY_TRIPLET;
	else if (strcmp(f[0], "iponly") == 0 && (n == 7 || n == 8))
		kind = KEY_IPONLY;
	else if (strcmp(f[0], "awl") == 0 && n == 5)
		kind = KEY_AWL;
	else
		return (*why_r = "expected \"triplet\" with 9 or 10 fields, "
		    "\"iponly\" with 7 or 8, or \"awl\" with 5", -1);
	if (addr_parse_net(f[1], &net) < 0)
		return (*why_r = "bad client network (address/prefix with "
		    "host bits clear)", -1);
	{
		char again[ADDR_TEXT_MAX];

		addr_format_net(&net, again, sizeof(again));
		if (strcmp(again, f[1]) != 0)
			return (*why_r = "client network not in canonical "
			    "form", -1);
	}
	t = kind == KEY_TRIPLET ? 4 : 2;
	if (kind == KEY_TRIPLET) {
		if (dumpfmt_unaddr(f[2], s, sizeof(s)) < 0
		    || dumpfmt_unaddr(f[3], r, sizeof(r)) < 0)
			return (*why_r = "bad address escape", -1);
		if (dumpfmt_upper(s) || dumpfmt_upper(r))
			return (*why_r = "address in upper case, which never "
			    "matches: greyspf lower-cases addresses", -1);
	} else
		s[0] = r[0] = 0;
	if (key_set(key_r, kind, &net, s, r) < 0)
		return (*why_r = "addresses too long for a key", -1);
	memset(&rec, 0, sizeof(rec));
	if (kind == KEY_AWL) {
		if (timefmt_parse_us(f[2], &rec.first_us) < 0
		    || timefmt_parse_us(f[3], &rec.last_us) < 0)
			return (*why_r = "bad time (seconds.microseconds)", -1);
		rec.allow_us = rec.first_us;
		if (dumpfmt_count(f[4], &rec.passes) < 0)
			return (*why_r = "bad pass count", -1);
		*rec_r = rec;
		return (0);
	}
	if (timefmt_parse_us(f[t], &rec.first_us) < 0
	    || timefmt_parse_us(f[t + 1], &rec.allow_us) < 0
	    || timefmt_parse_us(f[t + 2], &rec.last_us) < 0)
		return (*why_r = "bad time (seconds.microseconds)", -1);
	if (dumpfmt_count(f[t + 3], &rec.passes) < 0)
		return (*why_r = "bad pass count", -1);
	if (strcmp(f[t + 4], "inferred") == 0)
		rec.flags = RECORD_F_FIRST_INFERRED;
	else if (strcmp(f[t + 4], "-") != 0)
		return (*why_r = "bad flags (\"-\" or \"inferred\")", -1);
	if (n == t + 6 && (timefmt_parse_us(f[t + 5], &rec.pass_us) < 0
	    || rec.pass_us == 0))
		return (*why_r = "bad first-pass time (seconds.microseconds, "
		    "not 0)", -1);
	*rec_r = rec;
	return (0);
}

/* dumpfmt_is_counters - a counters line? */

int
dumpfmt_is_counters(const char *line)
{
	return (strncmp(line, "counters ", 9) == 0);
}

/* dumpfmt_counters_format - one counter key as a data line */

int
dumpfmt_counters_format(const struct counter_key *key,
    const struct counter_set *set, char *buf, size_t size)
{
	char name[16];
	size_t off;
	int i, n, any = 0;

	n = snprintf(buf, size, "counters %s %lld ", key->period
	    == COUNTER_HOUR ? "hour" : key->period == COUNTER_DAY ? "day"
	    : "total", (long long)(counter_key_start_us(key) / 1000000));
	if (n < 0 || (size_t)n >= size)
		return (-1);
	off = (size_t)n;
	for (i = 0; i < COUNTER_SLOTS; i++) {
		if (set->v[i] == 0)
			continue;
		n = snprintf(buf + off, size - off, "%s%s=%" PRIu64,
		    any++ ? "," : "", counter_name(i, name, sizeof(name)),
		    set->v[i]);
		if (n < 0 || (size_t)n >= size - off)
			return (-1);
		off += (size_t)n;
	}
	if (!any && (n = snprintf(buf + off, size - off, "-")) != 1)
		return (-1);
	return (0);
}

/* dumpfmt_counters_parse - a counters line back to key and counts */

int
dumpfmt_counters_parse(char *line, struct counter_key *key_r,
    struct counter_set *set_r, const char **why_r)
{
	char *f[4], *item, *eq, *rest;
	struct counter_key key;
	uint64_t start, v;
	int n = 0, id, prev = -1;

	for (f[0] = line; n < 3; n++)
		if ((f[n + 1] = strchr(f[n], ' ')) == NULL)
			return (*why_r = "expected \"counters PERIOD START "
			    "COUNTS\"", -1);
		else
			*f[n + 1]++ = 0;
	if (strchr(f[3], ' ') != NULL || *f[1] == 0 || *f[2] == 0
	    || *f[3] == 0)
		return (*why_r = "expected \"counters PERIOD START COUNTS\"",
		    -1);
	if (strcmp(f[1], "hour") == 0)
		key.period = COUNTER_HOUR;
	else if (strcmp(f[1], "day") == 0)
		key.period = COUNTER_DAY;
	else if (strcmp(f[1], "total") == 0)
		key.period = COUNTER_TOTAL;
	else
		return (*why_r = "bad period (hour, day or total)", -1);
	if (dumpfmt_u64(f[2], &start) < 0
	    || start > (uint64_t)(RECORD_TIME_MAX / 1000000))
		return (*why_r = "bad start (whole seconds)", -1);
	counter_key_at(key.period, (int64_t)start * 1000000, &key);
	if ((uint64_t)counter_key_start_us(&key) != start * 1000000)
		return (*why_r = "start is not the start of its period", -1);
	memset(set_r, 0, sizeof(*set_r));
	if (strcmp(f[3], "-") == 0) {
		*key_r = key;
		return (0);
	}
	/* strsep, not strtok: an empty item (",," or a comma at either
	 * end) is an error, not skipped, so a line has one spelling. */
	for (rest = f[3]; (item = strsep(&rest, ",")) != NULL;) {
		if ((eq = strchr(item, '=')) == NULL)
			return (*why_r = "expected NAME=COUNT", -1);
		*eq = 0;
		if ((id = counter_id(item)) < 0)
			return (*why_r = "unknown counter name", -1);
		if (id <= prev)
			return (*why_r = "counters out of order or repeated",
			    -1);
		if (dumpfmt_u64(eq + 1, &v) < 0 || v == 0)
			return (*why_r = "bad count (a decimal, not 0)", -1);
		set_r->v[id] = v;
		prev = id;
	}
	*key_r = key;
	return (0);
}
