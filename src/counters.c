/*
 * NAME
 *	counters 3
 * SUMMARY
 *	the process's statistics counts, added to the store in batches
 * SYNOPSIS
 *	#include "counters.h"
 *
 *	void	counters_init(days)
 *	void	counters_begin(now_us)
 *	void	counters_add(id)
 *	void	counters_add_set(set)
 *	void	counters_pass(delay_us)
 *	void	counters_pass_set(set, delay_us)
 *	void	counters_spf(identity, result)
 *	int	counters_pending()
 *	int	counters_carry(caps)
 *	int	counters_fill(batch, extra)
 *	void	counters_written(now_us)
 *	int	counters_due(now_us)
 *	int	counters_flush(store, now_us)
 * DESCRIPTION
 *	The service counts what it does here, in the process, and the
 *	counts reach the database (db/counter.c's keys: the hour, the day,
 *	the total) only with a write: counters_fill() adds them inside a
 *	write that happens anyway (greylist.c's and autowl.c's, through
 *	store_load()) when counters_carry() says so: on a store whose
 *	write is one unit, the process's first
 *	write, then at most one every COUNTERS_FLUSH_US (each write that
 *	carries them adds three keys to its transaction: the hour, the day,
 *	the total); counters_flush() is a write of their own, for the end
 *	of a session and for a daemon's loop at most once every
 *	COUNTERS_FLUSH_US (counters_due()), through store_add_counts():
 *	each hour's counts one unit, which on a shared store no other
 *	host's counts can race (the counts are exact, never retried or
 *	lost to a race). So a request that writes nothing today still
 *	takes no writer lock. After the write that
 *	carried them commits, the caller calls counters_written(), and
 *	the counts are forgotten; a write that failed leaves them for the
 *	next. A process killed with -9 loses what it had not written.
 *
 *	counters_init() sets counterDays (how long an hour's and a day's
 *	counts are kept: the store's expiry time for them); 0 turns every
 *	function here into nothing. counters_begin() gives the time of the
 *	request, so that counts go to the hour they happened in; a process
 *	that lives across an hour keeps two hours apart, and a third hour
 *	with two unwritten ones merges the oldest into the next (it never
 *	happens when a flush comes once a second or once a session).
 *
 *	counters_fill()'s extra (NULL: none) are counts of the request in
 *	flight, decided inside the write (greylist.c: the decision made
 *	on the value the transaction read), added to the current hour's
 *	with the rest. counters_add_set() counts a set of them for a
 *	later write.
 *
 *	counters_add() counts one event (enum counter_id; the whitelist
 *	hooks use CTR_WL_*). counters_pass() counts a first pass with its
 *	delay (the bucket and the sum). counters_spf() counts an SPF
 *	result: identity 0 MAIL FROM, 1 HELO, result in spf.h's order.
 * BUGS
 *	One thread: the counts are the process's, not a lock's.
 * DIAGNOSTICS
 *	counters_fill() and counters_flush() return a store code; a stored
 *	counter value that does not decode is replaced, with a warning.
 */

#include <string.h>

#include "counters.h"
#include "log.h"

#define COUNTERS_PERIODS	3

struct counters_slot {
	int	used;
	uint32_t hour;		/* hours since the epoch */
	struct counter_set set;
};

static struct {
	int	on;
	int64_t	keep_us;	/* counterDays */
	int	cur;		/* the slot of the current hour */
	struct counters_slot slot[2];
	int64_t	now;		/* counters_begin()'s time */
	int	flushed;	/* a write has carried counts */
	int64_t	flushed_us;	/* the last write that carried counts */
} ctr;

static const enum counter_period counters_periods[COUNTERS_PERIODS] = {
	COUNTER_HOUR, COUNTER_DAY, COUNTER_TOTAL
};

struct counters_put {
	struct counter_key key;
	const struct counter_set *add;
	int	replaced;	/* the stored value did not decode */
};

static enum store_action counters_update(const void *, size_t, void *,
	    size_t *, int64_t *, void *);
static int counters_fill_one(struct store_batch *, enum counter_period,
	    const struct counters_slot *);
static int counters_flush_elapsed(int64_t);
static int64_t counters_expiry(const struct counter_key *);
static int counters_key(enum counter_period, const struct counters_slot *,
	    struct counter_key *, unsigned char *, size_t *);
static int counters_flush_slot(struct store *, struct counters_slot *);

/* counters_init - counterDays; 0: count nothing */

