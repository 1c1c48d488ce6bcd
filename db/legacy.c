/*
 * NAME
 *	legacy 3
 * SUMMARY
 *	tumgreyspf data tree: escaping, path grammar, timestamps
 * SYNOPSIS
 *	#include "legacy.h"
 *
 *	int	legacy_parse_path(comps, ncomps, entry_r, why_r)
 *	int	legacy_format_path(key, buf, size, why_r)
 *	void	legacy_to_record(mtime_us, atime_us, greylisttime_us, rec_r)
 *	void	legacy_to_record_unretried(mtime_us, greylisttime_us, rec_r)
 *	void	legacy_times_add(times, mtime_us, atime_us)
 *	enum legacy_reset legacy_times_reset(times)
 *	int	legacy_ts_to_us(sec, nsec, us_r)
 * DESCRIPTION
 *	The pure half of the legacy support: no file is touched here
 *	(legacy_tree.c walks and writes trees).
 *
 *	Names in paths are escaped by quote.c (tumgreyspf's quoteAddress),
 *	which the per-entity configuration tree shares.
 *
 *	legacy_parse_path() reads one entry file's path, split into its
 *	components below the data root. The two layouts:
 *
 * .nf
 *	client_address/IP/greylist/SENDER/RECIPIENT	(triplet)
 *	IP/check_file					(IP only)
 * .fi
 *
 *	where IP is what the original made of client_address by splitting
 *	it at dots: a/b/c/d, or a/b/c under ignoreLastByte; one component
 *	for an IPv6 address; "::ffff:a/b/c[/d]" for an IPv4-mapped one;
 *	and nothing at all for every IPv6 client under ignoreLastByte (the
 *	original's collapsed entry, kept here as IPv6 ::/0 because that is
 *	what it meant: any IPv6 client). IPv4 octets must be written as
 *	the original wrote them (decimal, no leading zero). IPv6 is
 *	parsed, so any spelling of one address gives one key; mapped
 *	addresses become IPv4. Sender and recipient are unescaped and must
 *	not be empty. entry_r->noncanonical is set when a name is not as
 *	tumgreyspf would have written it (upper case, or an escape it
 *	would have spelled differently); such an address is lower-cased.
 *
 *	legacy_format_path() is the inverse: the relative path at which
 *	tumgreyspf would find the key. IPv4 /32 and /24, IPv6 /128 and the
 *	collapsed ::/0 have a legacy form; other networks and the null
 *	sender (which tumgreyspf never stored) do not.
 *
 *	legacy_to_record() turns the two timestamps into a record: mtime
 *	is the allow time, atime the most recent request; first-seen is
 *	not stored by the original and is inferred as mtime minus
 *	GREYLISTTIME, no later than the last request. The entry has
 *	passed when a request came at or after the allow time (atime >=
 *	mtime; ctime is not used, because any copy of the tree resets it).
 *
 *	legacy_to_record_unretried() is the record when the access time
 *	cannot be trusted: first-seen inferred as above, the last request
 *	at first-seen, not passed.
 *
 *	Access times are fragile: a copy made with tar, rsync without -U
 *	or cp without -p sets them all to the time of the copy, so that
 *	every entry looks retried (atime >= mtime) and one never retried
 *	is kept GREYLISTEXPIREDAYS instead of 12 hours. legacy_times_add()
 *	gathers a tree's times, one entry at a time, and
 *	legacy_times_reset() says whether and why they look reset: with
 *	two entries or more, when every access time is the same; when every
 *	access time is later than every allow time; or when the access
 *	times lie within LEGACY_ATIME_WINDOW_US while the allow times span
 *	more than LEGACY_MTIME_SPAN_US (a copy beside a live tree, whose
 *	pending entries' allow times lie after the copy). In a tree that
 *	served, last requests spread as widely as allow times.
 *
 *	legacy_ts_to_us() turns a file time into microseconds, rounded. A
 *	time that no record can hold (before 1970 or after 9999; a file
 *	system may store any time_t) is refused before any arithmetic.
 * DIAGNOSTICS
 *	Functions return 0, or -1 with *why_r set to a short reason.
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "legacy.h"
#include "quote.h"

static int legacy_octet(const char *);
static int legacy_parse_client(char *const *, int, struct legacy_entry *,
	    const char **);
static int legacy_address(const char *, char *, size_t, int *,
	    const char **);

/* legacy_octet - decimal 0..255 as the original wrote it; -1 if not */

