/*	greylist.h - the greylist checker's database side */
#ifndef GREYSPF_GREYLIST_H
#define GREYSPF_GREYLIST_H

#include "policy.h"
#include "store.h"

int	greylist_check(struct store *, const struct greykey *,
	    const struct grey_facts *, struct grey_decision *);

#endif