void
counters_init(long long days)
{
	memset(&ctr, 0, sizeof(ctr));
	ctr.on = days > 0;
	ctr.keep_us = (int64_t)days * 86400 * 1000000;
}

/* counters_begin - a request at now_us: its hour's slot */

void
counters_begin(int64_t now_us)
{
	struct counters_slot *cur = &ctr.slot[ctr.cur], *other;
	uint32_t hour = (uint32_t)((now_us < 0 ? 0 : now_us)
	    / ((int64_t)COUNTER_HOUR_S * 1000000));

	ctr.now = now_us;
	if (!ctr.on || !cur->used || cur->hour == hour) {
		cur->hour = hour;
		return;
	}
	other = &ctr.slot[1 - ctr.cur];
	if (other->used && other->hour != hour)
		counter_set_add(&cur->set, &other->set);	/* see BUGS */
	if (other->hour != hour || !other->used)
		memset(other, 0, sizeof(*other));
	other->hour = hour;
	ctr.cur = 1 - ctr.cur;
}

/* counters_add - one event */

void
counters_add(enum counter_id id)
{
	struct counters_slot *s = &ctr.slot[ctr.cur];

	if (!ctr.on || id < 0 || id >= COUNTER_SLOTS)
		return;
	s->used = 1;
	if (s->set.v[id] < UINT64_MAX)
		s->set.v[id]++;
}

/* counters_add_set - counts of a request, when their write failed */

void
counters_add_set(const struct counter_set *set)
{
	struct counters_slot *s = &ctr.slot[ctr.cur];

	if (!ctr.on || counter_set_empty(set))
		return;
	s->used = 1;
	counter_set_add(&s->set, set);
}

/* counters_pass_set - a first pass, into a set: bucket and delay sum */

void
counters_pass_set(struct counter_set *set, int64_t delay_us)
{
	int64_t delay_s = delay_us < 0 ? 0 : delay_us / 1000000;
	struct counter_set one;

	memset(&one, 0, sizeof(one));
	one.v[CTR_PASS_FIRST] = 1;
	one.v[CTR_DELAY_0 + counter_delay_bucket(delay_s)] = 1;
	one.v[CTR_DELAY_SUM_S] = (uint64_t)delay_s;
	counter_set_add(set, &one);
}

/* counters_pass - a first pass: its delay bucket and the delay sum */

void
counters_pass(int64_t delay_us)
{
	struct counter_set set;

	memset(&set, 0, sizeof(set));
	counters_pass_set(&set, delay_us);
	counters_add_set(&set);
}

/* counters_spf - an SPF result of an identity (0 MAIL FROM, 1 HELO) */

void
counters_spf(int identity, int result)
{
	if (result < 0 || result >= COUNTER_SPF_RESULTS)
		return;
	counters_add((enum counter_id)((identity ? CTR_SPF_HELO_0
	    : CTR_SPF_MAILFROM_0) + result));
}

/* counters_pending - anything not yet written? */

int
counters_pending(void)
{
	return (ctr.on && (ctr.slot[0].used || ctr.slot[1].used));
}

/*
 * counters_carry - should a write that happens anyway, on a store with
 * these caps, carry counts? Only where the write is one unit (LMDB): on
 * a shared store (Redis) a hot counter key's lost race must never cost
 * a request its answer; there they go in counters_flush() alone.
 */

int
counters_carry(unsigned caps)
{
	return (ctr.on && (caps & STORE_CAP_ATOMIC_LOAD) && (!ctr.flushed
	    || counters_flush_elapsed(ctr.now)));
}

/* counters_flush_elapsed - COUNTERS_FLUSH_US since the last write that
 * carried counts (or the clock went back) */

static int
counters_flush_elapsed(int64_t now_us)
{
	return (now_us - ctr.flushed_us >= COUNTERS_FLUSH_US
	    || now_us < ctr.flushed_us);
}

/* counters_expiry - a key's expiry: the total never expires (0) */

static int64_t
counters_expiry(const struct counter_key *key)
{
	return (key->period == COUNTER_TOTAL ? 0
	    : counter_expires_at(key, ctr.keep_us));
}

/* counters_key - a slot's key of a period, and its COUNTER_KEY_LEN
 * bytes in buf */

static int
counters_key(enum counter_period period, const struct counters_slot *s,
    struct counter_key *key_r, unsigned char *buf, size_t *len_r)
{
	counter_key_at(period, (int64_t)s->hour * COUNTER_HOUR_S * 1000000,
	    key_r);
	return (counter_key_encode(key_r, buf, COUNTER_KEY_LEN, len_r));
}

