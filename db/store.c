/*
 * NAME
 *	store 3
 * SUMMARY
 *	LMDB environment, transactions and map growth
 * SYNOPSIS
 *	#include "store.h"
 *
 *	int	store_open(store_r, opts)
 *	void	store_close(store)
 *	int	store_read(store, fn, ctx)
 *	int	store_write(store, fn, ctx)
 *	int	store_txn_get(txn, key, klen, val_r, vlen_r)
 *	int	store_txn_put(txn, key, klen, val, vlen)
 *	int	store_txn_del(txn, key, klen)
 *	int	store_txn_walk(txn, from, fromlen, fn, ctx)
 * DESCRIPTION
 *	This module knows LMDB and nothing of greylisting: keys and values
 *	are opaque bytes (key.c and record.c give them meaning).
 *
 *	One environment is a directory holding data.mdb and lock.mdb, so
 *	LMDB's own mdb_stat and mdb_dump work on it. Many processes share
 *	it: Postfix spawns one greyspf per SMTP connection, and the tools
 *	run beside them. LMDB serializes writers with a lock in lock.mdb;
 *	readers never block.
 *
 *	store_open() creates the directory when asked, opens the
 *	environment with STORE_MAXREADERS reader slots and clears the
 *	slots of dead processes (mdb_reader_check), which a kill -9
 *	otherwise leaves behind until the slots run out.
 *
 *	store_write() runs fn inside one write transaction and commits it,
 *	so everything fn does is atomic: a crash at any moment leaves
 *	either all of it or none. When fn or the commit meets
 *	MDB_MAP_FULL, the transaction is aborted, the map doubled (up to
 *	mapsize_max) and fn run again from the start, at most
 *	STORE_GROW_TRIES times; fn must therefore keep no state across
 *	calls that the retry would double. When another process has grown
 *	the map, LMDB says MDB_MAP_RESIZED and the new size is adopted.
 *	fn returns 0 to commit; anything else aborts and is returned.
 *
 *	store_read() runs fn in a read-only transaction.
 *
 *	store_txn_walk() calls fn for each entry from the first key >=
 *	from (all when fromlen is 0) until fn returns non-zero:
 *	STORE_WALK_STOP ends the walk with 0, anything else is returned.
 *	fn must not change the database.
 * DIAGNOSTICS
 *	Functions return 0, STORE_NOTFOUND, an LMDB error code or an
 *	errno value; store_strerror() explains any of them.
 * SECURITY
 *	Files are created with mode 0600/0700 by the process's umask
 *	(0077 applied here): greylist data names correspondents.
 */

#include <sys/stat.h>

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "util.h"

struct store {
	MDB_env	*env;
	MDB_dbi	dbi;
	size_t	mapsize;
	size_t	mapsize_max;
	int	rdonly;
	int	stale_cleared;
};

struct store_txn {
	struct store *st;
	MDB_txn	*txn;
};

static int store_begin(struct store *, unsigned, MDB_txn **);
static int store_grow(struct store *);

/* store_open - open or create the environment */

int
store_open(struct store **store_r, const struct store_opts *opts)
{
	struct store *st;
	unsigned flags = MDB_NORDAHEAD;
	MDB_txn *txn;
	mode_t old_umask;
	int rc, dead = 0;

	st = xcalloc(1, sizeof(*st));
	st->rdonly = opts->rdonly;
	st->mapsize = opts->mapsize ? opts->mapsize : STORE_DEFAULT_MAPSIZE;
	st->mapsize_max = opts->mapsize_max ? opts->mapsize_max
	    : STORE_DEFAULT_MAPSIZE_MAX;
	if (st->mapsize > st->mapsize_max)
		st->mapsize = st->mapsize_max;
	if (opts->rdonly)
		flags |= MDB_RDONLY;
	if (opts->nosync)
		flags |= MDB_NOSYNC;
	old_umask = umask(077);
	if (!opts->rdonly && opts->create && mkdir(opts->path, 0700) < 0
	    && errno != EEXIST) {
		rc = errno;
		umask(old_umask);
		free(st);
		return (rc);
	}
	if ((rc = mdb_env_create(&st->env)) != 0)
		goto bad;
	if ((rc = mdb_env_set_maxreaders(st->env, STORE_MAXREADERS)) != 0
	    || (rc = mdb_env_set_mapsize(st->env, st->mapsize)) != 0
	    || (rc = mdb_env_open(st->env, opts->path, flags, 0600)) != 0)
		goto bad;
	umask(old_umask);
	/* Another process may have grown the file past our request. */
	{
		MDB_envinfo info;

		mdb_env_info(st->env, &info);
		st->mapsize = info.me_mapsize;
	}
	if ((rc = mdb_reader_check(st->env, &dead)) != 0)
		goto bad2;
	st->stale_cleared = dead;
	/* The main database always exists: a read transaction opens its
	 * handle without taking the writer lock at every spawn. */
	if ((rc = store_begin(st, MDB_RDONLY, &txn)) != 0)
		goto bad2;
	rc = mdb_dbi_open(txn, NULL, 0, &st->dbi);
	mdb_txn_abort(txn);
	if (rc != 0)
		goto bad2;
	*store_r = st;
	return (0);

bad:
	umask(old_umask);
bad2:
	if (st->env)
		mdb_env_close(st->env);
	free(st);
	return (rc);
}

/* store_close - close the environment */

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	mdb_env_close(st->env);
	free(st);
}

/* store_begin - begin a transaction, adopting a map grown elsewhere */

