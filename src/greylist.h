/*	greylist.h - the greylist checker's database side */
#ifndef GREYSPF_GREYLIST_H
#define GREYSPF_GREYLIST_H

#include "policy.h"
#include "policy_awl.h"
#include "store.h"

int	greylist_check(struct store *, const struct greykey *,
	    const struct grey_facts *, const struct awl_facts *,
	    struct grey_decision *, struct awl_decision *);

#endif
