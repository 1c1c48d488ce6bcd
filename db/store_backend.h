/*	store_backend.h - what a store backend implements (db/ only) */
#ifndef GREYSPF_STORE_BACKEND_H
#define GREYSPF_STORE_BACKEND_H

#include "store.h"

/*
 * A backend fills one of these (store_lmdb.c: store_lmdb). store.c
 * chooses it from the spec, checks the arguments, hides the reserved
 * keys (the marker) and explains the codes; the backend only stores
 * bytes. Every function returns an enum store_rc, with the detail of a
 * failure (file, system error) given to store_detail().
 */
struct store_backend {
	const char *scheme;		/* "lmdb" */
	unsigned caps;			/* STORE_CAP_* */
	int	(*open)(struct store *, const char *, const struct store_opts *);
	void	(*close)(struct store *);
	int	(*get)(struct store *, const void *, size_t, void *, size_t,
		    size_t *);
	int	(*update)(struct store *, const void *, size_t,
		    store_update_fn, void *);
	int	(*walk)(struct store *, struct store_cursor *, size_t,
		    store_visit_fn, void *);
	int	(*load)(struct store *, store_fill_fn, void *, int);
	int	(*batch_update)(struct store_batch *, const void *, size_t,
		    store_update_fn, void *);
	int	(*info)(struct store *, store_info_fn, void *);
	int	(*sync)(struct store *);
	/* A server: connect now (NULL: none). It checks the marker
	 * (store_marker_check) at each new connection. */
	int	(*connect)(struct store *);
	/* Add counts to keys as one unit, on the server (NULL: store.c
	 * does it with a load, where loads are one unit). */
	int	(*add_counts)(struct store *, const struct store_count *,
		    size_t, const void *, size_t, int *);
};

struct store {
	const struct store_backend *be;
	void	*impl;			/* the backend's own state */
	int	rdonly;
	char	where[256];		/* the path or address, for messages */
	char	detail[256];		/* the last failure's detail */
	int	load_refused;		/* a failed load's last write was
					 * refused: store_load_refused() */
	int	(*recognise)(const void *, size_t, const void *, size_t);
};

/* A batch is the backend's; store.c dispatches through its store. */
struct store_batch {
	struct store *st;
	void	*impl;
};

extern const struct store_backend store_lmdb;
extern const struct store_backend store_redis;
extern const struct store_backend store_redis_unix;
extern const struct store_backend store_redis_sentinel;

int	store_marker_check(struct store *);
int	store_detail(struct store *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
