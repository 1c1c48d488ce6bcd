/*
 * NAME
 *	entity 3
 * SUMMARY
 *	tumgreyspf's per-entity configuration tree
 * SYNOPSIS
 *	#include "entity.h"
 *
 *	void	entity_lookup(base, query, conf_r)
 *	int	entity_read_file(path, conf)
 *	void	entity_read_stream(fp, path, conf)
 *
 *	void	entity_cache_enable(void)
 *	void	entity_cache_limit(files, bytes)
 *	void	entity_cache_clock(now_us)
 *	void	entity_cache_usage(files_r, bytes_r)
 * DESCRIPTION
 *	entity_lookup() computes the configuration that applies to one
 *	client, sender and recipient, exactly as tumgreyspf's lookupConfig
 *	did (tumgreyspf-spec section 8.2):
 *
 * .IP 1.
 *	start empty and read base/__default__;
 * .IP 2.
 *	then in passes: split the current OTHERCONFIGS at commas and apply
 *	each item not applied before. The list is the one current when the
 *	pass began, so a file that changes OTHERCONFIGS affects the next
 *	pass only. Stop after a pass that applied nothing.
 * .IP 3.
 *	client_address: base/client_address/__default__, then for each
 *	dot-separated piece appended in turn DIR/__default__, then the full
 *	path as a file (six reads for a.b.c.d). A missing directory ends
 *	the descent early (nothing below it exists: same result, fewer
 *	stat calls). greyspf adds networks for IPv6, which the original
 *	could only configure by exact address: before the original's
 *	files, the address is read as its eight 16-bit groups in hex
 *	without leading zeros, like IPv4's octets, so
 *	client_address/2001/db8/1/__default__ applies to 2001:db8:1::/48
 *	and client_address/2001/db8/1/2/__default__ to 2001:db8:1:2::/64;
 *	then client_address/<address>/__default__ and
 *	client_address/<address> as the original read them. An
 *	IPv4-mapped client (::ffff:a.b.c.d) is looked up as a.b.c.d, the
 *	client whose greylist entry it shares.
 * .IP 4.
 *	envelope_sender, envelope_recipient: split the address at its
 *	first "@", escape both parts separately, read
 *	base/TYPE/DOMAIN/__default__ then base/TYPE/DOMAIN/LOCAL.
 * .PP
 *	entity_read_file() reads one file: each line is cut at its first
 *	"#", stripped, and must be NAME = value. Later lines win. Problems
 *	are logged as "file:line: reason" and the line is skipped: unlike
 *	the original, a bad value never stops the lookup.
 *
 *	What cannot be read is logged with its cause and marks the
 *	result's status: ENTITY_UNREADABLE for a file or directory that
 *	exists (or may exist) but cannot be read (no search permission, a
 *	loop of links, neither a file nor a directory), ENTITY_NO_DEFAULT
 *	when base/__default__ is missing or unreadable. The original took
 *	both for absent files, so a lost __default__ turned every check
 *	off without a word; the service answers configErrorAction instead.
 *	A name too long for the file system is absent: the request chose
 *	it.
 *
 *	Each process keeps the files it parsed (the service: a daemon's
 *	loop process and a spawned greyspf alike), so a request costs one
 *	stat() a path instead of six system calls a file, and an edit
 *	still applies to the next request: the stat() that finds what is
 *	at a path is compared with the one taken when its file was read
 *	(device, inode, size, modification and change times); anything
 *	different reads the file again, a path gone forgets it. A file
 *	changed less than ENTITY_FC_RACY_US before it was read is read
 *	again at every lookup until it is older (a second edit within
 *	the file system's timestamp granularity would otherwise go
 *	unseen), and a file with a problem is never kept, so its lines are
 *	reported at every request as before. The cache holds at most
 *	ENTITY_FC_FILES files and ENTITY_FC_BYTES bytes (entity_cache_limit()
 *	changes both), the least recently used leaving first.
 *	entity_cache_clock() replaces its clock (tests);
 *	entity_cache_usage() tells what it holds.
 *
 *	entity_cache_enable() is for the batch tools instead: a cache of
 *	what every path holds, trusted without a stat() (below).
 * SECURITY
 *	Path pieces come from the request. The client must consist of hex
 *	digits, dots and colons with no empty piece; addresses are
 *	escaped, so "/" and a leading "." can never reach a path. Lines
 *	and files are bounded by the bytes read (ENTITY_LINE_MAX,
 *	ENTITY_FILE_MAX), and only regular files are opened, without
 *	blocking (a FIFO would). A value from the request, and text from
 *	a file, reach the log only through log_safe().
 * BUGS
 *	A file edited twice within ENTITY_FC_RACY_US, on a file server
 *	whose clock is more than that behind this one, can keep its first
 *	edit's parse until its next change.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "entity.h"
#include "quote.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

/* The service's cache of parsed files (DESCRIPTION). */
#define ENTITY_FC_FILES		1024	/* files kept, by default */
#define ENTITY_FC_BYTES		(4 << 20)	/* their memory, bytes */
#define ENTITY_FC_SLOTS		2048	/* hash buckets */
#define ENTITY_FC_RACY_US	2000000	/* changed this close to its read:
					 * read again (us) */

