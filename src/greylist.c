/*
 * NAME
 *	greylist 3
 * SUMMARY
 *	read, decide, write: one greylist check against the store
 * SYNOPSIS
 *	#include "greylist.h"
 *
 *	int	greylist_check(store, key, facts, awl, decision_r, awl_r)
 * DESCRIPTION
 *	Reads the entry (store_get, a copy) and lets policy_greylist()
 *	decide. Most requests end there: a pending or recently seen entry
 *	needs no write, and readers never wait for the writer lock. When
 *	the decision says write, store_update() decides again on the value
 *	it finds (another process may have changed the entry meanwhile)
 *	and stores the record with it, atomically; a decision that no
 *	longer needs a write leaves the entry as it is.
 *
 *	When the entry was absent and another process created it before
 *	this one could (a lost compare-and-set on a shared store), the two
 *	new records unite (record_merge()): one entry, the earliest
 *	first-seen.
 *
 *	A stored record that does not decode is treated as absent and
 *	overwritten, with a warning (STYLE: the caller deletes what the
 *	decoder rejects).
 *
 *	The write is a store_load() batch, one transaction, when something
 *	rides on it (else a store_update() of the entry alone): with awl
 *	(autoWhitelistClients on; NULL: off), a first pass is counted for
 *	the client (autowl.c) and awl_r says what was decided (awl_r->write:
 *	counted); and, where the store makes a load one unit (LMDB), the
 *	process's unwritten counters (counters.c) go with it when
 *	counters_carry() says so, this request's decision counted too. A
 *	decision that writes nothing, or a write that carries no counters,
 *	is counted for a later write. On a store that cannot (Redis), the
 *	batch is STORE_LOAD_EACH: each entry its own compare-and-set.
 *
 *	facts->have and facts->old are filled in here; the caller supplies
 *	the time, GREYLISTTIME, GREYLISTEXPIREDAYS and the training switch.
 *	Every write carries the entry's expiry by greyspf-clean's rule
 *	(record_expires_at()), which a store that expires entries itself
 *	(Redis) applies and LMDB ignores.
 * DIAGNOSTICS
 *	Returns STORE_OK, or a store code (the caller answers with
 *	storeErrorAction and logs store_strerror()).
 */

#include <string.h>

#include "autowl.h"
#include "counters.h"
#include "entry.h"
#include "greylist.h"
#include "log.h"

struct greylist_ctx {
	const struct greykey *gk;
	unsigned char key[KEY_MAX];
	size_t	klen;
	struct grey_facts facts;
	struct grey_decision *d;
	const struct awl_facts *awl;
	struct awl_decision *awl_d;
	int	corrupt;
	int	bad_record;	/* the new record did not encode */
	struct counter_set counts;	/* the decision's, in the write */
	int	carry;		/* the write carries the counters */
	int	created;	/* a call decided to create the entry */
	struct greyrec mine;	/* and this is what it made */
};

static void greylist_decide(struct greylist_ctx *, const void *, size_t);
static enum store_action greylist_write(const void *, size_t, void *,
	    size_t *, int64_t *, void *);
static int greylist_fill(struct store_batch *, void *);
static void greylist_count(const struct grey_decision *, int64_t,
	    struct counter_set *);

/* greylist_decide - decide on a stored value (NULL: none) */

static void
greylist_decide(struct greylist_ctx *c, const void *v, size_t vlen)
{
	c->facts.have = 0;
	if (v != NULL) {
		if (entry_record(v, vlen, &c->facts.old) == 0)
			c->facts.have = 1;
		else
			c->corrupt = 1;
	}
	policy_greylist(&c->facts, c->d);
}

/* greylist_write - store_update's callback: decide again, encode */

