/*
 * NAME
 *	policy 3
 * SUMMARY
 *	the decision core: checkers, their chain, the header once per
 *	message, greylisting
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	int	policy_checkers(list, out, max)
 *	int	policy_chain(current, checker, result, spf_seed_only)
 *
 *	void	policy_state_init(state, conf, spf_seed_only)
 *	int	policy_state_runs(state, checker)
 *	void	policy_state_add(state, checker, result, spf_outcome)
 *	void	policy_state_fail(state, action)
 *	void	policy_state_finish(state, seen, instance)
 *	int	policy_header_once(seen, instance)
 *
 *	void	policy_greylist(facts, decision_r)
 *	int	policy_greylist_key(conf, client, sender, recipient, key_r,
 *		    why_r)
 *	void	policy_reply(result, buf, size)
 * DESCRIPTION
 *	Pure functions: no I/O, no clock, no logging. The caller reads the
 *	database and the configuration, passes the facts and the time in,
 *	writes what is decided and logs one line. So every rule is tested
 *	with an injected clock and no sleep.
 *
 *	policy_checkers() splits CHECKERS at commas, strips each item and
 *	keeps greylist, spf and blackhole in order; anything else (quoted
 *	names, upper case, empty items) is skipped silently, as tumgreyspf
 *	skipped it.
 *
 *	policy_chain() is tumgreyspf's loop (spec 2.3): the checker's result
 *	replaces the current one; for spf, SPFSEEDONLY forces it to no
 *	decision; the chain stops on any decision, except that an spf
 *	prepend lets later checkers run. It returns 1 to stop. One bug
 *	fixed: a later "no decision" (greylisting letting the triplet
 *	through) keeps the spf header; the original dropped it, so with
 *	CHECKERS = spf,greylist no mail ever got one.
 *
 *	The policy_state functions carry one request's chain from checker
 *	to checker (the caller runs each and does the I/O):
 *	policy_state_runs() says whether a checker runs at all (not the
 *	greylist checker after an SPF pass, with spfPassSkipsGreylist);
 *	policy_state_add() applies policy_chain() and keeps what the spf
 *	checker says for that rule (the last identity checked; never a
 *	pass with SPFSEEDONLY); policy_state_fail() ends the chain on a
 *	store error with storeErrorAction, whatever came before;
 *	policy_state_finish() drops a header the message already got, and
 *	places the X-Greylist header (state->xgrey, set by the caller on a
 *	first pass with xGreylistHeader): a reply carries one action, so
 *	it goes on the first request of its message whose reply is
 *	otherwise "dunno": this one, or, when this one carries the SPF
 *	header or a defer, a later recipient of the same message (the
 *	session remembers one message's header, seen->xg_*). It is given
 *	once per message; a message whose every request has something
 *	else to say gets none. state->done says the chain has stopped;
 *	state->cur is the reply.
 *
 *	policy_header_once() is the once-per-message header: 1 when the
 *	message (Postfix's "instance") gets a header, 0 when it already
 *	got one. It remembers the last POLICY_INSTANCES instances in seen,
 *	the caller's (a connection's) memory, oldest out first: a bounded
 *	list (the original's grew for ever). No instance, or one too long
 *	to remember, always gets a header.
 *
 *	policy_greylist() is spec section 3.4, minus the original's bugs:
 *
 * .IP \(bu
 *	no record: a new one (first = last = now, allow = now + GREYLISTTIME,
 *	no pass), written; "Initial" and the long defer text, or with
 *	defaultSeedOnly "Training" and no decision;
 * .IP \(bu
 *	before the allow time: "Pending", the short defer text (no decision
 *	in training mode); left_us says how long until the allow time
 *	(for a new entry, GREYLISTTIME);
 * .IP \(bu
 *	at or after it: "Allowed", no decision; the first such request
 *	counts as the pass (first_pass, with delay_us since first seen,
 *	for the X-Greylist header; its time kept in the record's pass_us,
 *	so the delay to it is exact). The allow time is kept to the
 *	microsecond (the original truncated it to a second on the first
 *	re-check).
 * .PP
 *	Write policy: a new entry and a first pass are always written;
 *	otherwise last-seen is refreshed at most every POLICY_TOUCH_US (one
 *	minute), and each refresh after the allow time counts one more
 *	pass. Expiry works in days, so a minute's staleness costs nothing,
 *	and busy triplets do not take the write lock on every request.
 *
 *	policy_greylist_key() builds the key, or returns 1 for "no
 *	decision": no or unparsable client address; in triplet mode an
 *	empty sender (a bounce) or recipient, unless greylistNullSender or
 *	greylistNoRecipient say otherwise. ignoreLastByte groups IPv4 by
 *	ipv4NetworkPrefix (/24) and IPv6 by ipv6NetworkPrefix (/64): the
 *	original lumped every IPv6 client into one entry.
 *
 *	policy_reply() maps a result to the reply text after "action=";
 *	a buffer of POLICY_ACTION_MAX bytes always holds it whole.
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "policy.h"

_Static_assert(sizeof(POLICY_PREFIX_REJECT) <= sizeof(POLICY_PREFIX_DEFER)
    && sizeof(POLICY_PREFIX_PREPEND) <= sizeof(POLICY_PREFIX_DEFER),
    "POLICY_ACTION_MAX must count the longest prefix");

/* policy_checkers - CHECKERS as a list; returns the count */

