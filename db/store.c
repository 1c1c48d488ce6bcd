/*
 * NAME
 *	store 3
 * SUMMARY
 *	the greylist store: one interface, a backend chosen by a spec
 * SYNOPSIS
 *	#include "store.h"
 *
 *	int	store_open(store_r, spec, opts)
 *	void	store_close(store)
 *	unsigned store_caps(store)
 *	const char *store_name(store)
 *	int	store_get(store, key, klen, val_r, vsize, vlen_r)
 *	int	store_update(store, key, klen, fn, ctx)
 *	int	store_walk(store, cursor, max, visit, ctx)
 *	int	store_load(store, fill, ctx, flags)
 *
 *	int	store_load_refused(store)
 *	int	store_batch_update(batch, key, klen, fn, ctx)
 *	int	store_add_counts(store, keys, n, counts, len, replaced_r)
 *	int	store_info(store, emit, ctx)
 *	int	store_sync(store)
 *	const char *store_strerror(store, rc)
 * DESCRIPTION
 *	The service and every tool see the greylist through this
 *	interface and never know which backend runs. Keys and values are
 *	opaque bytes (db/key.c and db/record.c give them meaning), so the
 *	store knows nothing of greylisting.
 *
 *	store_open() takes a spec: "lmdb:/path", or a bare path, which is
 *	LMDB too, so that every existing configuration keeps working; or
 *	"redis://...", "redis+unix:..." or "redis-sentinel://..."
 *	(store_redis.c, a greylist shared by several hosts). A backend is
 *	one file filling a struct store_backend (store_backend.h), and one
 *	row in store_backends[] below. A server backend (one with a
 *	connect function) connects at store_open(), or with opts->lazy at
 *	the first operation that needs it, and checks the marker at each
 *	connection it makes; while it cannot reach its server, operations
 *	return STORE_UNAVAILABLE.
 *
 *	store_get() copies a value out (a backend's memory never reaches
 *	a caller). store_update() is an atomic read-modify-write of one
 *	key: fn sees the old value (NULL when absent) and says write,
 *	leave unchanged or delete, and may give an expiry time for
 *	backends that expire entries themselves; fn may be called more
 *	than once (a retry after map growth or a lost race), so it must
 *	keep no state across calls. store_walk() visits up to max entries
 *	(0: all) from the cursor's place and leaves the cursor after the
 *	last one visited, so a long walk can be done in pieces.
 *	store_load() runs fill, which calls store_batch_update() for each
 *	entry, as one unit: all or nothing where the backend can
 *	(STORE_CAP_ATOMIC_LOAD); with STORE_LOAD_DRYRUN every decision is
 *	made and nothing is written. With STORE_LOAD_EACH, a backend that
 *	cannot make a load one unit makes each entry an update of its own
 *	(decided again after a lost race) instead of a pipelined load that
 *	reports lost races: the service's small writes (an entry with its
 *	auto-whitelist count) use it; bulk loads do not.
 *	store_load_refused(), after a load that failed, is 1 when the
 *	failure was the server's refusal of the last write fill decided
 *	(a backend that loads entry by entry and reads a write's answer
 *	later, with the next entry's: Redis), so that entry was not
 *	written although its decision was made; else 0. store_info()
 *	gives the backend's figures as name/value pairs.
 *
 *	store_add_counts() adds counts (a counter value, db/counter.c) to
 *	each of n keys (hour, day, total), with each key's expiry, as one
 *	unit: where the backend has an add of its own (Redis: a script,
 *	so hosts that count at once never race), that; otherwise a load,
 *	where loads are one unit (LMDB). Concurrent adds all count, and
 *	none is retried or lost to a race. *replaced_r is how many stored
 *	values did not decode and were replaced (counter_value_merge()).
 *	The counts are the one thing of greyspf's the store knows.
 *
 *	The marker: a greyspf database carries a reserved entry (key
 *	STORE_MARKER_KEY, value "greyspf-greylist FORMAT") written when it
 *	is created. A database without it is refused (STORE_FOREIGN),
 *	unless it is empty (a new one: the marker is written) or its first
 *	entries are recognised by the caller's opts->recognise (a greyspf
 *	database made before the marker: the marker is added when the
 *	database is opened for writing; the walk that looks at them skips
 *	the store's own keys, as another process may have just written the
 *	marker). A later format is refused
 *	(STORE_NEWER). Keys that begin with a 0x00 byte are the store's
 *	own: walks skip them, and callers cannot read or write them (a
 *	greylist key begins with its version, never 0).
 * DIAGNOSTICS
 *	Every function returns an enum store_rc. store_strerror() explains
 *	a code with the detail of the store's last failure (the file and
 *	the system's reason); with a NULL store, the detail of the last
 *	failed store_open().
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "fault.h"
#include "store_backend.h"
#include "util.h"

#define STORE_MARKER_KEY	"\0greyspf"
#define STORE_MARKER_KLEN	8
#define STORE_MARKER_VALUE	"greyspf-greylist "
#define STORE_FORMAT		1
#define STORE_RECOGNISE_N	16	/* entries looked at without a marker */

