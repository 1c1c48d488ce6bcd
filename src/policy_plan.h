/*	policy_plan.h - which SPF identities a request checks, in order */
#ifndef GREYSPF_POLICY_PLAN_H
#define GREYSPF_POLICY_PLAN_H

#include "config.h"
#include "entity.h"
#include "spf.h"

#define POLICY_PLAN_MAX	2	/* HELO, then MAIL FROM */

enum policy_plan_skip {
	PLAN_CHECK,		/* check q[0], then maybe q[1] */
	PLAN_NO_CLIENT,		/* no client_address, or not an address */
	PLAN_LOOPBACK,		/* a local connection */
	PLAN_TRUSTED,		/* spfTrustedRelays, SPFTRUSTEDRELAYS */
	PLAN_NO_IDENTITY,	/* neither a sender nor a HELO name */
	PLAN_TOO_LONG		/* the sender or the HELO name */
};

struct policy_plan {
	enum policy_plan_skip skip;
	int	n;			/* queries, in order */
	struct spf_query q[POLICY_PLAN_MAX];	/* now left 0: the caller's */
};

enum policy_plan_skip policy_plan_spf(const struct config *,
	    const struct entity_conf *, const char *, const char *,
	    const char *, struct policy_plan *);
int	policy_plan_next(const struct config *, const struct policy_plan *,
	    int, enum spf_result);

#endif
