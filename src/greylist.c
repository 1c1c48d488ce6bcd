/*
 * NAME
 *	greylist 3
 * SUMMARY
 *	read, decide, write: one greylist check against the store
 * SYNOPSIS
 *	#include "greylist.h"
 *
 *	int	greylist_check(store, key, facts, decision_r)
 * DESCRIPTION
 *	Reads the entry in a read transaction and lets policy_greylist()
 *	decide. Most requests end there: a pending or recently seen entry
 *	needs no write, and readers never wait for LMDB's writer lock.
 *	When the decision says write, the check runs again inside one
 *	write transaction (another process may have changed the entry
 *	meanwhile) and the record is stored with it, atomically.
 *
 *	A stored record that does not decode is treated as absent and
 *	overwritten, with a warning (STYLE: the caller deletes what the
 *	decoder rejects).
 *
 *	facts->have and facts->old are filled in here; the caller supplies
 *	the time, GREYLISTTIME and the training switch.
 * DIAGNOSTICS
 *	Returns 0, or a store error (the caller answers with
 *	storeErrorAction and logs it).
 */

#include <errno.h>
#include <string.h>

#include "greylist.h"
#include "log.h"

struct greylist_ctx {
	unsigned char key[KEY_MAX];
	size_t	klen;
	struct grey_facts facts;
	struct grey_decision *d;
	int	corrupt;
};

/* greylist_decide - read the record and decide, in any transaction */

static int
greylist_decide(struct store_txn *txn, struct greylist_ctx *c)
{
	const void *v;
	size_t vlen;
	int rc;

	c->facts.have = 0;
	rc = store_txn_get(txn, c->key, c->klen, &v, &vlen);
	if (rc == 0) {
		if (record_decode(v, vlen, &c->facts.old) == 0)
			c->facts.have = 1;
		else
			c->corrupt = 1;
	} else if (rc != STORE_NOTFOUND)
		return (rc);
	policy_greylist(&c->facts, c->d);
	return (0);
}

static int
greylist_read(struct store_txn *txn, void *ctx)
{
	return (greylist_decide(txn, ctx));
}

static int
greylist_write(struct store_txn *txn, void *ctx)
{
	struct greylist_ctx *c = ctx;
	unsigned char val[RECORD_MAX];
	size_t vlen;
	int rc;

	if ((rc = greylist_decide(txn, c)) != 0)
		return (rc);
	if (!c->d->write)
		return (STORE_NOTFOUND);	/* nothing to commit */
	if (record_encode(&c->d->rec, val, sizeof(val), &vlen) < 0)
		return (EINVAL);
	return (store_txn_put(txn, c->key, c->klen, val, vlen));
}

int
greylist_check(struct store *st, const struct greykey *key,
    const struct grey_facts *facts, struct grey_decision *d)
{
	struct greylist_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	if (key_encode(key, c.key, sizeof(c.key), &c.klen) < 0)
		return (EINVAL);
	c.facts = *facts;
	c.d = d;
	if ((rc = store_read(st, greylist_read, &c)) != 0)
		return (rc);
	if (!d->write)
		return (0);
	if (c.corrupt)
		log_warnx("undecodable greylist record replaced");
	rc = store_write(st, greylist_write, &c);
	return (rc == STORE_NOTFOUND ? 0 : rc);
}