static const struct store_backend *const store_backends[] = {
	&store_lmdb,
	&store_redis,
	&store_redis_unix,
	&store_redis_sentinel,
};

static char store_open_detail[256];
/* The impl of a STORE_LOAD_EACH batch: its entries go to store_update(). */
static char store_load_each;

/* store_add_counts() on a backend without an add of its own. */
struct store_counts_load {
	const struct store_count *keys;
	size_t	n, i;
	struct counter_set add;
	int	replaced;
};

static const char *store_rc_name(int);
static enum store_action store_counts_merge(const void *, size_t, void *,
	    size_t *, int64_t *, void *);
static int store_counts_fill(struct store_batch *, void *);

/*
 * Every call into a backend runs with the fault guard armed (fault.c):
 * a SIGBUS or SIGSEGV inside LMDB's map is the database's, not a bug.
 */
#define GUARDED(call) \
	({ int guarded_rc_; fault_arm(); guarded_rc_ = (call); \
	   fault_disarm(); guarded_rc_; })

static const char *const store_rc_text[STORE_RC_COUNT] = {
	[STORE_OK] = "success",
	[STORE_NOTFOUND] = "no such entry",
	[STORE_FULL] = "database full",
	[STORE_BUSY] = "database busy: not written in time",
	[STORE_IO] = "database I/O error",
	[STORE_CORRUPT] = "database damaged",
	[STORE_FOREIGN] = "not a greyspf database",
	[STORE_NEWER] = "database made by a later greyspf (unknown format)",
	[STORE_NOENT] = "database does not exist",
	[STORE_DENIED] = "permission denied",
	[STORE_READONLY] = "database opened read-only",
	[STORE_INVAL] = "invalid argument",
	[STORE_ABORTED] = "stopped by the caller",
	[STORE_UNAVAILABLE] = "database server unavailable",
};

/* store_rc_name - the text of a code, without detail */

static const char *
store_rc_name(int rc)
{
	if (rc < 0 || rc >= STORE_RC_COUNT)
		return ("unknown store error");
	return (store_rc_text[rc]);
}

/* store_detail - remember why rc happened; returns rc */

int
store_detail(struct store *st, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
	va_end(ap);
	return (rc);
}

/* store_strerror - a code, with the last failure's detail */

const char *
store_strerror(const struct store *st, int rc)
{
	static char buf[600];
	const char *d = st ? st->detail : store_open_detail;

	if (rc == STORE_OK || d[0] == 0)
		return (store_rc_name(rc));
	snprintf(buf, sizeof(buf), "%s: %s", store_rc_name(rc), d);
	return (buf);
}

/* store_reserved - a key that belongs to the store itself */

static int
store_reserved(const void *key, size_t klen)
{
	return (klen == 0 || klen > STORE_KEY_MAX
	    || *(const unsigned char *)key == 0);
}

/* store_open - parse the spec, open the backend, check the marker */

int
store_open(struct store **store_r, const char *spec,
    const struct store_opts *opts)
{
	const struct store_backend *be = NULL;
	const char *colon, *where = spec;
	struct store *st;
	size_t i, n;
	int rc;

	store_open_detail[0] = 0;
	*store_r = NULL;
	if (spec == NULL || *spec == 0) {
		snprintf(store_open_detail, sizeof(store_open_detail),
		    "no database named");
		return (STORE_INVAL);
	}
	colon = strchr(spec, ':');
	if (colon != NULL && spec[0] != '/') {
		n = (size_t)(colon - spec);
		for (i = 0; i < sizeof(store_backends) /
		    sizeof(store_backends[0]); i++)
			if (strlen(store_backends[i]->scheme) == n
			    && strncmp(spec, store_backends[i]->scheme, n) == 0)
				be = store_backends[i];
		if (be == NULL) {
			snprintf(store_open_detail, sizeof(store_open_detail),
			    "%.*s: unknown database type (known: lmdb, "
			    "redis, redis+unix, redis-sentinel)",
			    (int)(n > 40 ? 40 : n), spec);
			return (STORE_INVAL);
		}
		where = colon + 1;
	} else
		be = &store_lmdb;	/* a bare path */
	st = xcalloc(1, sizeof(*st));
	st->be = be;
	st->rdonly = opts->rdonly;
	st->recognise = opts->recognise;
	snprintf(st->where, sizeof(st->where), "%s", where);
	/* A server checks the marker at each connection it makes. */
	if ((rc = GUARDED(be->open(st, where, opts))) == STORE_OK
	    && (rc = be->connect == NULL ? GUARDED(store_marker_check(st))
	    : opts->lazy ? STORE_OK : be->connect(st)) == STORE_OK) {
		*store_r = st;
		return (STORE_OK);
	}
	snprintf(store_open_detail, sizeof(store_open_detail), "%s",
	    st->detail[0] ? st->detail : where);
	if (st->impl != NULL)
		be->close(st);
	free(st);
	return (rc);
}

