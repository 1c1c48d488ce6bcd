/*
 * NAME
 *	policy_plan 3
 * SUMMARY
 *	the spf checker's plan: which identities, in what order
 * SYNOPSIS
 *	#include "policy_plan.h"
 *
 *	enum policy_plan_skip policy_plan_spf(conf, ent, client, sender,
 *		    helo, plan_r)
 *	int	policy_plan_next(conf, plan, i, result)
 * DESCRIPTION
 *	Pure functions, as policy.c's: no I/O, no clock, no logging. The
 *	caller (service.c) runs the queries in the SPF worker, logs, and
 *	turns each result into an action (policy_spf.c).
 *
 *	policy_plan_spf() decides what the spf checker checks for one
 *	request. It skips, in this order, what tumgreyspf skipped and a
 *	little more: no client_address or one that is not an address
 *	(PLAN_NO_CLIENT), a loopback client (PLAN_LOOPBACK), a trusted
 *	relay, from spfTrustedRelays or the entity's SPFTRUSTEDRELAYS
 *	(PLAN_TRUSTED), neither a sender nor a HELO name (PLAN_NO_IDENTITY),
 *	a sender or HELO name too long for a query (PLAN_TOO_LONG).
 *	Otherwise it returns PLAN_CHECK with the queries in order:
 *
 * .IP \(bu
 *	the HELO identity (sender postmaster@helo, RFC 7208 2.3) first,
 *	for the null sender (and then alone) or with spfHeloCheck;
 * .IP \(bu
 *	then the MAIL FROM identity, unless the sender is null. Without a
 *	HELO name, the sender's domain stands in for it (tumgreyspf's
 *	rule; "unknown" for a sender without "@"), for the %{h} macro and
 *	the header.
 * .PP
 *	policy_plan_next() says whether query i + 1 runs after query i
 *	gave result: not after a HELO result whose configured action
 *	(spfHelo<Result>) rejects or defers, as that decides the request.
 */

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "policy_plan.h"

static void policy_plan_add(struct policy_plan *, enum spf_identity,
	    const struct netaddr *, const char *, const char *);

/* policy_plan_add - one more query */

static void
policy_plan_add(struct policy_plan *plan, enum spf_identity id,
    const struct netaddr *client, const char *sender, const char *helo)
{
	struct spf_query *q = &plan->q[plan->n++];

	memset(q, 0, sizeof(*q));
	q->client = *client;
	q->identity = id;
	if (id == SPF_ID_HELO)
		snprintf(q->sender, sizeof(q->sender), "postmaster@%s", helo);
	else
		snprintf(q->sender, sizeof(q->sender), "%s", sender);
	snprintf(q->helo, sizeof(q->helo), "%s", helo);
}

/* policy_plan_spf - what the spf checker checks, in order */

enum policy_plan_skip
policy_plan_spf(const struct config *conf, const struct entity_conf *ent,
    const char *client, const char *sender, const char *helo,
    struct policy_plan *plan)
{
	struct netaddr a;
	const char *at;

	memset(plan, 0, sizeof(*plan));
	if (client == NULL || *client == 0 || addr_parse(client, &a) < 0)
		return (plan->skip = PLAN_NO_CLIENT);
	if (addr_is_loopback(&a))
		return (plan->skip = PLAN_LOOPBACK);
	if (addr_in_list(&a, conf->spf_trusted, conf->spf_ntrusted)
	    || addr_in_list(&a, ent->trusted, ent->ntrusted))
		return (plan->skip = PLAN_TRUSTED);
	if (sender == NULL)
		sender = "";
	if (helo != NULL && *helo == 0)
		helo = NULL;
	if (*sender == 0 && helo == NULL)
		return (plan->skip = PLAN_NO_IDENTITY);
	if (strlen(sender) >= SPF_SENDER_MAX
	    || (helo != NULL && strlen(helo) >= SPF_HELO_MAX))
		return (plan->skip = PLAN_TOO_LONG);
	if (helo != NULL && (*sender == 0 || conf->spf_helo_check))
		policy_plan_add(plan, SPF_ID_HELO, &a, sender, helo);
	if (*sender == 0)
		return (plan->skip = PLAN_CHECK);
	if (helo == NULL) {
		at = strchr(sender, '@');
		helo = at ? at + 1 : "unknown";
	}
	policy_plan_add(plan, SPF_ID_MAILFROM, &a, sender, helo);
	return (plan->skip = PLAN_CHECK);
}

/* policy_plan_next - does query i + 1 run after query i gave result? */

int
policy_plan_next(const struct config *conf, const struct policy_plan *plan,
    int i, enum spf_result result)
{
	int act;

	if (i + 1 >= plan->n)
		return (0);
	if (plan->q[i].identity != SPF_ID_HELO)
		return (1);
	act = conf->spf_action[SPF_ID_HELO][result];
	return (act != SPF_ACT_REJECT && act != SPF_ACT_DEFER);
}