static int
legacy_octet(const char *s)
{
	int v = 0;
	size_t len = strlen(s), i;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return (-1);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v > 255 ? -1 : v);
}

/* legacy_parse_client - the IP components of a path */

static int
legacy_parse_client(char *const *comps, int n, struct legacy_entry *e,
    const char **why_r)
{
	struct netaddr *a = &e->key.client;
	char text[LEGACY_NAME_MAX + 16];
	int i, v;

	memset(a, 0, sizeof(*a));
	if (n == 0) {
		a->family = 6;
		a->plen = 0;
		e->form = LEGACY_V6_COLLAPSED;
		return (0);
	}
	if (strchr(comps[0], ':') == NULL) {
		if (n != 3 && n != 4) {
			*why_r = "client address is not 3 or 4 octets";
			return (-1);
		}
		for (i = 0; i < n; i++) {
			if ((v = legacy_octet(comps[i])) < 0) {
				*why_r = "client address octet is not "
				    "decimal 0-255";
				return (-1);
			}
			a->bytes[i] = (uint8_t)v;
		}
		a->family = 4;
		a->plen = (uint8_t)(n * 8);
		e->form = n == 4 ? LEGACY_V4_HOST : LEGACY_V4_NET24;
		return (0);
	}
	if (n != 1 && n != 3 && n != 4) {
		*why_r = "IPv6 client address with an unexpected IPv4 tail";
		return (-1);
	}
	if (strchr(comps[0], '.') != NULL) {
		*why_r = "dot inside an IPv6 path component";
		return (-1);
	}
	for (i = 1; i < n; i++) {
		if (legacy_octet(comps[i]) < 0) {
			*why_r = "IPv4 tail octet is not decimal 0-255";
			return (-1);
		}
	}
	snprintf(text, sizeof(text), "%s%s%s%s%s%s%s", comps[0],
	    n > 1 ? "." : "", n > 1 ? comps[1] : "",
	    n > 2 ? "." : "", n > 2 ? comps[2] : "",
	    n > 1 ? "." : "", n == 4 ? comps[3] : n == 3 ? "0" : "");
	if (addr_parse(text, a) < 0) {
		*why_r = "client address is not a valid IPv6 address";
		return (-1);
	}
	if (n == 1) {
		e->form = a->family == 6 ? LEGACY_V6_HOST : LEGACY_MAPPED;
		return (0);
	}
	e->form = a->family == 4 ? LEGACY_MAPPED : LEGACY_V6_DOTTED;
	if (n == 3)
		addr_mask(a, a->family == 4 ? 24 : 120);
	return (0);
}

/* legacy_address - unescape one sender or recipient name */

static int
legacy_address(const char *name, char *buf, size_t size, int *noncanon,
    const char **why_r)
{
	char again[3 * LEGACY_NAME_MAX + 4];
	char *p;

	if (unquote_address(name, buf, size) < 0) {
		*why_r = "broken %XX escape, %00, or address too long";
		return (-1);
	}
	if (buf[0] == 0) {
		*why_r = "empty address";
		return (-1);
	}
	for (p = buf; *p; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p = (char)(*p - 'A' + 'a');
			*noncanon = 1;
		}
	}
	if (quote_address(buf, again, sizeof(again)) < 0
	    || strcmp(again, name) != 0)
		*noncanon = 1;
	return (0);
}

/* legacy_parse_path - one entry file's path, in components */

