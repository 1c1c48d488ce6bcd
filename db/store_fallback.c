/*
 * NAME
 *	store_fallback 3
 * SUMMARY
 *	storeFallback = local: a shared store, this host's LMDB behind it
 * SYNOPSIS
 *	#include "store_fallback.h"
 *
 *	int	store_fallback_open(store_r, primary, local, opts)
 *	const char *store_fallback_why(store)
 * DESCRIPTION
 *	store_fallback_open() opens the primary store (a server: Redis)
 *	and wraps it in a store whose reads and updates go to the primary
 *	and, whenever it answers STORE_UNAVAILABLE (unreachable, too
 *	slow, or not tried again yet: store_redis.c's pause), to the
 *	local store instead, an LMDB opened at the first such failure.
 *	The next operation tries the primary again (which itself decides
 *	whether to make a connection attempt yet), so greylisting goes
 *	back to the shared store as soon as it answers. Entries written
 *	locally meanwhile are not merged back: a triplet first seen
 *	during the outage is greylisted again on the shared store.
 *	A primary that is not a server is returned as it is, unwrapped.
 *
 *	store_fallback_why() is the primary's failure while the last
 *	operation fell back (for the service's one line per outage), or
 *	NULL while the primary answers (and for any other store).
 *
 *	Counts (store_add_counts()) fall back as updates do.
 *	Walks, loads and figures are the primary's: tools do not fall
 *	back.
 * DIAGNOSTICS
 *	The primary's codes, or the local store's when it was used.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_backend.h"
#include "store_fallback.h"
#include "util.h"

struct fallback {
	struct store *primary;
	struct store *local;
	char	local_spec[512];
	struct store_opts lopts;
	int	active;		/* the last operation fell back */
	char	why[300];
};

static const struct store_backend store_fallback;

static int fallback_local(struct store *, int);
static int fallback_answer(struct store *, int, const struct store *);

/* fallback_local - the local store, opened at the first fallback */

static int
fallback_local(struct store *st, int prc)
{
	struct fallback *fb = st->impl;
	int rc;

	snprintf(fb->why, sizeof(fb->why), "%.200s; greylisting against "
	    "the local database", store_strerror(fb->primary, prc));
	fb->active = 1;
	if (fb->local != NULL)
		return (STORE_OK);
	if ((rc = store_open(&fb->local, fb->local_spec, &fb->lopts))
	    != STORE_OK) {
		/* store_strerror()'s buffer is one: copy the first. */
		snprintf(fb->why, sizeof(fb->why), "%s", store_strerror(
		    fb->primary, prc));
		return (store_detail(st, rc, "%.120s; the local database: "
		    "%.120s", fb->why, store_strerror(NULL, rc)));
	}
	return (STORE_OK);
}

/* fallback_answer - rc, with the detail of the store that gave it when
 * it failed */

static int
fallback_answer(struct store *st, int rc, const struct store *from)
{
	return (rc == STORE_OK ? rc : store_detail(st, rc, "%s",
	    from->detail));
}

/* fallback_get - the primary's get, else the local store's */

static int
fallback_get(struct store *st, const void *key, size_t klen, void *val_r,
    size_t vsize, size_t *vlen_r)
{
	struct fallback *fb = st->impl;
	int rc;

	fb->active = 0;
	rc = fb->primary->be->get(fb->primary, key, klen, val_r, vsize,
	    vlen_r);
	if (rc != STORE_UNAVAILABLE)
		return (rc == STORE_NOTFOUND ? rc
		    : fallback_answer(st, rc, fb->primary));
	if ((rc = fallback_local(st, rc)) != STORE_OK)
		return (rc);
	rc = fb->local->be->get(fb->local, key, klen, val_r, vsize, vlen_r);
	return (rc == STORE_NOTFOUND ? rc
	    : fallback_answer(st, rc, fb->local));
}

/* fallback_update - the primary's update, else the local store's */

static int
fallback_update(struct store *st, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	struct fallback *fb = st->impl;
	int rc;

	fb->active = 0;
	rc = fb->primary->be->update(fb->primary, key, klen, fn, ctx);
	if (rc != STORE_UNAVAILABLE)
		return (fallback_answer(st, rc, fb->primary));
	if ((rc = fallback_local(st, rc)) != STORE_OK)
		return (rc);
	rc = fb->local->be->update(fb->local, key, klen, fn, ctx);
	return (fallback_answer(st, rc, fb->local));
}