struct entity_fc {
	char	*path;
	dev_t	dev;
	ino_t	ino;
	off_t	size;
	struct timespec mtim, ctim;
	int	racy;			/* changed just before it was read */
	size_t	bytes;			/* memory held, counted */
	struct entity_conf delta;	/* what it sets */
	struct entity_fc *hnext;	/* the same bucket */
	struct entity_fc *prev, *next;	/* most recently used first */
};

static struct entity_fc **entity_fc_tab;
static struct entity_fc *entity_fc_head, *entity_fc_tail;
static size_t entity_fc_files, entity_fc_bytes;
static size_t entity_fc_max_files = ENTITY_FC_FILES;
static size_t entity_fc_max_bytes = ENTITY_FC_BYTES;
static int64_t (*entity_fc_now)(void) = timefmt_now_us;

static uint64_t entity_hash(const char *);
static struct entity_fc **entity_fc_find(const char *);
static void entity_fc_drop(struct entity_fc **);
static void entity_fc_forget(const char *);
static void entity_fc_trim(size_t, size_t);
static int entity_fc_read(const char *, const struct stat *,
	    struct entity_conf *);
static void entity_apply(struct entity_conf *, const struct entity_conf *);
static void entity_client(const char *, const char *, struct entity_conf *);
static void entity_address(const char *, const char *, const char *,
	    struct entity_conf *);

/* entity_strip - remove blanks at both ends, in place */

static char *
entity_strip(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'
	    || *s == '\f' || *s == '\v')
		s++;
	len = strlen(s);
	while (len > 0 && strchr(" \t\r\n\f\v", s[len - 1]) != NULL)
		s[--len] = 0;
	return (s);
}

/* entity_set - one NAME = value; -1 with a reason */

