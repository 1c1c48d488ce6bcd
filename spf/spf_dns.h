/*	spf_dns.h - greyspf's DNS layer under libspf2 */
#ifndef GREYSPF_SPF_DNS_H
#define GREYSPF_SPF_DNS_H

#include <spf2/spf.h>
#include <time.h>

#include "spf_engine.h"
#include "spf_record.h"

#define SPF_VOID_LIMIT	2
#define SPF_SUBS_MAX	10	/* MX hosts / PTR names looked at */
/* Aliases of one check: 11 records of 11 names each, at most. */
#define SPF_ALIAS_MAX	128
#define SPF_ALIAS_PREFIX "greyspf--"	/* "greyspf--N.invalid" */

enum spf_stop {
	SPF_STOP_NONE,
	SPF_STOP_PERM,		/* a permerror libspf2 does not see */
	SPF_STOP_TEMP		/* deadline, budget */
};

/* The state of the check in progress (one at a time per process). */
struct spf_dns_check {
	const struct spf_query *q;
	SPF_request_t *req;
	const char *receiver;
	struct timespec deadline;
	int	budget;
	int	records;	/* SPF records fetched (the 1st: no term) */
	int	in_exp;		/* explanation lookups: not terms */
	enum spf_stop stop;
	char	why[SPF_PROBLEM_MAX];
	char	subs[SPF_SUBS_MAX][256];	/* an mx/ptr term's names */
	int	nsubs;
	struct spf_outcome *out;
	struct spf_alias {
		char	name[254];	/* the real name, expanded */
		int	any;		/* an a or mx "/0" */
	} alias[SPF_ALIAS_MAX];		/* alias N: "greyspf--N.invalid" */
	int	nalias;
};

extern struct spf_dns_check spf_dns_check;

SPF_dns_server_t *spf_dns_layer(int);
void	spf_dns_begin(const struct spf_query *, SPF_request_t *,
	    struct spf_outcome *, const struct spf_limits *, const char *);

#endif
