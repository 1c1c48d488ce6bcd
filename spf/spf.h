/*
 * spf.h - the SPF engine's one public header
 *
 * The service (src/) sees SPF through this header only: a query, its
 * outcome, and the worker process that runs libspf2 (spf_worker.c).
 * Explanations (exp=, RFC 7208 6.2) are fetched only after
 * spf_worker_explain(), which the SPF test suites call: greyspf never
 * shows them, and without it no exp= lookup is ever made.
 * Everything else in spf/ (record checks, macros, the DNS layer, the
 * engine) is internal to the library; its headers are for its own files
 * and its tests. What a result means for the reply (actions, texts,
 * headers) is policy and lives in src/policy_spf.c.
 */
#ifndef GREYSPF_SPF_H
#define GREYSPF_SPF_H

#include <sys/types.h>

#include "addr.h"

#define SPF_EXP_MAX	256	/* longest explanation kept */
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
	char	explanation[SPF_EXP_MAX];	/* spf_worker_explain() only */
	int	queries;		/* DNS queries made */
	int	terms;			/* DNS-querying terms evaluated */
	int	voids;			/* void lookups */
};

const char *spf_result_name(enum spf_result);
int	spf_result_parse(const char *);
const char *spf_query_domain(const struct spf_query *);

struct spf_worker {
	pid_t	pid;
	int	fd;		/* -1: no worker */
	int	watched;	/* fd is in the epoll set watch_epfd */
	int	watch_epfd;
	int	restarts;
	int	keep_stderr;
	struct spf_limits limits;
	char	receiver[256];
	int	explain;	/* spf_worker_explain() was called */
	char	default_exp[SPF_EXP_MAX];
};

void	spf_worker_init(struct spf_worker *, const char *,
	    const struct spf_limits *, int);
void	spf_worker_explain(struct spf_worker *, const char *);
void	spf_worker_check(struct spf_worker *, const struct spf_query *,
	    struct spf_outcome *);
void	spf_worker_close(struct spf_worker *);
int	spf_worker_watch(struct spf_worker *, int, void *);
int	spf_worker_send(struct spf_worker *, const struct spf_query *,
	    struct spf_outcome *);
int	spf_worker_recv(struct spf_worker *, struct spf_outcome *);
void	spf_worker_expire(struct spf_worker *, struct spf_outcome *);
void	spf_worker_reap(struct spf_worker *);

#endif