/* counters_update - add the counts to a stored value (the callback) */

static enum store_action
counters_update(const void *old, size_t oldlen, void *new_r,
    size_t *newlen_r, int64_t *expire_us_r, void *ctx)
{
	struct counters_put *p = ctx;

	if (counter_value_merge(old, oldlen, p->add, new_r, STORE_VALUE_MAX,
	    newlen_r, &p->replaced) < 0)
		return (STORE_STOP);
	*expire_us_r = counters_expiry(&p->key);
	return (STORE_WRITE);
}

/* counters_fill_one - one period's key of a slot */

static int
counters_fill_one(struct store_batch *b, enum counter_period period,
    const struct counters_slot *s)
{
	struct counters_put p;
	unsigned char key[COUNTER_KEY_LEN];
	size_t klen;
	int rc;

	memset(&p, 0, sizeof(p));
	p.add = &s->set;
	if (counters_key(period, s, &p.key, key, &klen) < 0)
		return (STORE_INVAL);
	rc = store_batch_update(b, key, klen, counters_update, &p);
	if (rc == STORE_OK && p.replaced)
		log_warnx("undecodable counter value replaced");
	return (rc);
}

/* counters_fill - add the unwritten counts (and extra) inside a write */

int
counters_fill(struct store_batch *b, const struct counter_set *extra)
{
	struct counters_slot s;
	size_t i, p;
	int rc;

	if (!ctr.on)
		return (STORE_OK);
	for (i = 0; i < 2; i++) {
		s = ctr.slot[i];
		if (i == (size_t)ctr.cur && extra != NULL
		    && !counter_set_empty(extra)) {
			counter_set_add(&s.set, extra);
			s.used = 1;
		}
		if (!s.used)
			continue;
		for (p = 0; p < COUNTERS_PERIODS; p++)
			if ((rc = counters_fill_one(b, counters_periods[p], &s))
			    != STORE_OK)
				return (rc);
	}
	return (STORE_OK);
}

/* counters_written - the write that carried the counts committed */

void
counters_written(int64_t now_us)
{
	uint32_t hour = ctr.slot[ctr.cur].hour;

	memset(ctr.slot, 0, sizeof(ctr.slot));
	ctr.cur = 0;
	ctr.slot[0].hour = hour;
	ctr.flushed = 1;
	ctr.flushed_us = now_us;
}

/* counters_due - a daemon's loop: time for a flush of their own? */

int
counters_due(int64_t now_us)
{
	return (counters_pending() && counters_flush_elapsed(now_us));
}

/* counters_flush_slot - one hour's counts added to its three keys */

static int
counters_flush_slot(struct store *st, struct counters_slot *s)
{
	struct store_count keys[COUNTERS_PERIODS];
	struct counter_key ck;
	unsigned char kbuf[COUNTERS_PERIODS][COUNTER_KEY_LEN];
	unsigned char val[COUNTER_VALUE_MAX];
	size_t p, vlen;
	int rc, replaced;

	for (p = 0; p < COUNTERS_PERIODS; p++) {
		if (counters_key(counters_periods[p], s, &ck, kbuf[p],
		    &keys[p].klen) < 0)
			return (STORE_INVAL);
		keys[p].key = kbuf[p];
		keys[p].expire_us = counters_expiry(&ck);
	}
	if (counter_value_encode(&s->set, val, sizeof(val), &vlen) < 0)
		return (STORE_INVAL);
	rc = store_add_counts(st, keys, COUNTERS_PERIODS, val, vlen,
	    &replaced);
	if (rc == STORE_OK && replaced)
		log_warnx("undecodable counter value replaced");
	if (rc == STORE_OK) {
		memset(&s->set, 0, sizeof(s->set));
		s->used = 0;
	}
	return (rc);
}

/* counters_flush - a write of their own (session end, daemon loop) */

int
counters_flush(struct store *st, int64_t now_us)
{
	size_t i;
	int rc;

	if (!counters_pending())
		return (STORE_OK);
	/* Each hour's counts are one unit (store_add_counts(): on a
	 * shared store, one script that no other host's add can race);
	 * an hour written is not written again if the other fails. */
	for (i = 0; i < 2; i++)
		if (ctr.slot[i].used && (rc = counters_flush_slot(st,
		    &ctr.slot[i])) != STORE_OK)
			return (rc);
	counters_written(now_us);
	return (STORE_OK);
}