int
legacy_parse_path(char *const *comps, int n, struct legacy_entry *e,
    const char **why_r)
{
	char sender[KEY_TEXT_MAX + 2], recipient[KEY_TEXT_MAX + 2];
	int i;

	memset(e, 0, sizeof(*e));
	*why_r = "not a tumgreyspf entry path";
	if (n < 1 || n > LEGACY_DEPTH_MAX) {
		*why_r = "path too deep for a tumgreyspf entry";
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (comps[i][0] == 0 || comps[i][0] == '.'
		    || strchr(comps[i], '/') != NULL) {
			*why_r = "empty, hidden or dot-dot name";
			return (-1);
		}
	}
	if (strcmp(comps[0], "client_address") == 0) {
		if (n < 4 || strcmp(comps[n - 3], "greylist") != 0)
			return (-1);
		if (legacy_parse_client(comps + 1, n - 4, e, why_r) < 0)
			return (-1);
		if (legacy_address(comps[n - 2], sender, sizeof(sender),
		    &e->noncanonical, why_r) < 0
		    || legacy_address(comps[n - 1], recipient,
		    sizeof(recipient), &e->noncanonical, why_r) < 0)
			return (-1);
		if (key_set(&e->key, KEY_TRIPLET, &e->key.client, sender,
		    recipient) < 0) {
			*why_r = "sender and recipient too long for a key";
			return (-1);
		}
		return (0);
	}
	if (strcmp(comps[n - 1], "check_file") != 0)
		return (-1);
	if (legacy_parse_client(comps, n - 1, e, why_r) < 0)
		return (-1);
	e->key.kind = KEY_IPONLY;
	return (0);
}

/* legacy_client_path - the IP part; "" for the collapsed entry */

static int
legacy_client_path(const struct netaddr *a, char *buf, size_t size,
    const char **why_r)
{
	char *p;

	if (a->family == 4 && a->plen == 32)
		snprintf(buf, size, "%u/%u/%u/%u", a->bytes[0], a->bytes[1],
		    a->bytes[2], a->bytes[3]);
	else if (a->family == 4 && a->plen == 24)
		snprintf(buf, size, "%u/%u/%u", a->bytes[0], a->bytes[1],
		    a->bytes[2]);
	else if (a->family == 6 && a->plen == 128) {
		addr_format(a, buf, size);
		/* The original split IPv4 tails at dots. */
		for (p = buf; *p; p++)
			if (*p == '.')
				*p = '/';
	} else if (a->family == 6 && a->plen == 0)
		buf[0] = 0;
	else {
		*why_r = "this network has no tumgreyspf form "
		    "(only IPv4 /32 and /24, IPv6 /128 and ::/0)";
		return (-1);
	}
	return (0);
}

/* legacy_format_path - where tumgreyspf would keep this entry */

int
legacy_format_path(const struct greykey *key, char *buf, size_t size,
    const char **why_r)
{
	char ip[ADDR_TEXT_MAX], s[3 * KEY_TEXT_MAX + 4], r[3 * KEY_TEXT_MAX + 4];
	int n;

	if (legacy_client_path(&key->client, ip, sizeof(ip), why_r) < 0)
		return (-1);
	if (key->kind == KEY_IPONLY) {
		n = snprintf(buf, size, "%s%scheck_file", ip, *ip ? "/" : "");
	} else {
		if (key->sender[0] == 0 || key->recipient[0] == 0) {
			*why_r = "tumgreyspf never stored an empty sender "
			    "or recipient";
			return (-1);
		}
		if (quote_address(key->sender, s, sizeof(s)) < 0
		    || quote_address(key->recipient, r, sizeof(r)) < 0) {
			*why_r = "address too long";
			return (-1);
		}
		if (strlen(s) > LEGACY_NAME_MAX || strlen(r) > LEGACY_NAME_MAX) {
			*why_r = "escaped address longer than a file name";
			return (-1);
		}
		n = snprintf(buf, size, "client_address/%s%sgreylist/%s/%s",
		    ip, *ip ? "/" : "", s, r);
	}
	if (n < 0 || (size_t)n >= size) {
		*why_r = "path too long";
		return (-1);
	}
	return (0);
}

