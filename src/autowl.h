/*	autowl.h - auto-whitelisting's database side */
#ifndef GREYSPF_AUTOWL_H
#define GREYSPF_AUTOWL_H

#include "config.h"
#include "key.h"
#include "policy_awl.h"
#include "store.h"

void	autowl_facts(const struct config *, int64_t, struct awl_facts *);
void	autowl_log(const struct greykey *, const struct awl_facts *,
	    const struct awl_decision *);
int	autowl_check(struct store *, const struct greykey *,
	    const struct awl_facts *, struct awl_decision *);
int	autowl_fill_count(struct store_batch *, const struct greykey *,
	    const struct awl_facts *, struct awl_decision *);

#endif