/* fallback_add_counts - the primary's add, else the local store's */

static int
fallback_add_counts(struct store *st, const struct store_count *keys,
    size_t n, const void *counts, size_t len, int *replaced_r)
{
	struct fallback *fb = st->impl;
	int rc;

	fb->active = 0;
	rc = store_add_counts(fb->primary, keys, n, counts, len, replaced_r);
	if (rc != STORE_UNAVAILABLE)
		return (fallback_answer(st, rc, fb->primary));
	if ((rc = fallback_local(st, rc)) != STORE_OK)
		return (rc);
	rc = store_add_counts(fb->local, keys, n, counts, len, replaced_r);
	return (fallback_answer(st, rc, fb->local));
}

/* fallback_walk - the primary's walk (tools do not fall back) */

static int
fallback_walk(struct store *st, struct store_cursor *cur, size_t max,
    store_visit_fn visit, void *ctx)
{
	struct fallback *fb = st->impl;

	return (store_walk(fb->primary, cur, max, visit, ctx));
}

/* fallback_load - the primary's load */

static int
fallback_load(struct store *st, store_fill_fn fill, void *ctx, int flags)
{
	struct fallback *fb = st->impl;

	return (store_load(fb->primary, fill, ctx, flags));
}

/* fallback_batch_update - never called: loads are the primary's */

static int
fallback_batch_update(struct store_batch *b, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	(void)b;
	(void)key;
	(void)klen;
	(void)fn;
	(void)ctx;
	return (STORE_INVAL);	/* batches are the primary's (load) */
}

/* fallback_info - the primary's figures */

static int
fallback_info(struct store *st, store_info_fn emit, void *ctx)
{
	struct fallback *fb = st->impl;

	return (store_info(fb->primary, emit, ctx));
}

/* fallback_sync - flush both stores */

static int
fallback_sync(struct store *st)
{
	struct fallback *fb = st->impl;

	if (fb->local != NULL)
		store_sync(fb->local);
	return (store_sync(fb->primary));
}

/* fallback_close - close both stores */

static void
fallback_close(struct store *st)
{
	struct fallback *fb = st->impl;

	store_close(fb->primary);
	store_close(fb->local);
	free(fb);
	st->impl = NULL;
}

/* fallback_open - not by spec: store_fallback_open() makes it */

static int
fallback_open(struct store *st, const char *where,
    const struct store_opts *opts)
{
	(void)st;
	(void)where;
	(void)opts;
	return (STORE_INVAL);	/* made by store_fallback_open() only */
}

/* store_fallback_open - the primary, with the local store behind it */

int
store_fallback_open(struct store **store_r, const char *primary,
    const char *local, const struct store_opts *opts)
{
	struct fallback *fb;
	struct store *p, *st;
	int rc;

	*store_r = NULL;
	if ((rc = store_open(&p, primary, opts)) != STORE_OK)
		return (rc);
	if (p->be->connect == NULL) {
		*store_r = p;		/* not a server: nothing to fall back */
		return (STORE_OK);
	}
	fb = xcalloc(1, sizeof(*fb));
	fb->primary = p;
	snprintf(fb->local_spec, sizeof(fb->local_spec), "%s", local);
	fb->lopts = *opts;
	fb->lopts.create = 1;
	fb->lopts.lazy = 0;
	st = xcalloc(1, sizeof(*st));
	st->be = &store_fallback;
	st->impl = fb;
	st->rdonly = opts->rdonly;
	st->recognise = opts->recognise;
	snprintf(st->where, sizeof(st->where), "%s", p->where);
	*store_r = st;
	return (STORE_OK);
}

/* store_fallback_why - the primary's failure while falling back */

const char *
store_fallback_why(const struct store *st)
{
	const struct fallback *fb;

	if (st == NULL || st->be != &store_fallback)
		return (NULL);
	fb = st->impl;
	return (fb->active ? fb->why : NULL);
}

static const struct store_backend store_fallback = {
	"fallback",
	0,
	fallback_open,
	fallback_close,
	fallback_get,
	fallback_update,
	fallback_walk,
	fallback_load,
	fallback_batch_update,
	fallback_info,
	fallback_sync,
	NULL,
	fallback_add_counts,
};
