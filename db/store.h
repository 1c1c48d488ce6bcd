/*	store.h - the greylist store: one interface, a backend behind it */
#ifndef GREYSPF_STORE_H
#define GREYSPF_STORE_H

#include <stddef.h>
#include <stdint.h>

/*
 * greyspf's own return codes: no backend's code reaches a caller, and
 * no value means two things. store_strerror() explains each, with the
 * backend's detail (the file, the system error) when there is one.
 */
enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* store_get: no such key */
	STORE_FULL,		/* the map or the disk is full, cannot grow */
	STORE_BUSY,		/* not written in time: the lock, a race */
	STORE_IO,		/* an I/O or system error */
	STORE_CORRUPT,		/* the database is damaged (truncated, ...) */
	STORE_FOREIGN,		/* not a greyspf database */
	STORE_NEWER,		/* a greyspf database of a later format */
	STORE_NOENT,		/* the database does not exist */
	STORE_DENIED,		/* permission denied */
	STORE_READONLY,		/* opened read-only */
	STORE_INVAL,		/* bad spec, key or value size */
	STORE_ABORTED,		/* a caller's callback stopped the operation */
	STORE_UNAVAILABLE,	/* a database server unreachable or too slow */
	STORE_RC_COUNT
};

/* What an update callback decides for one key. */
enum store_action {
	STORE_WRITE,		/* store *new_r */
	STORE_UNCHANGED,	/* leave the key as it is (or absent) */
	STORE_DELETE,		/* remove the key */
	STORE_STOP		/* abort the whole operation: STORE_ABORTED */
};

/* What a walk's visitor says after each entry. */
enum store_visit {
	STORE_NEXT,		/* go on */
	STORE_PAUSE,		/* stop this call; the next resumes after */
	STORE_END,		/* the walk is over; it returns STORE_OK */
	STORE_FAIL		/* stop; the walk returns STORE_ABORTED */
};

/* Capabilities: what a caller may promise its user. */
#define STORE_CAP_ORDERED	(1u << 0)	/* walks in key order */
#define STORE_CAP_SNAPSHOT	(1u << 1)	/* one walk sees one state */
#define STORE_CAP_ATOMIC_LOAD	(1u << 2)	/* store_load all or nothing */
#define STORE_CAP_EXPIRY	(1u << 3)	/* expires entries itself */

#define STORE_KEY_MAX		511	/* bytes (LMDB's default limit) */
#define STORE_VALUE_MAX		8192	/* bytes, the largest value stored */

struct store;
struct store_batch;

struct store_opts {
	size_t	mapsize;	/* lmdb: initial map size, bytes (0: default) */
	size_t	mapsize_max;	/* lmdb: hard limit for growth, bytes */
	int	rdonly;		/* open read-only (dump, stat) */
	int	nosync;		/* no flush per commit (store_sync at the end) */
	int	create;		/* create the database if missing */
	int	lock_wait_ms;	/* longest wait for the writer lock (0: 10 s) */
	int	lazy;		/* a server: connect at the first use */
	const char *key_prefix;	/* redis: before every key ("": none) */
	const char *password_file;	/* redis: AUTH from it (NULL: none) */
	const char *sentinel_password_file; /* the same, to the sentinels */
	int	connect_ms;	/* redis: connect timeout (0: 100 ms) */
	int	command_ms;	/* redis: round-trip timeout (0: 100 ms) */
	/* Does an entry look like one of ours? For a database made before
	 * the marker existed (the store then adds the marker) and to tell
	 * another program's database from ours. NULL: any entry is. */
	int	(*recognise)(const void *, size_t, const void *, size_t);
};

/*
 * A resumable walk: zero it before the first call; the store keeps its
 * place in it (the last key visited), so a walk can be done in pieces
 * between which the database may change.
 */
struct store_cursor {
	unsigned char key[STORE_KEY_MAX];
	size_t	klen;
	int	started;
	int	done;		/* set when the walk has visited everything */
};

/* store_add_counts()'s keys: each gets the counts, with its expiry. */
struct store_count {
	const void *key;
	size_t	klen;
	int64_t	expire_us;	/* Unix time; 0: never */
};
#define STORE_COUNT_KEYS_MAX	8	/* keys of one store_add_counts() */

typedef enum store_action (*store_update_fn)(const void *old, size_t oldlen,
	    void *new_r, size_t *newlen_r, int64_t *expire_us_r, void *ctx);
typedef enum store_visit (*store_visit_fn)(const void *key, size_t klen,
	    const void *val, size_t vlen, void *ctx);
typedef int (*store_fill_fn)(struct store_batch *, void *ctx);
typedef void (*store_info_fn)(const char *name, const char *value,
	    void *ctx);

int	store_open(struct store **, const char *spec, const struct store_opts *);
void	store_close(struct store *);
unsigned store_caps(const struct store *);
const char *store_name(const struct store *);
int	store_get(struct store *, const void *, size_t, void *, size_t,
	    size_t *);
int	store_update(struct store *, const void *, size_t, store_update_fn,
	    void *);
int	store_walk(struct store *, struct store_cursor *, size_t,
	    store_visit_fn, void *);
int	store_load(struct store *, store_fill_fn, void *, int);
int	store_load_refused(const struct store *);
int	store_batch_update(struct store_batch *, const void *, size_t,
	    store_update_fn, void *);
int	store_add_counts(struct store *, const struct store_count *, size_t,
	    const void *, size_t, int *);
int	store_info(struct store *, store_info_fn, void *);
int	store_sync(struct store *);
const char *store_strerror(const struct store *, int);

#define STORE_LOAD_DRYRUN	1	/* decide everything, write nothing */
/* Where a load cannot be one unit (no STORE_CAP_ATOMIC_LOAD), each entry
 * is its own store_update(): decided again after a lost race, never a
 * lost write. For the service's small writes; bulk loads leave it. */
#define STORE_LOAD_EACH		2

#endif