static int
store_begin(struct store *st, unsigned flags, MDB_txn **txn_r)
{
	int rc, tries;

	for (tries = 0; tries < 3; tries++) {
		rc = mdb_txn_begin(st->env, NULL, flags, txn_r);
		if (rc != MDB_MAP_RESIZED)
			return (rc);
		if ((rc = mdb_env_set_mapsize(st->env, 0)) != 0)
			return (rc);
		{
			MDB_envinfo info;

			mdb_env_info(st->env, &info);
			st->mapsize = info.me_mapsize;
		}
	}
	return (MDB_MAP_RESIZED);
}

/* store_grow - double the map, up to the limit */

static int
store_grow(struct store *st)
{
	size_t next;
	int rc;

	if (st->mapsize >= st->mapsize_max)
		return (MDB_MAP_FULL);
	next = st->mapsize > st->mapsize_max / 2 ? st->mapsize_max
	    : st->mapsize * 2;
	if ((rc = mdb_env_set_mapsize(st->env, next)) != 0)
		return (rc);
	log_info("database map grown from %zu to %zu MiB",
	    st->mapsize >> 20, next >> 20);
	st->mapsize = next;
	return (0);
}

/* store_write - fn inside one write transaction, growing on MAP_FULL */

int
store_write(struct store *st, store_txn_fn fn, void *ctx)
{
	struct store_txn t;
	int rc, tries;

	if (st->rdonly)
		return (EROFS);
	t.st = st;
	for (tries = 0; tries < STORE_GROW_TRIES; tries++) {
		if ((rc = store_begin(st, 0, &t.txn)) != 0)
			return (rc);
		rc = fn(&t, ctx);
		if (rc == 0)
			rc = mdb_txn_commit(t.txn);
		else
			mdb_txn_abort(t.txn);
		if (rc != MDB_MAP_FULL)
			return (rc);
		if ((rc = store_grow(st)) != 0)
			return (rc);
	}
	return (MDB_MAP_FULL);
}

/* store_read - fn inside one read-only transaction */

int
store_read(struct store *st, store_txn_fn fn, void *ctx)
{
	struct store_txn t;
	int rc;

	t.st = st;
	if ((rc = store_begin(st, MDB_RDONLY, &t.txn)) != 0)
		return (rc);
	rc = fn(&t, ctx);
	mdb_txn_abort(t.txn);
	return (rc);
}

/* store_sync - flush to disk (after a nosync bulk load) */

int
store_sync(struct store *st)
{
	return (st->rdonly ? 0 : mdb_env_sync(st->env, 1));
}

/* store_info - sizes and counts, as mdb_stat prints them */

int
store_info(struct store *st, struct store_info *info)
{
	MDB_envinfo ei;
	MDB_stat ms;
	MDB_txn *txn;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = mdb_env_info(st->env, &ei)) != 0)
		return (rc);
	if ((rc = store_begin(st, MDB_RDONLY, &txn)) != 0)
		return (rc);
	rc = mdb_stat(txn, st->dbi, &ms);
	mdb_txn_abort(txn);
	if (rc != 0)
		return (rc);
	info->mapsize = ei.me_mapsize;
	info->pagesize = ms.ms_psize;
	info->pages_used = ei.me_last_pgno + 1;
	info->last_txnid = ei.me_last_txnid;
	info->maxreaders = ei.me_maxreaders;
	info->readers = ei.me_numreaders;
	info->entries = ms.ms_entries;
	info->depth = ms.ms_depth;
	info->branch_pages = ms.ms_branch_pages;
	info->leaf_pages = ms.ms_leaf_pages;
	info->overflow_pages = ms.ms_overflow_pages;
	info->stale_readers_cleared = st->stale_cleared;
	return (0);
}

const char *
store_strerror(int rc)
{
	return (mdb_strerror(rc));
}

int
store_txn_get(struct store_txn *t, const void *key, size_t klen,
    const void **val_r, size_t *vlen_r)
{
	MDB_val k = {klen, (void *)key}, v;
	int rc;

	if ((rc = mdb_get(t->txn, t->st->dbi, &k, &v)) != 0)
		return (rc);
	*val_r = v.mv_data;
	*vlen_r = v.mv_size;
	return (0);
}

int
store_txn_put(struct store_txn *t, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};

	return (mdb_put(t->txn, t->st->dbi, &k, &v, 0));
}

/* store_txn_append - put a key known to sort after every other */

int
store_txn_append(struct store_txn *t, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};

	return (mdb_put(t->txn, t->st->dbi, &k, &v, MDB_APPEND));
}

int
store_txn_del(struct store_txn *t, const void *key, size_t klen)
{
	MDB_val k = {klen, (void *)key};

	return (mdb_del(t->txn, t->st->dbi, &k, NULL));
}

/* store_txn_count - number of entries */

size_t
store_txn_count(struct store_txn *t)
{
	MDB_stat ms;

	if (mdb_stat(t->txn, t->st->dbi, &ms) != 0)
		return (0);
	return (ms.ms_entries);
}

/* store_txn_walk - visit entries in key order from a start key */

int
store_txn_walk(struct store_txn *t, const void *from, size_t fromlen,
    store_walk_fn fn, void *ctx)
{
	MDB_cursor *cur;
	MDB_val k = {fromlen, (void *)from}, v;
	int rc;

	if ((rc = mdb_cursor_open(t->txn, t->st->dbi, &cur)) != 0)
		return (rc);
	rc = mdb_cursor_get(cur, &k, &v, fromlen ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		if ((rc = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size,
		    ctx)) != 0) {
			if (rc == STORE_WALK_STOP)
				rc = 0;
			break;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return (rc == MDB_NOTFOUND ? 0 : rc);
}