/* store_close - close the backend */

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->be->close(st);
	free(st);
}

unsigned
store_caps(const struct store *st)
{
	return (st->be->caps);
}

/* store_name - the backend's scheme, for messages and stat */

const char *
store_name(const struct store *st)
{
	return (st->be->scheme);
}

/* store_marker_write - the update callback that writes the marker */

static enum store_action
store_marker_write(const void *old, size_t oldlen, void *new_r,
    size_t *newlen_r, int64_t *expire_r, void *ctx)
{
	(void)old;
	(void)oldlen;
	(void)expire_r;
	(void)ctx;
	*newlen_r = (size_t)snprintf(new_r, STORE_VALUE_MAX, "%s%d",
	    STORE_MARKER_VALUE, STORE_FORMAT);
	return (STORE_WRITE);
}

struct store_sniff {
	const struct store *st;
	size_t	seen;
	int	foreign;
};

/* store_sniff_entry - does a first entry look like ours? */

static enum store_visit
store_sniff_entry(const void *k, size_t kl, const void *v, size_t vl,
    void *ctx)
{
	struct store_sniff *sn = ctx;

	/* The marker, written by another process since we looked for it
	 * (two greyspf opening a new database at once): ours. */
	if (store_reserved(k, kl))
		return (STORE_NEXT);
	sn->seen++;
	if (sn->st->recognise != NULL && !sn->st->recognise(k, kl, v, vl)) {
		sn->foreign = 1;
		return (STORE_END);
	}
	return (sn->seen < STORE_RECOGNISE_N ? STORE_NEXT : STORE_END);
}

/* store_marker_check - check the marker; add it to a new or older one */

int
store_marker_check(struct store *st)
{
	char val[64];
	struct store_cursor cur;
	struct store_sniff sn;
	size_t vlen, plen = strlen(STORE_MARKER_VALUE);
	long long format;
	int rc;

	rc = st->be->get(st, STORE_MARKER_KEY, STORE_MARKER_KLEN, val,
	    sizeof(val) - 1, &vlen);
	if (rc == STORE_OK) {
		val[vlen] = 0;
		if (vlen <= plen || memcmp(val, STORE_MARKER_VALUE, plen) != 0
		    || strnum_ll(val + plen, 1, 1000000, &format) < 0)
			return (store_detail(st, STORE_FOREIGN, "%s: a marker "
			    "greyspf did not write", st->where));
		if (format > STORE_FORMAT)
			return (store_detail(st, STORE_NEWER, "%s: format %lld,"
			    " this greyspf reads format %d", st->where, format,
			    STORE_FORMAT));
		return (STORE_OK);
	}
	if (rc != STORE_NOTFOUND)
		return (rc);
	memset(&cur, 0, sizeof(cur));
	memset(&sn, 0, sizeof(sn));
	sn.st = st;
	if ((rc = st->be->walk(st, &cur, STORE_RECOGNISE_N, store_sniff_entry,
	    &sn)) != STORE_OK)
		return (rc);
	if (sn.foreign)
		return (store_detail(st, STORE_FOREIGN, "%s: no greyspf "
		    "marker, and its entries are not greylist entries "
		    "(another program's database?)", st->where));
	if (st->rdonly)
		return (STORE_OK);	/* ours, but not ours to change */
	return (st->be->update(st, STORE_MARKER_KEY, STORE_MARKER_KLEN,
	    store_marker_write, NULL));
}

int
store_get(struct store *st, const void *key, size_t klen, void *val_r,
    size_t vsize, size_t *vlen_r)
{
	if (store_reserved(key, klen))
		return (store_detail(st, STORE_INVAL, "key of %zu bytes",
		    klen));
	return (GUARDED(st->be->get(st, key, klen, val_r, vsize, vlen_r)));
}

int
store_update(struct store *st, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	if (st->rdonly)
		return (STORE_READONLY);
	if (store_reserved(key, klen))
		return (store_detail(st, STORE_INVAL, "key of %zu bytes",
		    klen));
	return (GUARDED(st->be->update(st, key, klen, fn, ctx)));
}

struct store_visible {
	store_visit_fn visit;
	void	*ctx;
};

/* store_visible_entry - hide the reserved keys from a walk */