static int
entity_set(struct entity_conf *conf, const char *name, const char *value,
    const char **why_r)
{
	long long v;
	double d;

	if (strcmp(name, "SPFSEEDONLY") == 0) {
		if (strnum_ll(value, -2147483647LL, 2147483647LL, &v) < 0)
			return (*why_r = "SPFSEEDONLY must be an integer", -1);
		conf->spfseedonly = v;
		conf->set |= ENTITY_SPFSEEDONLY;
	} else if (strcmp(name, "GREYLISTTIME") == 0) {
		if (strnum_ll(value, 0, 31536000, &v) < 0)
			return (*why_r = "GREYLISTTIME must be whole seconds "
			    "from 0 to 31536000", -1);
		conf->greylisttime = v;
		conf->set |= ENTITY_GREYLISTTIME;
	} else if (strcmp(name, "GREYLISTEXPIREDAYS") == 0) {
		if (strnum_double(value, 0, 36500, &d) < 0)
			return (*why_r = "GREYLISTEXPIREDAYS must be a number "
			    "of days from 0 to 36500", -1);
		conf->expiredays = d;
		conf->set |= ENTITY_GREYLISTEXPIREDAYS;
	} else if (strcmp(name, "CHECKERS") == 0
	    || strcmp(name, "OTHERCONFIGS") == 0) {
		if (strlen(value) >= ENTITY_VALUE_MAX)
			return (*why_r = "value too long", -1);
		if (name[0] == 'C') {
			strcpy(conf->checkers, value);
			conf->set |= ENTITY_CHECKERS;
		} else {
			strcpy(conf->otherconfigs, value);
			conf->set |= ENTITY_OTHERCONFIGS;
		}
	} else if (strcmp(name, "SPFTRUSTEDRELAYS") == 0) {
		struct netaddr nets[ENTITY_NETS_MAX];
		int n;

		if (strlen(value) >= ENTITY_VALUE_MAX || (n = addr_parse_list(
		    value, nets, ENTITY_NETS_MAX)) < 0)
			return (*why_r = "SPFTRUSTEDRELAYS must be addresses "
			    "or networks (CIDR), at most 32", -1);
		memcpy(conf->trusted, nets, sizeof(nets));
		conf->ntrusted = n;
		conf->set |= ENTITY_SPFTRUSTEDRELAYS;
	} else {
		return (*why_r = "unknown name", -1);
	}
	return (0);
}

/*
 * entity_parse_file - apply one file: 0, 1 when it does not exist, -1
 * when it cannot be read. Bounded by what is read, not by what strlen()
 * sees: a line of NUL bytes counts, and a long line is read no further
 * than ENTITY_FILE_MAX. It is called for a path that stat() has just
 * shown to be a regular file (entity_kind_of), so a plain fopen() does,
 * without file_open_regular()'s fstat() and fdopen(): two system calls
 * fewer on every request. (A file the admin swaps for a FIFO in between
 * would block the open: the tree is the admin's, not a client's.)
 */

static int
entity_parse_file(const char *path, struct entity_conf *conf)
{
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return (1);	/* removed since stat() */
		log_warn("%.200s: cannot read", path);
		conf->status = ENTITY_UNREADABLE;
		return (-1);
	}
	entity_read_stream(fp, path, conf);
	fclose(fp);
	return (0);
}

/* entity_read_stream - the settings of an open file, named path */

void
entity_read_stream(FILE *fp, const char *path, struct entity_conf *conf)
{
	char line[ENTITY_LINE_MAX + 1], safe[LOG_SAFE_MAX + 1];
	char safe_name[LOG_SAFE_MAX + 1], *p, *eq, *name, *value;
	const char *why;
	size_t total = 0;
	long len;
	int lineno = 0;

	log_debug("config %.200s: reading", path);
	conf->files_read++;
	while ((len = file_read_line(fp, line, sizeof(line), &total,
	    ENTITY_FILE_MAX)) != -1) {
		lineno++;
		if (len == -2) {
			log_warnx("%.200s:%d: file longer than %d bytes, "
			    "rest ignored", path, lineno, ENTITY_FILE_MAX);
			conf->problems++;
			break;
		}
		if (len > ENTITY_LINE_MAX) {
			log_warnx("%.200s:%d: line longer than %d bytes, "
			    "ignored", path, lineno, ENTITY_LINE_MAX);
			conf->problems++;
			continue;
		}
		if ((long)strlen(line) != len) {
			log_warnx("%.200s:%d: NUL byte in line, ignored", path,
			    lineno);
			conf->problems++;
			continue;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = 0;
		p = entity_strip(line);
		if (*p == 0)
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			log_warnx("%.200s:%d: ERROR parsing line \"%s\"",
			    path, lineno, log_safe(p, safe, sizeof(safe)));
			conf->problems++;
			continue;
		}
		*eq = 0;
		name = entity_strip(p);
		value = entity_strip(eq + 1);
		if (entity_set(conf, name, value, &why) < 0) {
			log_warnx("%.200s:%d: %s: %.50s = \"%s\" ignored",
			    path, lineno, why, log_safe(name, safe_name,
			    sizeof(safe_name)), log_safe(value, safe,
			    sizeof(safe)));
			conf->problems++;
		}
	}
	if (ferror(fp)) {
		log_warn("%.200s: cannot read", path);
		conf->status = ENTITY_UNREADABLE;
	}
}