int
policy_checkers(const char *list, enum checker *out, int max)
{
	const char *p = list, *end;
	size_t len;
	int n = 0;

	while (*p && n < max) {
		end = strchrnul(p, ',');
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 8 && memcmp(p, "greylist", 8) == 0)
			out[n++] = CHECKER_GREYLIST;
		else if (len == 3 && memcmp(p, "spf", 3) == 0)
			out[n++] = CHECKER_SPF;
		else if (len == 9 && memcmp(p, "blackhole", 9) == 0)
			out[n++] = CHECKER_BLACKHOLE;
		p = *end ? end + 1 : end;
	}
	return (n);
}

/* policy_chain - tumgreyspf's rule for combining checker results */

int
policy_chain(struct policy_result *cur, enum checker checker,
    const struct policy_result *res, int spf_seed_only)
{
	if (cur->value == POLICY_PREPEND && res->value == POLICY_NONE)
		return (0);
	*cur = *res;
	if (checker == CHECKER_SPF) {
		if (spf_seed_only)
			policy_set(cur, POLICY_NONE, "");
		return (cur->value != POLICY_NONE
		    && cur->value != POLICY_PREPEND);
	}
	return (cur->value != POLICY_NONE);
}

/* policy_state_init - a request's chain, before its first checker */

void
policy_state_init(struct policy_state *st, const struct config *conf,
    int spf_seed_only)
{
	/* Not the header's buffer: an empty string is enough. */
	memset(st, 0, offsetof(struct policy_state, xgrey));
	st->xgrey[0] = 0;
	policy_set(&st->cur, POLICY_NONE, "");
	st->seed_only = spf_seed_only;
	st->pass_skips = conf->spf_pass_skips_greylist;
}

/* policy_state_runs - does this checker run? 0: it decides nothing */

int
policy_state_runs(const struct policy_state *st, enum checker checker)
{
	return (!(checker == CHECKER_GREYLIST && st->spf_passed
	    && st->pass_skips));
}

/* policy_state_add - one checker's result; spf: what it checked */

void
policy_state_add(struct policy_state *st, enum checker checker,
    const struct policy_result *res, enum policy_spf_outcome spf)
{
	if (checker == CHECKER_SPF) {
		if (spf != POLICY_SPF_UNCHECKED)
			st->spf_passed = spf == POLICY_SPF_PASSED;
		if (st->seed_only)
			st->spf_passed = 0;
	}
	st->done = policy_chain(&st->cur, checker, res, st->seed_only);
}

/* policy_state_fail - a store error: storeErrorAction, the chain ends */

void
policy_state_fail(struct policy_state *st, const char *action)
{
	policy_set(&st->cur, POLICY_RAW, action);
	st->done = 1;
}

/* policy_state_finish - a header only for a message without one */

void
policy_state_finish(struct policy_state *st, struct policy_seen *seen,
    const char *instance)
{
	int named = instance != NULL && *instance
	    && strlen(instance) < POLICY_INSTANCE_MAX;

	if (st->cur.value == POLICY_PREPEND
	    && !policy_header_once(seen, instance))
		policy_set(&st->cur, POLICY_NONE, "");
	if (st->xgrey[0] == 0 && seen->xg_state != POLICY_XG_WAITING)
		return;
	/* An X-Greylist header waits for its message's first request with
	 * nothing else to say (one header a reply); without an instance,
	 * this request is all there is of the message. */
	if (!named) {
		if (st->xgrey[0] && st->cur.value == POLICY_NONE)
			policy_set(&st->cur, POLICY_PREPEND, st->xgrey);
		return;
	}
	if (strcmp(seen->xg_instance, instance) != 0) {
		strcpy(seen->xg_instance, instance);
		seen->xg_state = POLICY_XG_NONE;
	}
	if (st->xgrey[0] && seen->xg_state == POLICY_XG_NONE) {
		strcpy(seen->xg_text, st->xgrey);
		seen->xg_state = POLICY_XG_WAITING;
	}
	if (seen->xg_state == POLICY_XG_WAITING
	    && st->cur.value == POLICY_NONE) {
		policy_set(&st->cur, POLICY_PREPEND, seen->xg_text);
		seen->xg_state = POLICY_XG_GIVEN;
	}
}

/* policy_header_once - 1: this message gets a header; remembered */