static enum store_visit
store_visible_entry(const void *k, size_t kl, const void *v, size_t vl,
    void *ctx)
{
	struct store_visible *vis = ctx;

	if (store_reserved(k, kl))
		return (STORE_NEXT);
	return (vis->visit(k, kl, v, vl, vis->ctx));
}

int
store_walk(struct store *st, struct store_cursor *cur, size_t max,
    store_visit_fn visit, void *ctx)
{
	struct store_visible vis = {visit, ctx};

	if (cur->done)
		return (STORE_OK);
	return (GUARDED(st->be->walk(st, cur, max, store_visible_entry,
	    &vis)));
}

int
store_load(struct store *st, store_fill_fn fill, void *ctx, int flags)
{
	struct store_batch each;

	if (st->rdonly && !(flags & STORE_LOAD_DRYRUN))
		return (STORE_READONLY);
	st->load_refused = 0;
	/* Not one unit anyway: each entry an update of its own, with the
	 * backend's compare-and-set and retries. */
	if ((flags & STORE_LOAD_EACH) && !(flags & STORE_LOAD_DRYRUN)
	    && !(st->be->caps & STORE_CAP_ATOMIC_LOAD)) {
		each.st = st;
		each.impl = &store_load_each;
		return (fill(&each, ctx));
	}
	return (GUARDED(st->be->load(st, fill, ctx, flags)));
}

/* store_load_refused - the failed load's last decided write refused */

int
store_load_refused(const struct store *st)
{
	return (st->load_refused);
}

int
store_batch_update(struct store_batch *b, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	if (b->impl == &store_load_each)
		return (store_update(b->st, key, klen, fn, ctx));
	if (store_reserved(key, klen))
		return (store_detail(b->st, STORE_INVAL, "key of %zu bytes",
		    klen));
	return (b->st->be->batch_update(b, key, klen, fn, ctx));
}

/* store_counts_merge - one key's stored counts plus the added ones */

static enum store_action
store_counts_merge(const void *old, size_t oldlen, void *new_r,
    size_t *newlen_r, int64_t *expire_us_r, void *ctx)
{
	struct store_counts_load *l = ctx;
	int replaced;

	if (counter_value_merge(old, oldlen, &l->add, new_r, STORE_VALUE_MAX,
	    newlen_r, &replaced) < 0)
		return (STORE_STOP);
	l->replaced += replaced;
	*expire_us_r = l->keys[l->i].expire_us;
	return (STORE_WRITE);
}

/* store_counts_fill - store_add_counts()'s load: each key, merged */

static int
store_counts_fill(struct store_batch *b, void *ctx)
{
	struct store_counts_load *l = ctx;
	int rc;

	l->replaced = 0;
	for (l->i = 0; l->i < l->n; l->i++)
		if ((rc = store_batch_update(b, l->keys[l->i].key,
		    l->keys[l->i].klen, store_counts_merge, l)) != STORE_OK)
			return (rc);
	return (STORE_OK);
}

int
store_add_counts(struct store *st, const struct store_count *keys, size_t n,
    const void *counts, size_t len, int *replaced_r)
{
	struct store_counts_load l;
	size_t i;
	int rc;

	*replaced_r = 0;
	if (st->rdonly)
		return (STORE_READONLY);
	if (n == 0 || n > STORE_COUNT_KEYS_MAX)
		return (store_detail(st, STORE_INVAL, "%zu keys to count",
		    n));
	for (i = 0; i < n; i++)
		if (keys[i].klen == 0 || keys[i].klen > STORE_KEY_MAX
		    || store_reserved(keys[i].key, keys[i].klen))
			return (store_detail(st, STORE_INVAL, "key of %zu "
			    "bytes", keys[i].klen));
	memset(&l, 0, sizeof(l));
	if (counter_value_decode(counts, len, &l.add) < 0)
		return (store_detail(st, STORE_INVAL, "counts that do not "
		    "decode"));
	if (st->be->add_counts != NULL)
		return (GUARDED(st->be->add_counts(st, keys, n, counts, len,
		    replaced_r)));
	if (!(st->be->caps & STORE_CAP_ATOMIC_LOAD))
		return (store_detail(st, STORE_INVAL, "%s: counts cannot be "
		    "added as one unit", st->where));
	l.keys = keys;
	l.n = n;
	if ((rc = GUARDED(st->be->load(st, store_counts_fill, &l, 0)))
	    == STORE_OK)
		*replaced_r = l.replaced;
	return (rc);
}

int
store_info(struct store *st, store_info_fn emit, void *ctx)
{
	emit("Backend", st->be->scheme, ctx);
	emit("Path", st->where, ctx);
	return (GUARDED(st->be->info(st, emit, ctx)));
}

int
store_sync(struct store *st)
{
	return (st->rdonly ? STORE_OK : GUARDED(st->be->sync(st)));
}