/*
 * The batch tools (import, stat, clean) look up the configuration of
 * millions of entries in one run, during which the tree does not change
 * for them: they enable a cache of what each path holds (nothing, a
 * directory, or a parsed file), bounded to ENTITY_CACHE_MAX paths. The
 * service never enables it: its lookups read the disk every time, so an
 * edit applies to the next request, as in tumgreyspf.
 */
#define ENTITY_CACHE_MAX	65536
#define ENTITY_CACHE_SLOTS	(2 * ENTITY_CACHE_MAX)

enum entity_kind {
	ENTITY_ABSENT, ENTITY_FILE, ENTITY_DIR, ENTITY_UNREADABLE_PATH
};

struct entity_cached {
	char	*path;
	enum entity_kind kind;
	struct entity_conf *delta;	/* ENTITY_FILE: what it sets */
};

static struct entity_cached *entity_cache;
static size_t entity_cache_used;
static int entity_default_told;	/* with the cache: __default__ missing */

void
entity_cache_enable(void)
{
	if (entity_cache == NULL)
		entity_cache = xcalloc(ENTITY_CACHE_SLOTS,
		    sizeof(*entity_cache));
}

/* entity_hash - FNV-1a of a path */

static uint64_t
entity_hash(const char *path)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (h);
}

/* entity_cache_slot - the slot of path, empty if not cached */

static struct entity_cached *
entity_cache_slot(const char *path)
{
	size_t i;

	for (i = entity_hash(path) % ENTITY_CACHE_SLOTS;; i = (i + 1) % ENTITY_CACHE_SLOTS)
		if (entity_cache[i].path == NULL
		    || strcmp(entity_cache[i].path, path) == 0)
			return (&entity_cache[i]);
}

/*
 * entity_kind_uncached - what is at path (following links, as the
 * original did). A path that may exist but cannot be reached (no search
 * permission on a directory, a loop of links) or that is neither a file
 * nor a directory is reported here, once per path when the cache is on.
 * A name too long for the file system cannot exist: the request chose
 * it, so it is absent, not an error.
 */

static enum entity_kind
entity_kind_uncached(const char *path, struct stat *st_r)
{
	struct stat st;

	if (st_r == NULL)
		st_r = &st;
	if (stat(path, st_r) < 0) {
		if (errno == ENOENT || errno == ENOTDIR
		    || errno == ENAMETOOLONG)
			return (ENTITY_ABSENT);
		log_warn("%.200s: cannot read", path);
		return (ENTITY_UNREADABLE_PATH);
	}
	if (S_ISDIR(st_r->st_mode))
		return (ENTITY_DIR);
	if (S_ISREG(st_r->st_mode))
		return (ENTITY_FILE);
	log_warnx("%.200s: cannot read: not a regular file", path);
	return (ENTITY_UNREADABLE_PATH);
}

/* entity_lookup_path - what is at path, and its cache slot (NULL when
 * the cache is off or full); without the tools' cache, its stat() in
 * st_r, and a path that is no file forgotten by the service's */

static struct entity_cached *
entity_lookup_path(const char *path, enum entity_kind *kind,
    struct stat *st_r)
{
	struct entity_cached *c;

