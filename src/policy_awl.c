/*
 * NAME
 *	policy_awl 3
 * SUMMARY
 *	auto-whitelisting: is a client listed, does a pass count
 * SYNOPSIS
 *	#include "policy_awl.h"
 *
 *	void	policy_awl_listed(facts, decision_r)
 *	void	policy_awl_count(facts, decision_r)
 * DESCRIPTION
 *	Pure functions, as policy.c's: the caller reads the client's
 *	auto-whitelist entry, passes it in with the time, and writes what
 *	is decided. The entry is a struct greyrec used so: first_us the
 *	first pass counted, last_us the last pass (counted, or a request
 *	while listed), passes the passes counted; allow_us is first_us and
 *	unused.
 *
 *	An entry lapses max_age_us after its last pass (postgrey's
 *	--max-age for its AWL); a lapsed entry is as good as none.
 *
 *	policy_awl_listed(), before greylisting: the client is listed when
 *	its entry has not lapsed and holds at least facts->clients passes
 *	(autoWhitelistClients; the count is compared at each request, so a
 *	changed setting applies at once). A listed client's last_us is
 *	refreshed at most once every POLICY_AWL_COUNT_US, so a client that
 *	keeps sending stays listed and a busy one takes the writer lock at
 *	most once an hour.
 *
 *	policy_awl_count(), when a triplet of the client passes greylisting
 *	for the first time: the pass is counted unless one was counted
 *	less than POLICY_AWL_COUNT_US ago (postgrey's once an hour, so N
 *	passes take N-1 hours at least); no entry, or a lapsed one, starts
 *	a new count at 1.
 *
 *	decision_r->expires_us is when the entry as written lapses: the
 *	store's expiry time (expire_us_r) for a backend that expires keys.
 */

#include <string.h>

#include "policy_awl.h"

static int policy_awl_live(const struct awl_facts *);

/* policy_awl_live - an entry that has not lapsed */

static int
policy_awl_live(const struct awl_facts *f)
{
	return (f->have && f->now - f->old.last_us < f->max_age_us);
}

/* policy_awl_listed - does the client skip greylisting? */

void
policy_awl_listed(const struct awl_facts *f, struct awl_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->rec = f->old;
	if (!policy_awl_live(f) || f->clients == 0
	    || f->old.passes < f->clients)
		return;
	d->listed = 1;
	if (f->now - f->old.last_us >= POLICY_AWL_COUNT_US) {
		d->write = 1;
		d->rec.last_us = f->now;
	}
	d->expires_us = d->rec.last_us + f->max_age_us;
}

/* policy_awl_count - a triplet's first pass: count it for its client */

void
policy_awl_count(const struct awl_facts *f, struct awl_decision *d)
{
	memset(d, 0, sizeof(*d));
	if (!policy_awl_live(f)) {
		d->rec.first_us = d->rec.allow_us = d->rec.last_us = f->now;
		d->rec.passes = 1;
		d->write = 1;
	} else {
		d->rec = f->old;
		if (f->now - f->old.last_us >= POLICY_AWL_COUNT_US) {
			d->write = 1;
			d->rec.last_us = f->now;
			if (d->rec.passes < UINT32_MAX)
				d->rec.passes++;
		}
	}
	d->expires_us = d->rec.last_us + f->max_age_us;
}