const char *
legacy_form_name(enum legacy_form form)
{
	static const char *const names[LEGACY_FORMS] = {
		"IPv4 host (a/b/c/d)",
		"IPv4 /24 (a/b/c, ignoreLastByte)",
		"IPv6 host",
		"IPv6 collapsed by ignoreLastByte (imported as ::/0)",
		"IPv4-mapped IPv6 (imported as IPv4)",
		"IPv6 with an IPv4 tail",
	};

	return ((unsigned)form < LEGACY_FORMS ? names[form] : "?");
}

/* legacy_ts_to_us - a timespec to microseconds, rounded; -1 if no record
 * can hold it */

int
legacy_ts_to_us(int64_t sec, long nsec, int64_t *us_r)
{
	int64_t us;

	/* Checked before multiplying: a file system may hold any time_t. */
	if (sec < 0 || sec > RECORD_TIME_MAX / 1000000 || nsec < 0
	    || nsec > 999999999)
		return (-1);
	us = sec * 1000000 + (nsec + 500) / 1000;
	if (us > RECORD_TIME_MAX)
		return (-1);
	*us_r = us;
	return (0);
}

/* legacy_to_record - mtime = allow time, atime = last request */

void
legacy_to_record(int64_t mtime_us, int64_t atime_us, int64_t greylist_us,
    struct greyrec *rec_r)
{
	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->allow_us = mtime_us;
	rec_r->last_us = atime_us;
	rec_r->first_us = mtime_us - greylist_us;
	if (rec_r->first_us > atime_us)
		rec_r->first_us = atime_us;
	if (rec_r->first_us < 0)
		rec_r->first_us = 0;
	rec_r->flags = RECORD_F_FIRST_INFERRED;
	rec_r->passes = atime_us >= mtime_us ? 1 : 0;
}

/* legacy_to_record_unretried - mtime = allow time; never retried */

void
legacy_to_record_unretried(int64_t mtime_us, int64_t greylist_us,
    struct greyrec *rec_r)
{
	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->allow_us = mtime_us;
	rec_r->first_us = mtime_us - greylist_us;
	if (rec_r->first_us < 0)
		rec_r->first_us = 0;
	rec_r->last_us = rec_r->first_us;
	rec_r->flags = RECORD_F_FIRST_INFERRED;
	rec_r->passes = 0;
}

/* legacy_times_add - one entry's times into a tree's */

void
legacy_times_add(struct legacy_times *lt, int64_t mtime_us, int64_t atime_us)
{
	if (lt->n++ == 0) {
		lt->amin = lt->amax = atime_us;
		lt->mmin = lt->mmax = mtime_us;
		return;
	}
	if (atime_us < lt->amin)
		lt->amin = atime_us;
	if (atime_us > lt->amax)
		lt->amax = atime_us;
	if (mtime_us < lt->mmin)
		lt->mmin = mtime_us;
	if (mtime_us > lt->mmax)
		lt->mmax = mtime_us;
}

/* legacy_times_reset - whether, and why, access times look reset */

enum legacy_reset
legacy_times_reset(const struct legacy_times *lt)
{
	if (lt->n < 2)
		return (LEGACY_ATIME_REAL);
	if (lt->amin == lt->amax)
		return (LEGACY_ATIME_SAME);
	if (lt->amin > lt->mmax)
		return (LEGACY_ATIME_LATER);
	if (lt->amax - lt->amin <= LEGACY_ATIME_WINDOW_US
	    && lt->mmax - lt->mmin > LEGACY_MTIME_SPAN_US)
		return (LEGACY_ATIME_CLUSTERED);
	return (LEGACY_ATIME_REAL);
}