	if (entity_cache == NULL) {
		*kind = entity_kind_uncached(path, st_r);
		if (*kind != ENTITY_FILE && entity_fc_files > 0)
			entity_fc_forget(path);
		return (NULL);
	}
	c = entity_cache_slot(path);
	if (c->path == NULL) {
		*kind = entity_kind_uncached(path, NULL);
		if (entity_cache_used >= ENTITY_CACHE_MAX)
			return (NULL);
		c->path = xstrdup(path);
		c->kind = *kind;
		entity_cache_used++;
	}
	*kind = c->kind;
	return (c);
}

/* entity_kind_of - what is at path; marks conf when it cannot be read */

static enum entity_kind
entity_kind_of(const char *path, struct entity_conf *conf)
{
	enum entity_kind kind;

	entity_lookup_path(path, &kind, NULL);
	if (kind == ENTITY_UNREADABLE_PATH && conf->status == ENTITY_OK)
		conf->status = ENTITY_UNREADABLE;
	return (kind);
}

/* entity_apply - what a parsed file set, over conf */

static void
entity_apply(struct entity_conf *conf, const struct entity_conf *d)
{
	if (d->set & ENTITY_SPFSEEDONLY)
		conf->spfseedonly = d->spfseedonly;
	if (d->set & ENTITY_GREYLISTTIME)
		conf->greylisttime = d->greylisttime;
	if (d->set & ENTITY_CHECKERS)
		strcpy(conf->checkers, d->checkers);
	if (d->set & ENTITY_OTHERCONFIGS)
		strcpy(conf->otherconfigs, d->otherconfigs);
	if (d->set & ENTITY_GREYLISTEXPIREDAYS)
		conf->expiredays = d->expiredays;
	if (d->set & ENTITY_SPFTRUSTEDRELAYS) {
		memcpy(conf->trusted, d->trusted, sizeof(conf->trusted));
		conf->ntrusted = d->ntrusted;
	}
	conf->set |= d->set;
	conf->files_read++;
	if (d->status > conf->status)
		conf->status = d->status;
}

/*
 * entity_read_file - apply one file: 0 when read, 1 when there is none
 * (or a directory), -1 when it cannot be read (reported, and conf's
 * status says so)
 */

int
entity_read_file(const char *path, struct entity_conf *conf)
{
	struct entity_cached *c;
	enum entity_kind kind;
	struct stat st;
	int rc;

	c = entity_lookup_path(path, &kind, &st);
	if (kind == ENTITY_DIR) {
		/* Normal where tumgreyspf-addip made one for a host; the
		 * original logged an error for it on every request. */
		log_debug("config %.200s: a directory", path);
		return (1);
	}
	if (kind == ENTITY_ABSENT) {
		log_debug("config %.200s: not present", path);
		return (1);
	}
	if (kind == ENTITY_UNREADABLE_PATH) {
		if (conf->status == ENTITY_OK)
			conf->status = ENTITY_UNREADABLE;
		return (-1);
	}
	if (entity_cache == NULL)
		return (entity_fc_read(path, &st, conf));
	if (c == NULL)
		return (entity_parse_file(path, conf));
	if (c->delta == NULL) {
		c->delta = xcalloc(1, sizeof(*c->delta));
		if ((rc = entity_parse_file(path, c->delta)) != 0) {
			c->kind = rc < 0 ? ENTITY_UNREADABLE_PATH
			    : ENTITY_ABSENT;
			free(c->delta);
			c->delta = NULL;
			return (entity_read_file(path, conf));
		}
		conf->problems += c->delta->problems;
	}
	entity_apply(conf, c->delta);
	return (0);
}

/* entity_fc_find - the link that points at path's entry, or at NULL */

static struct entity_fc **
entity_fc_find(const char *path)
{
	struct entity_fc **ep;

	if (entity_fc_tab == NULL)
		entity_fc_tab = xcalloc(ENTITY_FC_SLOTS,
		    sizeof(*entity_fc_tab));
	for (ep = &entity_fc_tab[entity_hash(path) % ENTITY_FC_SLOTS];
	    *ep != NULL; ep = &(*ep)->hnext)
		if (strcmp((*ep)->path, path) == 0)
			break;
	return (ep);
}

