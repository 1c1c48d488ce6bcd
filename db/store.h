/*	store.h - the LMDB greylist database */
#ifndef GREYSPF_STORE_H
#define GREYSPF_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_txn;

struct store_opts {
	const char *path;	/* environment directory */
	size_t	mapsize;	/* initial map size, bytes */
	size_t	mapsize_max;	/* hard limit for growth, bytes */
	int	rdonly;		/* open read-only (dump, stat) */
	int	nosync;		/* MDB_NOSYNC: no fsync per commit */
	int	create;		/* create the directory if missing */
};

struct store_info {
	size_t	mapsize;
	size_t	pagesize;
	size_t	pages_used;
	size_t	last_txnid;
	unsigned maxreaders;
	unsigned readers;
	size_t	entries;
	unsigned depth;
	size_t	branch_pages, leaf_pages, overflow_pages;
	int	stale_readers_cleared;
};

#define STORE_DEFAULT_MAPSIZE	((size_t)16 << 20)
#define STORE_DEFAULT_MAPSIZE_MAX ((size_t)16 << 30)
#define STORE_MAXREADERS	512	/* Postfix spawns up to 100 */
#define STORE_GROW_TRIES	16

/* Results besides 0 are LMDB codes or errno values. */
#define STORE_NOTFOUND		(-30798)	/* MDB_NOTFOUND */
#define STORE_WALK_STOP		(-1)	/* a walk callback is done */

typedef int (*store_txn_fn)(struct store_txn *, void *);
typedef int (*store_walk_fn)(const void *, size_t, const void *, size_t,
	    void *);

int	store_open(struct store **, const struct store_opts *);
void	store_close(struct store *);
int	store_read(struct store *, store_txn_fn, void *);
int	store_write(struct store *, store_txn_fn, void *);
int	store_sync(struct store *);
int	store_info(struct store *, struct store_info *);
const char *store_strerror(int);

int	store_txn_get(struct store_txn *, const void *, size_t,
	    const void **, size_t *);
int	store_txn_put(struct store_txn *, const void *, size_t, const void *,
	    size_t);
int	store_txn_append(struct store_txn *, const void *, size_t,
	    const void *, size_t);
int	store_txn_del(struct store_txn *, const void *, size_t);
int	store_txn_walk(struct store_txn *, const void *, size_t,
	    store_walk_fn, void *);
size_t	store_txn_count(struct store_txn *);

#endif
