/*	service.h - the process's state; one policy request evaluated */
#ifndef GREYSPF_SERVICE_H
#define GREYSPF_SERVICE_H

#include <stddef.h>

#include "config.h"
#include "entity.h"
#include "policy.h"
#include "policy_plan.h"
#include "proto.h"
#include "spf.h"
#include "store.h"

struct session;
struct whitelist;

/* What the process holds, whatever connection it serves (session.h). */
struct service {
	const struct config *conf;
	const char *dbpath;
	struct store *st;
	char	store_error[200];	/* the outage's reason, logged once */
	unsigned long store_failures;	/* requests it cost so far */
	const char *store_answer;	/* what they were answered */
	struct spf_worker spf;
	char	receiver[256];	/* spfReceiver or the host name */
	struct whitelist *wl;	/* whitelist files; NULL: none */
	int	wl_loading;	/* problems are being counted */
	int	wl_problems;	/* counted at the last load */
};

/* One request in evaluation, from service_begin() to service_end(). */
struct service_eval {
	const struct request *req;
	int64_t	now;			/* the request's time, us */
	struct entity_conf ent;
	enum checker checkers[POLICY_CHECKERS_MAX];
	int	n, i;			/* checkers; the one running */
	struct policy_state st;
	struct policy_result res;	/* the running checker's */
	struct policy_plan plan;	/* the spf checker's queries */
	int	qi;			/* the one asked */
};

void	service_init(struct service *, const struct config *, const char *);
void	service_request(struct service *, struct session *,
	    const struct request *, char *, size_t);
const struct spf_query *service_begin(struct service *, struct session *,
	    const struct request *, struct service_eval *);
const struct spf_query *service_resume(struct service *,
	    struct service_eval *, const struct spf_outcome *);
void	service_end(struct service *, struct session *, struct service_eval *,
	    char *, size_t);
void	service_close(struct service *);
void	service_fault_target(int);
void	service_probe_open(int);
void	service_log_event(const char *, const struct request *);
/* service_whitelist.c */
int	service_whitelist_load(struct service *, int);
int	service_whitelist_match(struct service *, const struct request *);

#endif