/* entity_fc_drop - remove the entry a link points at */

static void
entity_fc_drop(struct entity_fc **ep)
{
	struct entity_fc *e = *ep;

	*ep = e->hnext;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		entity_fc_head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		entity_fc_tail = e->prev;
	entity_fc_files--;
	entity_fc_bytes -= e->bytes;
	free(e->path);
	free(e);
}

/* entity_fc_forget - path is no file now: drop what was kept of it */

static void
entity_fc_forget(const char *path)
{
	struct entity_fc **ep;

	if (*(ep = entity_fc_find(path)) != NULL)
		entity_fc_drop(ep);
}

/* entity_fc_trim - the least recently used out, down to the bounds */

static void
entity_fc_trim(size_t files, size_t bytes)
{
	while (entity_fc_tail != NULL && (entity_fc_files > files
	    || entity_fc_bytes > bytes))
		entity_fc_drop(entity_fc_find(entity_fc_tail->path));
}

/*
 * entity_fc_read - apply the regular file at path, whose stat() is st,
 * from the cache when it is the file that was read; as
 * entity_read_file()
 */

static int
entity_fc_read(const char *path, const struct stat *st,
    struct entity_conf *conf)
{
	struct entity_fc **ep, *e;
	struct entity_conf d;
	size_t bytes;
	int rc;

	ep = entity_fc_find(path);
	if ((e = *ep) != NULL) {
		if (!e->racy && e->dev == st->st_dev && e->ino == st->st_ino
		    && e->size == st->st_size
		    && e->mtim.tv_sec == st->st_mtim.tv_sec
		    && e->mtim.tv_nsec == st->st_mtim.tv_nsec
		    && e->ctim.tv_sec == st->st_ctim.tv_sec
		    && e->ctim.tv_nsec == st->st_ctim.tv_nsec) {
			if (e != entity_fc_head) {	/* to the front */
				e->prev->next = e->next;
				if (e->next != NULL)
					e->next->prev = e->prev;
				else
					entity_fc_tail = e->prev;
				e->prev = NULL;
				e->next = entity_fc_head;
				entity_fc_head->prev = e;
				entity_fc_head = e;
			}
			entity_apply(conf, &e->delta);
			return (0);
		}
		entity_fc_drop(ep);
	}
	memset(&d, 0, sizeof(d));
	if ((rc = entity_parse_file(path, &d)) != 0) {
		if (rc < 0 && conf->status < ENTITY_UNREADABLE)
			conf->status = ENTITY_UNREADABLE;
		return (rc);
	}
	entity_apply(conf, &d);
	conf->problems += d.problems;
	bytes = sizeof(*e) + strlen(path) + 1;
	if (d.problems > 0 || d.status != ENTITY_OK
	    || bytes > entity_fc_max_bytes || entity_fc_max_files == 0)
		return (0);
	entity_fc_trim(entity_fc_max_files - 1, entity_fc_max_bytes - bytes);
	e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtim = st->st_mtim;
	e->ctim = st->st_ctim;
	e->racy = (int64_t)st->st_ctim.tv_sec * 1000000
	    + st->st_ctim.tv_nsec / 1000 + ENTITY_FC_RACY_US
	    > entity_fc_now();
	e->bytes = bytes;
	e->delta = d;
	ep = entity_fc_find(path);
	e->hnext = *ep;
	*ep = e;
	e->next = entity_fc_head;
	if (entity_fc_head != NULL)
		entity_fc_head->prev = e;
	else
		entity_fc_tail = e;
	entity_fc_head = e;
	entity_fc_files++;
	entity_fc_bytes += bytes;
	return (0);
}

/* entity_cache_limit - the service's cache's bounds: files and bytes */

void
entity_cache_limit(size_t files, size_t bytes)
{
	entity_fc_max_files = files;
	entity_fc_max_bytes = bytes;
	entity_fc_trim(files, bytes);
}