static enum store_action
greylist_write(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct greylist_ctx *c = ctx;
	struct greyrec m;

	greylist_decide(c, old, oldlen);
	/* Another host created the entry after we found none (a lost
	 * compare-and-set): the two creations unite, record_merge()'s
	 * union, so the entry keeps the earliest first-seen. */
	if (!c->d->write && c->created && c->facts.have) {
		m = c->facts.old;
		record_merge(&m, &c->mine);
		if (!record_equal(&m, &c->facts.old)) {
			c->d->rec = m;
			c->d->write = 1;
		}
	}
	if (!c->d->write)
		return (STORE_UNCHANGED);
	if (!c->facts.have) {
		c->created = 1;
		c->mine = c->d->rec;
	}
	/* greyspf-clean's rule, for a store that expires entries itself. */
	*expire_r = record_expires_at(&c->d->rec, c->facts.expire_us);
	if (entry_value(c->gk, &c->d->rec, new_r, ENTRY_VALUE_MAX,
	    newlen_r) < 0) {
		c->bad_record = 1;
		return (STORE_STOP);
	}
	return (STORE_WRITE);
}

/* greylist_fill - the write: the entry, a first pass's count, counters */

static int
greylist_fill(struct store_batch *b, void *ctx)
{
	struct greylist_ctx *c = ctx;
	int rc;

	if (c->awl_d != NULL)
		memset(c->awl_d, 0, sizeof(*c->awl_d));
	if ((rc = store_batch_update(b, c->key, c->klen, greylist_write, c))
	    != STORE_OK)
		return (rc);
	if (c->awl != NULL && c->d->write && c->d->first_pass
	    && (rc = autowl_fill_count(b, c->gk, c->awl, c->awl_d))
	    != STORE_OK)
		return (rc);
	/* This request's counts, as decided in this transaction, ride
	 * along: a session whose one write is this needs no other. */
	greylist_count(c->d, c->facts.now, &c->counts);
	return (c->carry ? counters_fill(b, &c->counts) : STORE_OK);
}

/* greylist_count - the decision, counted into set_r */

static void
greylist_count(const struct grey_decision *d, int64_t now,
    struct counter_set *set_r)
{
	memset(set_r, 0, sizeof(*set_r));
	switch (d->event) {
	case GREY_INITIAL:
		set_r->v[CTR_GREYLIST_NEW] = 1;
		break;
	case GREY_PENDING:
		set_r->v[CTR_GREYLIST_EARLY] = 1;
		break;
	case GREY_TRAINING:
		set_r->v[CTR_TRAINING] = 1;
		break;
	case GREY_ALLOWED:
		if (d->first_pass && d->write)
			counters_pass_set(set_r, now - d->rec.first_us);
		else
			set_r->v[CTR_PASS_KNOWN] = 1;
		break;
	}
}

/* greylist_check - read, decide, write when the decision says so */

int
greylist_check(struct store *st, const struct greykey *key,
    const struct grey_facts *facts, const struct awl_facts *awl,
    struct grey_decision *d, struct awl_decision *awl_d)
{
	struct greylist_ctx c;
	unsigned char val[ENTRY_VALUE_MAX];
	size_t vlen;
	int rc;

	memset(&c, 0, sizeof(c));
	if (key_encode(key, c.key, sizeof(c.key), &c.klen) < 0)
		return (STORE_INVAL);
	c.gk = key;
	c.facts = *facts;
	c.d = d;
	c.awl = awl;
	c.awl_d = awl_d;
	if (awl_d != NULL)
		memset(awl_d, 0, sizeof(*awl_d));
	rc = store_get(st, c.key, c.klen, val, sizeof(val), &vlen);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return (rc);
	greylist_decide(&c, rc == STORE_OK ? val : NULL, vlen);
	if (!d->write) {
		greylist_count(d, facts->now, &c.counts);
		counters_add_set(&c.counts);
		return (STORE_OK);
	}
	if (c.corrupt)
		log_warnx("undecodable greylist record replaced");
	/* A batch only when something rides along; else the entry alone,
	 * as ever (a batch costs a few per cent of a write's CPU). */
	c.carry = counters_carry(store_caps(st));
	if (c.carry || awl != NULL)
		rc = store_load(st, greylist_fill, &c, STORE_LOAD_EACH);
	else if ((rc = store_update(st, c.key, c.klen, greylist_write, &c))
	    == STORE_OK)
		greylist_count(d, facts->now, &c.counts);
	if (c.bad_record)
		panic("entry_value failed on a decided record");
	/* A failed write is the request's outcome (storeErrorAction, a
	 * store error counted by the caller), not the decision. */
	if (rc == STORE_OK && c.carry)
		counters_written(facts->now);
	else if (rc == STORE_OK)
		counters_add_set(&c.counts);
	return (rc);
}
