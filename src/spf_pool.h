/*	spf_pool.h - a loop process's SPF workers, used asynchronously */
#ifndef GREYSPF_SPF_POOL_H
#define GREYSPF_SPF_POOL_H

#include <stdint.h>

#include "spf.h"

#define SPF_POOL_KIND	3	/* loop.c's tag for a worker's events */

struct spf_pool_slot {
	int	kind;			/* SPF_POOL_KIND: first, for loop.c */
	struct spf_worker w;
	void	*owner;			/* the connection waiting; NULL: free
					 * (or its connection went away) */
	int	busy;			/* a query is out */
	int64_t	deadline_ms;		/* monotonic, of the query out */
};

struct spf_pool {
	struct spf_pool_slot *slot;
	int	n;
	int	busy;			/* slots with a query out */
};

void	spf_pool_init(struct spf_pool *, int, const char *,
	    const struct spf_limits *, int);
struct spf_pool_slot *spf_pool_free_slot(struct spf_pool *);
int	spf_pool_send(struct spf_pool *, struct spf_pool_slot *,
	    const struct spf_query *, void *, int64_t, struct spf_outcome *);
void	*spf_pool_recv(struct spf_pool *, struct spf_pool_slot *,
	    struct spf_outcome *);
void	*spf_pool_expired(struct spf_pool *, int64_t, struct spf_outcome *);
void	spf_pool_close(struct spf_pool *);

#endif
