/*
 * NAME
 *	service 3
 * SUMMARY
 *	evaluate one policy request: configuration, checkers, reply
 * SYNOPSIS
 *	#include "service.h"
 *
 *	void	service_init(svc, conf, dbpath)
 *	void	service_request(svc, req, reply, size)
 *	void	service_close(svc)
 * DESCRIPTION
 *	service_request() does, for one request, what tumgreyspf did
 *	(spec 2.3): look up the per-entity configuration for the client,
 *	sender and recipient (from disk, every time, so edits apply at
 *	once), run the CHECKERS in order, combine their results with
 *	policy_chain() and format the reply. It reads the clock once, here,
 *	and hands the time to the pure core.
 *
 *	The database is opened at start-up; if that fails, or a read or a
 *	write fails, the request is answered with storeErrorAction (a
 *	temporary failure by default) and the reason is logged: greyspf
 *	never lets mail through silently while it cannot keep state, and
 *	never goes away without an answer. A closed database is opened
 *	again at the next request.
 *
 *	The spf checker is not built yet: it is logged once and skipped.
 *
 *	Log lines are the original's ("Initial greylisting: REMOTEIP=..."),
 *	with absent attributes shown as <UNKNOWN>; request values pass
 *	through log_safe() (cut to 100 bytes, control characters as "?").
 */

#include <stdio.h>
#include <string.h>

#include "blackhole.h"
#include "entity.h"
#include "greylist.h"
#include "log.h"
#include "policy.h"
#include "service.h"
#include "timefmt.h"

/* service_open - open (or reopen) the database */

static int
service_open(struct service *svc)
{
	struct store_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.path = svc->dbpath;
	o.create = 1;
	o.nosync = !svc->conf->database_sync;
	o.mapsize = (size_t)svc->conf->map_size_mb << 20;
	o.mapsize_max = (size_t)svc->conf->map_size_max_mb << 20;
	if ((rc = store_open(&svc->st, &o)) != 0) {
		svc->st = NULL;
		if (rc != svc->store_rc)
			log_warnx("greylist database %s: %s", svc->dbpath,
			    store_strerror(rc));
	}
	svc->store_rc = rc;
	return (rc);
}

void
service_init(struct service *svc, const struct config *conf,
    const char *dbpath)
{
	memset(svc, 0, sizeof(*svc));
	svc->conf = conf;
	svc->dbpath = dbpath ? dbpath : conf->database;
	service_open(svc);
}

void
service_close(struct service *svc)
{
	if (svc->st == NULL)
		return;
	/* Commits skipped fsync (databaseSync = 0): flush once, at the end
	 * of the SMTP session, off every reply's path. */
	if (!svc->conf->database_sync)
		store_sync(svc->st);
	store_close(svc->st);
	svc->st = NULL;
}

/* service_log_event - tumgreyspf's greylist and blackhole log line */

static void
service_log_event(const char *event, const struct request *req)
{
	char a[128], h[128], s[128], r[128], q[128];

	log_info("%s: REMOTEIP=\"%s\" HELO=\"%s\" SENDER=\"%s\" "
	    "RECIPIENT=\"%s\" QUEUEID=\"%s\"", event,
	    log_safe(request_get(req, "client_address"), a, sizeof(a)),
	    log_safe(request_get(req, "helo_name"), h, sizeof(h)),
	    log_safe(request_get(req, "sender"), s, sizeof(s)),
	    log_safe(request_get(req, "recipient"), r, sizeof(r)),
	    log_safe(request_get(req, "queue_id"), q, sizeof(q)));
}

/* service_greylist - the greylist checker; -1 on a store failure */

static int
service_greylist(struct service *svc, const struct request *req,
    const struct entity_conf *ent, int64_t now, struct policy_result *res)
{
	struct grey_facts facts;
	struct grey_decision d;
	struct greykey key;
	char event[64];
	const char *why;
	int rc;

	policy_set(res, POLICY_NONE, "");
	if (policy_greylist_key(svc->conf, request_get(req, "client_address"),
	    request_get(req, "sender"), request_get(req, "recipient"), &key,
	    &why) != 0) {
		log_debug("greylist: no decision: %s", why);
		return (0);
	}
	if (svc->st == NULL && service_open(svc) != 0)
		return (-1);
	memset(&facts, 0, sizeof(facts));
	facts.now = now;
	facts.greylist_us = entity_greylist_time(ent,
	    svc->conf->default_allow_time) * 1000000;
	facts.seed_only = svc->conf->default_seed_only;
	if ((rc = greylist_check(svc->st, &key, &facts, &d)) != 0) {
		log_warnx("greylist database %s: %s", svc->dbpath,
		    store_strerror(rc));
		return (-1);
	}
	snprintf(event, sizeof(event), "%s greylisting",
	    policy_event_name(d.event));
	service_log_event(event, req);
	*res = d.result;
	return (0);
}

/* service_blackhole - the blackhole checker */

static void
service_blackhole(struct service *svc, const struct request *req,
    struct policy_result *res)
{
	enum blackhole_hit hit;

	hit = blackhole_lookup(svc->conf->blackhole_dir,
	    request_get(req, "client_address"), request_get(req, "recipient"));
	if (hit == BLACKHOLE_NONE) {
		policy_set(res, POLICY_NONE, "");
		return;
	}
	service_log_event(hit == BLACKHOLE_IP ? "Blackholed"
	    : "Blackholed (trap recipient)", req);
	policy_set(res, POLICY_REJECT, POLICY_TEXT_BLACKHOLE);
}

void
service_request(struct service *svc, const struct request *req, char *reply,
    size_t size)
{
	enum checker checkers[POLICY_CHECKERS_MAX];
	struct policy_result cur, res;
	struct entity_conf ent;
	struct entity_query q;
	int64_t now = timefmt_now_us();
	int i, n;

	q.client_address = request_get(req, "client_address");
	q.sender = request_get(req, "sender");
	q.recipient = request_get(req, "recipient");
	entity_lookup(svc->conf->config_path, &q, &ent);
	if (svc->conf->debug_level >= 2)
		log_info("Config: SPFSEEDONLY=%lld GREYLISTTIME=%lld "
		    "CHECKERS=\"%.100s\" OTHERCONFIGS=\"%.100s\" "
		    "GREYLISTEXPIREDAYS=%g", ent.spfseedonly,
		    entity_greylist_time(&ent, svc->conf->default_allow_time),
		    ent.checkers, ent.otherconfigs, entity_expire_days(&ent));
	n = policy_checkers(ent.checkers, checkers, POLICY_CHECKERS_MAX);
	policy_set(&cur, POLICY_NONE, "");
	for (i = 0; i < n; i++) {
		switch (checkers[i]) {
		case CHECKER_GREYLIST:
			if (service_greylist(svc, req, &ent, now, &res) < 0) {
				policy_set(&cur, POLICY_RAW,
				    svc->conf->store_error_action);
				policy_reply(&cur, reply, size);
				return;
			}
			break;
		case CHECKER_BLACKHOLE:
			service_blackhole(svc, req, &res);
			break;
		case CHECKER_SPF:
			if (!svc->spf_warned++)
				log_warnx("spf checker not available in this "
				    "greyspf; skipped");
			continue;
		}
		if (policy_chain(&cur, checkers[i], &res, ent.spfseedonly != 0))
			break;
	}
	policy_reply(&cur, reply, size);
}
