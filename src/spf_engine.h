/*	spf_engine.h - one SPF check through libspf2, hardened */
#ifndef GREYSPF_SPF_ENGINE_H
#define GREYSPF_SPF_ENGINE_H

#include "addr.h"
#include "spf_macro.h"

#define SPF_SENDER_MAX	512
#define SPF_HELO_MAX	256
#define SPF_PROBLEM_MAX	128

enum spf_result {
	SPF_R_NONE, SPF_R_NEUTRAL, SPF_R_PASS, SPF_R_FAIL, SPF_R_SOFTFAIL,
	SPF_R_TEMPERROR, SPF_R_PERMERROR
};
#define SPF_R_COUNT	7

enum spf_identity { SPF_ID_MAILFROM, SPF_ID_HELO };

struct spf_limits {
	int	deadline_ms;	/* whole check */
	int	query_budget;	/* DNS queries per check */
	int	dns_timeout;	/* seconds per query try (RES_OPTIONS) */
	int	dns_attempts;
};

struct spf_query {
	struct netaddr client;
	enum spf_identity identity;
	char	sender[SPF_SENDER_MAX];	/* or postmaster@helo */
	char	helo[SPF_HELO_MAX];
	long long now;			/* seconds, for %{t} */
};

struct spf_outcome {
	enum spf_result result;
	char	problem[SPF_PROBLEM_MAX];	/* why temperror/permerror */
	char	explanation[SPF_EXP_MAX];	/* fail: RFC 7208 6.2 text */
	int	queries;		/* DNS queries made */
	int	terms;			/* DNS-querying terms evaluated */
	int	voids;			/* void lookups */
};

const char *spf_result_name(enum spf_result);
int	spf_result_parse(const char *);
const char *spf_query_domain(const struct spf_query *);
int	spf_identity_domain_ok(const char *);
void	spf_engine_init(const char *, const char *, const struct spf_limits *);
void	spf_engine_check(const struct spf_query *, struct spf_outcome *);

#endif