/* entity_cache_clock - the clock that tells a just-changed file */

void
entity_cache_clock(int64_t (*now_us)(void))
{
	entity_fc_now = now_us != NULL ? now_us : timefmt_now_us;
}

/* entity_cache_usage - the files the service's cache holds, its bytes */

void
entity_cache_usage(size_t *files_r, size_t *bytes_r)
{
	*files_r = entity_fc_files;
	*bytes_r = entity_fc_bytes;
}

/* entity_walk - DIR/__default__ for each piece, then the last as a file.
 * A missing directory ends the walk: nothing below it can exist, so
 * the result is the original's six reads, with fewer stat() calls. */

static void
entity_walk(const char *base, char *const *pieces, int n,
    struct entity_conf *conf)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	enum entity_kind kind;
	int i;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/client_address", base)
	    >= sizeof(dir))
		return;
	for (i = 0; i < n; i++) {
		if (strlen(dir) + strlen(pieces[i]) + 2 >= sizeof(dir))
			return;
		strcat(dir, "/");
		strcat(dir, pieces[i]);
		if ((kind = entity_kind_of(dir, conf)) == ENTITY_ABSENT) {
			log_debug("config %.200s: not present", dir);
			return;
		}
		if (kind != ENTITY_DIR) {
			if (i == n - 1 && kind == ENTITY_FILE)
				entity_read_file(dir, conf);
			return;
		}
		snprintf(path, sizeof(path), "%s/__default__", dir);
		entity_read_file(path, conf);
	}
}

/* entity_client - the client_address lookup, IPv4 and IPv6 */

static void
entity_client(const char *base, const char *client,
    struct entity_conf *conf)
{
	char path[PATH_MAX], text[64], groups[8][8], *pieces[16], *p;
	char safe[LOG_SAFE_MAX + 1];
	struct netaddr a;
	int n = 0, i, parsed;

	if (strspn(client, "0123456789abcdefABCDEF:.") != strlen(client)
	    || strlen(client) >= sizeof(text) || strstr(client, "..")
	    || client[0] == '.'
	    || (*client && client[strlen(client) - 1] == '.')) {
		log_warnx("client address \"%s\" unusable for config "
		    "lookup", log_safe(client, safe, sizeof(safe)));
		return;
	}
	snprintf(path, sizeof(path), "%s/client_address/__default__", base);
	entity_read_file(path, conf);
	if (*client == 0)
		return;
	strcpy(text, client);
	/* IPv6 by network: the eight groups, like IPv4's octets. */
	parsed = addr_parse(client, &a) == 0;
	if (parsed && a.family == 6) {
		for (i = 0; i < 8; i++) {
			snprintf(groups[i], sizeof(groups[i]), "%x",
			    a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
			pieces[i] = groups[i];
		}
		entity_walk(base, pieces, 8, conf);
	} else if (parsed && a.family == 4 && strchr(client, ':') != NULL) {
		/* IPv4-mapped (::ffff:a.b.c.d) is that IPv4 client, as it
		 * is for its greylist entry. */
		addr_format(&a, text, sizeof(text));
	}
	/* tumgreyspf's own: the text split at dots. */
	for (p = text, pieces[n++] = p; (p = strchr(p, '.')) != NULL
	    && n < 16; pieces[n++] = p)
		*p++ = 0;
	entity_walk(base, pieces, n, conf);
}

/* entity_address - DOMAIN/__default__ then DOMAIN/LOCAL */

static void
entity_address(const char *base, const char *type, const char *addr,
    struct entity_conf *conf)
{
	char local[3 * 256 + 4], domain[3 * 256 + 4], raw[256];
	char path[PATH_MAX], safe[LOG_SAFE_MAX + 1];
	const char *at;
	size_t len;

