/*
 * NAME
 *	autowl 3
 * SUMMARY
 *	auto-whitelisting: read, decide, write a client's entry
 * SYNOPSIS
 *	#include "autowl.h"
 *
 *	void	autowl_facts(conf, now, facts_r)
 *	void	autowl_log(key, facts, decision)
 *	int	autowl_check(store, key, facts, decision_r)
 *	int	autowl_fill_count(batch, key, facts, decision_r)
 * DESCRIPTION
 *	A client's auto-whitelist entry has the key of kind KEY_AWL for
 *	the greylist key's client (its address, or its network with
 *	ignoreLastByte: the grouping the greylist key has); the value is
 *	a record (db/entry.c), used as policy_awl.c says.
 *
 *	autowl_check() is done before greylisting: it reads the entry
 *	(store_get, no lock), lets policy_awl_listed() decide and, for the
 *	hourly refresh of a listed client only, writes it, with the
 *	process's unwritten counters (counters.c) in the same write when
 *	counters_carry() says so.
 *
 *	autowl_fill_count() is done inside greylist.c's write when a
 *	triplet passes for the first time: it counts the pass for the
 *	client (policy_awl_count()) in the same transaction.
 *
 *	autowl_facts() sets facts_r from the configuration
 *	(autoWhitelistClients: facts_r->clients 0 is off) and the time.
 *	autowl_log() logs a count that made a client whitelisted, with
 *	its network and the passes.
 *
 *	facts->clients and facts->max_age_us are the caller's; have, old
 *	and now are filled in here (now from the caller's facts). A stored
 *	entry that does not decode is as none, and overwritten when a
 *	write comes.
 *
 *	The callbacks give the store the entry's expiry time
 *	(expire_us_r): a backend that expires keys itself drops a lapsed
 *	entry; greyspf-clean drops it from the others.
 * DIAGNOSTICS
 *	Both return STORE_OK or a store code.
 */

#include <string.h>

#include "addr.h"
#include "autowl.h"
#include "counters.h"
#include "entry.h"
#include "log.h"

struct autowl_ctx {
	struct greykey awl;	/* the KEY_AWL key */
	struct awl_facts facts;
	struct awl_decision *d;
	int	count;		/* policy_awl_count, else _listed */
	int	bad_record;
};

static void autowl_decide(struct autowl_ctx *, const void *, size_t);
static enum store_action autowl_write(const void *, size_t, void *,
	    size_t *, int64_t *, void *);
static int autowl_refresh_fill(struct store_batch *, void *);
static int autowl_begin(struct autowl_ctx *, const struct greykey *,
	    const struct awl_facts *, struct awl_decision *, unsigned char *,
	    size_t *);

/* autowl_facts - the configuration's part of the facts */

void
autowl_facts(const struct config *conf, int64_t now, struct awl_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->now = now;
	f->clients = (uint32_t)conf->awl_clients;
	f->max_age_us = (int64_t)conf->awl_max_age_days * 86400 * 1000000;
}

/* autowl_log - a count that made the client whitelisted */

void
autowl_log(const struct greykey *gk, const struct awl_facts *f,
    const struct awl_decision *d)
{
	char net[ADDR_TEXT_MAX];

	if (f->clients == 0 || !d->write)
		return;
	addr_format_net(&gk->client, net, sizeof(net));
	if (d->rec.passes == f->clients)
		log_info("auto-whitelist: %s whitelisted after %u passes",
		    net, (unsigned)d->rec.passes);
	else
		log_debug("auto-whitelist: %s: pass %u of %u counted", net,
		    (unsigned)d->rec.passes, (unsigned)f->clients);
}

/* autowl_begin - the context, and the client's entry key encoded */

static int
autowl_begin(struct autowl_ctx *c, const struct greykey *gk,
    const struct awl_facts *facts, struct awl_decision *d,
    unsigned char *buf, size_t *len_r)
{
	memset(c, 0, sizeof(*c));
	if (key_set(&c->awl, KEY_AWL, &gk->client, "", "") < 0
	    || key_encode(&c->awl, buf, KEY_MAX, len_r) < 0)
		return (STORE_INVAL);
	c->facts = *facts;
	c->d = d;
	return (STORE_OK);
}

/* autowl_decide - decide on a stored value (NULL: none) */

static void
autowl_decide(struct autowl_ctx *c, const void *v, size_t vlen)
{
	c->facts.have = v != NULL
	    && entry_record(v, vlen, &c->facts.old) == 0;
	if (c->count)
		policy_awl_count(&c->facts, c->d);
	else
		policy_awl_listed(&c->facts, c->d);
}

/* autowl_write - the update callback: decide again, encode */

static enum store_action
autowl_write(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_us_r, void *ctx)
{
	struct autowl_ctx *c = ctx;

	autowl_decide(c, old, oldlen);
	if (!c->d->write)
		return (STORE_UNCHANGED);
	if (entry_value(&c->awl, &c->d->rec, new_r, ENTRY_VALUE_MAX,
	    newlen_r) < 0) {
		c->bad_record = 1;
		return (STORE_STOP);
	}
	*expire_us_r = c->d->expires_us;
	return (STORE_WRITE);
}

struct autowl_refresh {
	struct autowl_ctx *c;
	int	carry;		/* the write carries the counters */
	const unsigned char *key;
	size_t	klen;
};

/* autowl_refresh_fill - the refresh's batch: the entry, the counters */

static int
autowl_refresh_fill(struct store_batch *b, void *ctx)
{
	struct autowl_refresh *r = ctx;
	int rc;

	if ((rc = store_batch_update(b, r->key, r->klen, autowl_write,
	    r->c)) != STORE_OK)
		return (rc);
	return (r->carry ? counters_fill(b, NULL) : STORE_OK);
}

/* autowl_check - is the client listed? read, decide, refresh */

int
autowl_check(struct store *st, const struct greykey *gk,
    const struct awl_facts *facts, struct awl_decision *d)
{
	struct autowl_ctx c;
	struct autowl_refresh r;
	unsigned char key[KEY_MAX], val[ENTRY_VALUE_MAX];
	size_t klen, vlen;
	int rc;

	if ((rc = autowl_begin(&c, gk, facts, d, key, &klen)) != STORE_OK)
		return (rc);
	rc = store_get(st, key, klen, val, sizeof(val), &vlen);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return (rc);
	autowl_decide(&c, rc == STORE_OK ? val : NULL, vlen);
	if (!d->write)
		return (STORE_OK);
	r.c = &c;
	r.key = key;
	r.klen = klen;
	r.carry = counters_carry(store_caps(st));
	rc = store_load(st, autowl_refresh_fill, &r, STORE_LOAD_EACH);
	if (c.bad_record)
		panic("entry_value failed on an auto-whitelist record");
	if (rc == STORE_OK && r.carry)
		counters_written(facts->now);
	return (rc);
}

/* autowl_fill_count - count a first pass, inside a write */

int
autowl_fill_count(struct store_batch *b, const struct greykey *gk,
    const struct awl_facts *facts, struct awl_decision *d)
{
	struct autowl_ctx c;
	unsigned char key[KEY_MAX];
	size_t klen;
	int rc;

	if ((rc = autowl_begin(&c, gk, facts, d, key, &klen)) != STORE_OK)
		return (rc);
	c.count = 1;
	rc = store_batch_update(b, key, klen, autowl_write, &c);
	if (c.bad_record)
		panic("entry_value failed on an auto-whitelist record");
	return (rc);
}
