/*	policy_awl.h - auto-whitelisting decisions (pure) */
#ifndef GREYSPF_POLICY_AWL_H
#define GREYSPF_POLICY_AWL_H

#include <stdint.h>

#include "record.h"

/* A pass counts at most this often a client. */
#define POLICY_AWL_COUNT_US	((int64_t)3600 * 1000000)

struct awl_facts {
	int	have;		/* a (decodable) auto-whitelist entry exists */
	struct greyrec old;
	int64_t	now;		/* microseconds */
	uint32_t clients;	/* autoWhitelistClients: passes needed */
	int64_t	max_age_us;	/* autoWhitelistMaxAge */
};

struct awl_decision {
	int	listed;		/* the client skips greylisting */
	int	write;		/* rec must be stored */
	struct greyrec rec;
	int64_t	expires_us;	/* when the stored entry lapses */
};

void	policy_awl_listed(const struct awl_facts *, struct awl_decision *);
void	policy_awl_count(const struct awl_facts *, struct awl_decision *);

#endif