	if (addr == NULL || *addr == 0 || (at = strchr(addr, '@')) == NULL) {
		log_debug("config %s: no address with @", type);
		return;
	}
	len = (size_t)(at - addr);
	if (len >= sizeof(raw) || strlen(at + 1) >= sizeof(raw)) {
		log_warnx("%s \"%.60s...\" too long for config lookup", type,
		    log_safe(addr, safe, sizeof(safe)));
		return;
	}
	memcpy(raw, addr, len);
	raw[len] = 0;
	if (quote_address(raw, local, sizeof(local)) < 0
	    || quote_address(at + 1, domain, sizeof(domain)) < 0)
		return;
	/* An empty piece would read the directory itself: skip it. */
	if (*domain == 0)
		return;
	/* Most domains have no directory: one stat instead of two. */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", base, type,
	    domain) >= sizeof(path) || entity_kind_of(path, conf) != ENTITY_DIR)
		return;
	strcat(path, "/__default__");
	entity_read_file(path, conf);
	if (*local == 0)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s/%s", base, type,
	    domain, local) >= sizeof(path))
		return;
	entity_read_file(path, conf);
}

/* entity_lookup - __default__, then OTHERCONFIGS passes */

void
entity_lookup(const char *base, const struct entity_query *q,
    struct entity_conf *conf)
{
	char list[ENTITY_VALUE_MAX], path[PATH_MAX], *item, *next;
	char safe[LOG_SAFE_MAX + 1];
	unsigned done = 0, bit;
	int applied, rc;

	memset(conf, 0, sizeof(*conf));
	snprintf(path, sizeof(path), "%s/__default__", base);
	if ((rc = entity_read_file(path, conf)) != 0) {
		/* Without it every check would be off: say so, each time
		 * (once a run with the cache). The cause of an unreadable
		 * one is already logged. */
		conf->status = ENTITY_NO_DEFAULT;
		if (rc > 0 && (entity_cache == NULL || !entity_default_told))
			log_warnx("%.200s: missing (must be a file): no "
			    "configuration applies", path);
		entity_default_told = 1;
	}
	do {
		applied = 0;
		strcpy(list, conf->otherconfigs);
		if (list[0] == 0)
			break;
		for (item = list; item != NULL; item = next) {
			if ((next = strchr(item, ',')) != NULL)
				*next++ = 0;
			item = entity_strip(item);
			if (strcmp(item, "client_address") == 0)
				bit = 1;
			else if (strcmp(item, "envelope_sender") == 0)
				bit = 2;
			else if (strcmp(item, "envelope_recipient") == 0)
				bit = 4;
			else {
				log_warnx("ERROR: Unknown configuration type: "
				    "\"%s\"", log_safe(item, safe,
				    sizeof(safe)));
				continue;
			}
			if (done & bit)
				continue;
			done |= bit;
			applied = 1;
			if (bit == 1 && q->client_address)
				entity_client(base, q->client_address, conf);
			else if (bit == 2)
				entity_address(base, "envelope_sender",
				    q->sender, conf);
			else if (bit == 4)
				entity_address(base, "envelope_recipient",
				    q->recipient, conf);
		}
	} while (applied);
}

/* entity_greylist_time - GREYLISTTIME, else the given fallback */

long long
entity_greylist_time(const struct entity_conf *conf, long long fallback)
{
	return ((conf->set & ENTITY_GREYLISTTIME) ? conf->greylisttime
	    : fallback);
}

/*
 * entity_expire_us - GREYLISTEXPIREDAYS in microseconds: the expiry rule
 * greyspf-clean applies (record_expires_at(rec, this)) and the one the
 * service gives a store that expires entries itself (Redis)
 */

int64_t
entity_expire_us(const struct entity_conf *conf)
{
	return ((int64_t)(entity_expire_days(conf) * 86400.0 * 1e6));
}

/* entity_expire_days - GREYLISTEXPIREDAYS, else ENTITY_EXPIRE_DAYS */

double
entity_expire_days(const struct entity_conf *conf)
{
	return ((conf->set & ENTITY_GREYLISTEXPIREDAYS) ? conf->expiredays
	    : ENTITY_EXPIRE_DAYS);
}