int
policy_header_once(struct policy_seen *seen, const char *instance)
{
	int i;

	if (instance == NULL || *instance == 0
	    || strlen(instance) >= POLICY_INSTANCE_MAX)
		return (1);
	for (i = 0; i < POLICY_INSTANCES; i++)
		if (strcmp(seen->instance[i], instance) == 0)
			return (0);
	strcpy(seen->instance[seen->next], instance);
	seen->next = (seen->next + 1) % POLICY_INSTANCES;
	return (1);
}

/* policy_set - a result and its text */

void
policy_set(struct policy_result *r, enum policy_value value,
    const char *text)
{
	r->value = value;
	snprintf(r->text, sizeof(r->text), "%s", text);
}

/* policy_greylist - one greylist decision at time facts->now */

void
policy_greylist(const struct grey_facts *f, struct grey_decision *d)
{
	int start_over;

	memset(d, 0, sizeof(*d));
	/* greylistRetryWindow (postgrey's --retry-window): a triplet not
	 * yet passed whose retry comes later than the window after it was
	 * first seen is new again. */
	start_over = f->have && f->retry_window_us > 0 && f->old.passes == 0
	    && f->now - f->old.first_us > f->retry_window_us;
	if (!f->have || start_over) {
		d->rec.first_us = d->rec.last_us = f->now;
		d->rec.allow_us = f->now + f->greylist_us;
		d->left_us = f->greylist_us;
		d->write = 1;
		if (f->seed_only) {
			d->event = GREY_TRAINING;
			policy_set(&d->result, POLICY_NONE, "");
		} else {
			d->event = GREY_INITIAL;
			policy_set(&d->result, POLICY_DEFER, POLICY_TEXT_NEW);
		}
		return;
	}
	d->rec = f->old;
	if (f->now < f->old.allow_us) {
		d->left_us = f->old.allow_us - f->now;
		d->event = f->seed_only ? GREY_TRAINING : GREY_PENDING;
		if (f->seed_only)
			policy_set(&d->result, POLICY_NONE, "");
		else
			policy_set(&d->result, POLICY_DEFER,
			    POLICY_TEXT_PENDING);
		d->write = f->now - f->old.last_us >= POLICY_TOUCH_US;
	} else {
		d->event = GREY_ALLOWED;
		policy_set(&d->result, POLICY_NONE, "");
		d->first_pass = f->old.passes == 0;
		if (d->first_pass) {
			d->delay_us = f->now - f->old.first_us;
			d->rec.pass_us = f->now;
		}
		d->write = f->old.passes == 0
		    || f->now - f->old.last_us >= POLICY_TOUCH_US;
		if (d->write && d->rec.passes < UINT32_MAX)
			d->rec.passes++;
	}
	if (d->write && f->now > d->rec.last_us)
		d->rec.last_us = f->now;
}

/* policy_greylist_key - the entry a request belongs to; 1: none */

int
policy_greylist_key(const struct config *conf, const char *client,
    const char *sender, const char *recipient, struct greykey *key_r,
    const char **why_r)
{
	struct netaddr a;

	if (client == NULL || *client == 0) {
		*why_r = "no client_address";
		return (1);
	}
	if (addr_parse(client, &a) < 0) {
		*why_r = "client_address is not an IP address";
		return (1);
	}
	if (conf->ignore_last_byte)
		addr_mask(&a, (int)(a.family == 4 ? conf->ipv4_prefix
		    : conf->ipv6_prefix));
	if (conf->greylist_by_ip_only) {
		key_set(key_r, KEY_IPONLY, &a, "", "");
		return (0);
	}
	if (sender == NULL)
		sender = "";
	if (recipient == NULL)
		recipient = "";
	if (*sender == 0 && !conf->greylist_null_sender) {
		*why_r = "null sender";
		return (1);
	}
	if (*recipient == 0 && !conf->greylist_no_recipient) {
		*why_r = "no recipient";
		return (1);
	}
	if (key_set(key_r, KEY_TRIPLET, &a, sender, recipient) < 0) {
		*why_r = "sender and recipient too long";
		return (1);
	}
	return (0);
}

/* policy_reply - what follows "action=" */

void
policy_reply(const struct policy_result *r, char *buf, size_t size)
{
	switch (r->value) {
	case POLICY_REJECT:
		snprintf(buf, size, POLICY_PREFIX_REJECT "%s", r->text);
		break;
	case POLICY_DEFER:
		snprintf(buf, size, POLICY_PREFIX_DEFER "%s", r->text);
		break;
	case POLICY_PREPEND:
		snprintf(buf, size, POLICY_PREFIX_PREPEND "%s", r->text);
		break;
	case POLICY_RAW:
		snprintf(buf, size, "%s", r->text);
		break;
	case POLICY_NONE:
	default:
		snprintf(buf, size, "dunno");
		break;
	}
}

/* policy_event_name - a greylist event as the log names it */

const char *
policy_event_name(enum grey_event event)
{
	static const char *const names[] = {"Initial", "Pending", "Allowed",
	    "Training"};

	return (names[event]);
}
