/*
 * NAME
 *	spf_pool 3
 * SUMMARY
 *	a loop process's SPF workers, used asynchronously
 * SYNOPSIS
 *	#include "spf_pool.h"
 *
 *	void	spf_pool_init(pool, n, receiver, limits, keep_stderr)
 *	struct spf_pool_slot *spf_pool_free_slot(pool)
 *	int	spf_pool_send(pool, slot, query, owner, now_ms, outcome_r)
 *	void	*spf_pool_recv(pool, slot, outcome_r)
 *	void	*spf_pool_expired(pool, now_ms, outcome_r)
 *	void	spf_pool_close(pool)
 * DESCRIPTION
 *	n SPF workers (spf/spf_worker.c, each a process of its own,
 *	started at its first query and again after it died or was killed)
 *	for the event loop (loop.c), which waits on their descriptors with
 *	its connections'. A slot holds one query at a time, for an owner
 *	(the connection waiting; the pool never looks inside it).
 *
 *	spf_pool_free_slot() gives a slot with no query out, or NULL.
 *	spf_pool_send() hands a query to a slot's worker with its deadline
 *	(spfTimeout plus a second from now_ms); -1: it could not, and
 *	outcome_r is the temperror to answer at once. Then slot->w.fd is
 *	the descriptor to wait on, put in the loop's epoll set with
 *	spf_worker_watch() (which the worker leaves before its descriptor
 *	is closed). spf_pool_recv(), once it is readable,
 *	gives the outcome and the owner (NULL if the owner went away:
 *	spf_pool_forget(); NULL too, at once, with the query still out,
 *	for a stale event: an idle worker's end seen after its slot got
 *	a new worker and query in the same batch). spf_pool_expired()
 *	gives the owner of a query past its deadline, with outcome_r a
 *	temperror and its worker killed, or NULL when there is none; call
 *	it until NULL.
 * SECURITY
 *	The workers are forked by a loop process, after privileges are
 *	dropped; each keeps no descriptor but its own socket (an LMDB
 *	environment open in the parent is never touched there).
 */

#include <stdlib.h>
#include <string.h>

#include "spf_pool.h"
#include "util.h"

/* spf_pool_init - n slots, no worker started yet */

void
spf_pool_init(struct spf_pool *pool, int n, const char *receiver,
    const struct spf_limits *lim, int keep_stderr)
{
	int i;

	pool->slot = xcalloc((size_t)n, sizeof(*pool->slot));
	pool->n = n;
	pool->busy = 0;
	for (i = 0; i < n; i++) {
		pool->slot[i].kind = SPF_POOL_KIND;
		spf_worker_init(&pool->slot[i].w, receiver, lim, keep_stderr);
	}
}

/* spf_pool_free_slot - a slot with no query out, or NULL */

struct spf_pool_slot *
spf_pool_free_slot(struct spf_pool *pool)
{
	int i;

	if (pool->busy == pool->n)
		return (NULL);
	for (i = 0; i < pool->n; i++)
		if (!pool->slot[i].busy)
			return (&pool->slot[i]);
	return (NULL);
}

/* spf_pool_send - a query out, with its deadline */

int
spf_pool_send(struct spf_pool *pool, struct spf_pool_slot *s,
    const struct spf_query *q, void *owner, int64_t now_ms,
    struct spf_outcome *out)
{
	if (spf_worker_send(&s->w, q, out) < 0)
		return (-1);
	s->owner = owner;
	s->busy = 1;
	s->deadline_ms = now_ms + s->w.limits.deadline_ms + 1000;
	pool->busy++;
	return (0);
}

/* spf_pool_recv - the outcome on a readable slot; its owner (NULL: none
 * waits, or the worker was idle and has ended: it is reaped) */

void *
spf_pool_recv(struct spf_pool *pool, struct spf_pool_slot *s,
    struct spf_outcome *out)
{
	void *owner = s->owner;

	if (!s->busy) {
		spf_worker_reap(&s->w);
		return (NULL);
	}
	/* A stale event (the worker replaced and sent a query since, in
	 * this batch): no outcome yet, nothing to wait for here. */
	if (spf_worker_recv(&s->w, out) < 0)
		return (NULL);
	s->busy = 0;
	s->owner = NULL;
	pool->busy--;
	return (owner);
}

/* spf_pool_expired - the owner of a query past its deadline, or NULL */

void *
spf_pool_expired(struct spf_pool *pool, int64_t now_ms,
    struct spf_outcome *out)
{
	struct spf_pool_slot *s;
	void *owner;
	int i;

	for (i = 0; i < pool->n; i++) {
		s = &pool->slot[i];
		if (!s->busy || now_ms < s->deadline_ms)
			continue;
		owner = s->owner;
		spf_worker_expire(&s->w, out);
		s->busy = 0;
		s->owner = NULL;
		pool->busy--;
		if (owner != NULL)
			return (owner);
	}
	return (NULL);
}

/* spf_pool_close - end every worker (one with a query out is killed:
 * nobody waits for its answer any more) */

void
spf_pool_close(struct spf_pool *pool)
{
	struct spf_outcome out;
	int i;

	for (i = 0; i < pool->n; i++) {
		if (pool->slot[i].busy)
			spf_worker_expire(&pool->slot[i].w, &out);
		spf_worker_close(&pool->slot[i].w);
	}
	free(pool->slot);
	pool->slot = NULL;
	pool->n = 0;
}
