/*
 * NAME
 *	service 3
 * SUMMARY
 *	the process's state; evaluate one policy request: configuration,
 *	checkers, reply
 * SYNOPSIS
 *	#include "service.h"
 *
 *	void	service_init(svc, conf, dbpath)
 *	void	service_request(svc, sess, req, reply, size)
 *	void	service_close(svc)
 * DESCRIPTION
 *	struct service is what the process holds whatever connection it
 *	serves: the configuration, the database, the SPF worker and the
 *	receiver's name. service_init() sets it up once, service_close()
 *	ends it; the connection's own state is the session's (session.c).
 *
 *	service_request() does, for one request, what tumgreyspf did
 *	(spec 2.3): look up the per-entity configuration for the client,
 *	sender and recipient (from disk, every time, so edits apply at
 *	once), run the CHECKERS in order and format the reply. It reads,
 *	does the I/O and logs; the rules are the pure core's: the chain
 *	(policy_state_*, policy.c: an SPF pass skipping the greylist
 *	checker with spfPassSkipsGreylist, SPFSEEDONLY, a store error
 *	ending the chain), the identities the spf checker checks
 *	(policy_plan.c), the greylist decision (policy_greylist() through
 *	greylist.c), the SPF result's action (policy_spf.c) and the header
 *	once per message (policy_header_once(), with the session's
 *	memory). It reads the clock once, here, and hands the time on.
 *
 *	The database is opened at start-up; if that fails, or a read or a
 *	write fails, the request is answered with storeErrorAction (a
 *	temporary failure by default) and the reason is logged: greyspf
 *	never lets mail through silently while it cannot keep state, and
 *	never goes away without an answer. A closed database is opened
 *	again at the next request. A shared store (Redis) is connected to
 *	at the first request that needs it; while it is out of reach
 *	(STORE_UNAVAILABLE) storeFallback applies: defer (storeErrorAction),
 *	dunno (no greylisting), or local (db/store_fallback.c: this host's
 *	LMDB until Redis answers again). One line is logged per outage (again
 *	when its reason changes), and the number of requests it cost when
 *	the database works again or the session ends.
 *
 *	The spf checker (service_spf) runs policy_plan_spf()'s queries in
 *	the SPF worker (spf/spf_worker.c), one after the other while
 *	policy_plan_next() says so, and logs each result.
 *
 *	Log lines are the original's ("Initial greylisting: REMOTEIP=..."),
 *	with absent attributes shown as <UNKNOWN>; request values pass
 *	through log_safe() (cut to 100 bytes, control characters as "?").
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blackhole.h"
#include "entity.h"
#include "entry.h"
#include "fault.h"
#include "greylist.h"
#include "log.h"
#include "policy.h"
#include "policy_plan.h"
#include "service.h"
#include "session.h"
#include "store_fallback.h"
#include "policy_spf.h"
#include "timefmt.h"

/*
 * The reply a memory fault inside the database gets (lib/fault.c): the
 * request in flight is answered with storeErrorAction before the process
 * ends, so that Postfix never sees a policy server go away silently.
 */
static char service_fault_reply[sizeof(((struct config *)0)->store_error_action)
    + sizeof("action=\n\n")];
static size_t service_fault_len;
static volatile int service_fault_fd = 1;	/* the request's outfd */

/* service_fault - answer the request in flight, then exit */

static void
service_fault(int sig)
{
	static const char text[] = "greyspf: greylist database: a fault "
	    "inside it (a truncated or corrupted file?); answered "
	    "storeErrorAction\n";

	(void)sig;
	(void)!write(service_fault_fd, service_fault_reply, service_fault_len);
	(void)!write(2, text, sizeof(text) - 1);
	_exit(1);
}

static void service_store_failed(struct service *, const char *,
	    const char *);
static void service_store_report(struct service *, const char *);

/* service_open - open (or reopen) the database */

static int
service_open(struct service *svc)
{
	struct store_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.create = 1;
	o.recognise = entry_recognise;
	o.lock_wait_ms = (int)svc->conf->lock_wait_s * 1000;
	o.nosync = !svc->conf->database_sync;
	o.mapsize = (size_t)svc->conf->map_size_mb << 20;
	o.mapsize_max = (size_t)svc->conf->map_size_max_mb << 20;
	/* A shared store: connect at the first request, fall back. */
	o.lazy = 1;
	o.key_prefix = svc->conf->key_prefix;
	o.password_file = svc->conf->password_file;
	o.connect_ms = (int)svc->conf->connect_timeout_ms;
	o.command_ms = (int)svc->conf->command_timeout_ms;
	if (svc->conf->store_fallback == CONFIG_FALLBACK_LOCAL)
		rc = store_fallback_open(&svc->st, svc->dbpath,
		    svc->conf->fallback_database, &o);
	else
		rc = store_open(&svc->st, svc->dbpath, &o);
	if (rc != STORE_OK)
		service_store_failed(svc, store_strerror(NULL, rc),
		    "storeErrorAction");
	return (rc);
}

/*
 * service_store_failed - one log line per outage: the first failure,
 * and a new one when the reason changes; the requests it cost are
 * counted and told when the database works again or the session ends.
 */

static void
service_store_failed(struct service *svc, const char *why,
    const char *answer)
{
	svc->store_answer = answer;
	svc->store_failures++;
	if (strncmp(svc->store_error, why, sizeof(svc->store_error) - 1)
	    == 0)
		return;
	log_warnx("greylist database: %s", why);
	snprintf(svc->store_error, sizeof(svc->store_error), "%s", why);
}

/* service_store_report - how many requests an outage cost, once over */

static void
service_store_report(struct service *svc, const char *how)
{
	if (svc->store_failures > 1)
		log_warnx("greylist database: %s; %lu requests were answered "
		    "%s", how, svc->store_failures, svc->store_answer);
	else if (svc->store_failures == 1)
		log_info("greylist database: %s", how);
	svc->store_failures = 0;
	svc->store_error[0] = 0;
}

void
service_init(struct service *svc, const struct config *conf,
    const char *dbpath)
{
	struct spf_limits lim;
	size_t i;

	memset(svc, 0, sizeof(*svc));
	svc->conf = conf;
	svc->dbpath = dbpath ? dbpath : conf->database;
	if (conf->spf_receiver[0])
		snprintf(svc->receiver, sizeof(svc->receiver), "%s",
		    conf->spf_receiver);
	else if (gethostname(svc->receiver, sizeof(svc->receiver) - 1) < 0
	    || svc->receiver[0] == 0)
		snprintf(svc->receiver, sizeof(svc->receiver), "localhost");
	for (i = 0; svc->receiver[i]; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-", svc->receiver[i]) == NULL)
			svc->receiver[i] = '-';
	lim.deadline_ms = (int)conf->spf_timeout * 1000;
	lim.query_budget = (int)conf->spf_query_budget;
	lim.dns_timeout = (int)conf->spf_dns_timeout;
	lim.dns_attempts = (int)conf->spf_dns_attempts;
	service_fault_len = (size_t)snprintf(service_fault_reply,
	    sizeof(service_fault_reply), "action=%s\n\n",
	    conf->store_error_action);
	if (service_fault_len >= sizeof(service_fault_reply))
		service_fault_len = sizeof(service_fault_reply) - 1;
	fault_init(service_fault);
	spf_worker_init(&svc->spf, svc->receiver, &lim, 0);
	service_open(svc);
}

void
service_close(struct service *svc)
{
	spf_worker_close(&svc->spf);
	if (svc->store_failures)
		service_store_report(svc, "still failing at the end of the "
		    "session");
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
	facts.retry_window_us = svc->conf->retry_window_s * 1000000;
	facts.expire_us = entity_expire_us(ent);
	if ((rc = greylist_check(svc->st, &key, &facts, &d)) != STORE_OK) {
		/* A shared store out of reach, storeFallback = dunno: no
		 * greylisting until it answers again; the chain goes on. */
		if (rc == STORE_UNAVAILABLE && svc->conf->store_fallback
		    == CONFIG_FALLBACK_DUNNO) {
			service_store_failed(svc, store_strerror(svc->st, rc),
			    "storeFallback dunno");
			return (0);
		}
		service_store_failed(svc, store_strerror(svc->st, rc),
		    "storeErrorAction");
		/* An I/O error may leave the environment unusable (a map
		 * that could not grow): open it afresh at the next request. */
		if (rc == STORE_IO) {
			if (!svc->conf->database_sync)
				store_sync(svc->st);
			store_close(svc->st);
			svc->st = NULL;
		}
		return (-1);
	}
	if ((why = store_fallback_why(svc->st)) != NULL)
		service_store_failed(svc, why, "storeFallback local");
	else if (svc->store_failures)
		service_store_report(svc, "working again");
	snprintf(event, sizeof(event), "%s greylisting",
	    policy_event_name(d.event));
	service_log_event(event, req);
	*res = d.result;
	return (0);
}

/* service_spf_check - one identity: check, log, action */

static enum spf_result
service_spf_check(struct service *svc, const struct request *req,
    struct spf_query *q, struct policy_result *res)
{
	struct spf_outcome out;
	struct spf_facts f;
	char ctext[ADDR_TEXT_MAX], s[128], h[128], qid[128], p[128];

	spf_worker_check(&svc->spf, q, &out);
	addr_format(&q->client, ctext, sizeof(ctext));
	memset(&f, 0, sizeof(f));
	f.identity = q->identity;
	f.result = out.result;
	f.client_text = ctext;
	f.sender = request_get(req, "sender") ? request_get(req, "sender")
	    : "";
	f.helo = request_get(req, "helo_name");
	f.helo_checked = q->helo;
	f.domain = spf_query_domain(q);
	f.queue_id = request_get(req, "queue_id");
	f.receiver = svc->receiver;
	f.problem = out.problem;
	policy_spf_result(svc->conf, &f, res);
	log_info("SPF %s: QUEUE_ID=\"%s\"; identity=%s; client-ip=%s; "
	    "helo=%s; envelope-from=%s; receiver=%s; action=%s%s%s",
	    spf_result_name(out.result), log_safe(f.queue_id, qid,
	    sizeof(qid)), q->identity == SPF_ID_HELO ? "helo" : "mailfrom",
	    ctext, log_safe(f.helo, h, sizeof(h)), log_safe(f.sender, s,
	    sizeof(s)), svc->receiver, config_spf_action_name(
	    svc->conf->spf_action[q->identity][out.result]),
	    out.problem[0] ? "; problem=" : "", out.problem[0]
	    ? log_safe(out.problem, p, sizeof(p)) : "");
	return (out.result);
}

/* service_spf - the spf checker: policy_plan.c's queries, in order */

static enum policy_spf_outcome
service_spf(struct service *svc, const struct request *req,
    const struct entity_conf *ent, int64_t now, struct policy_result *res)
{
	struct policy_plan plan;
	enum spf_result r = SPF_R_NONE;
	int i;

	policy_set(res, POLICY_NONE, "");
	switch (policy_plan_spf(svc->conf, ent, request_get(req,
	    "client_address"), request_get(req, "sender"), request_get(req,
	    "helo_name"), &plan)) {
	case PLAN_CHECK:
		break;
	case PLAN_LOOPBACK:
		log_debug("SPF check N/A for local connections");
		return (POLICY_SPF_UNCHECKED);
	case PLAN_TRUSTED:
		log_debug("SPF check skipped: trusted relay");
		return (POLICY_SPF_UNCHECKED);
	case PLAN_TOO_LONG:
		log_info("SPF check skipped: sender or HELO name too long");
		return (POLICY_SPF_UNCHECKED);
	default:
		return (POLICY_SPF_UNCHECKED);
	}
	for (i = 0; i < plan.n; i++) {
		plan.q[i].now = (long long)(now / 1000000);
		r = service_spf_check(svc, req, &plan.q[i], res);
		if (!policy_plan_next(svc->conf, &plan, i, r))
			break;
	}
	return (r == SPF_R_PASS ? POLICY_SPF_PASSED : POLICY_SPF_OTHER);
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
service_request(struct service *svc, struct session *sess,
    const struct request *req, char *reply, size_t size)
{
	enum checker checkers[POLICY_CHECKERS_MAX];
	enum policy_spf_outcome spf;
	struct policy_result res;
	struct policy_state st;
	struct entity_conf ent;
	struct entity_query q;
	int64_t now = timefmt_now_us();
	int i, n;

	/* A fault inside the database answers this request, here. */
	service_fault_fd = sess->p.outfd;
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
	policy_state_init(&st, svc->conf, ent.spfseedonly != 0);
	/* The per-entity tree cannot be read (its __default__ missing, a
	 * file unreadable): no checker runs on a guess. */
	if (ent.status != ENTITY_OK)
		policy_state_fail(&st, svc->conf->config_error_action);
	for (i = 0; i < n && !st.done; i++) {
		spf = POLICY_SPF_UNCHECKED;
		if (!policy_state_runs(&st, checkers[i])) {
			log_debug("greylisting skipped: SPF pass");
			policy_set(&res, POLICY_NONE, "");
			policy_state_add(&st, checkers[i], &res, spf);
			continue;
		}
		switch (checkers[i]) {
		case CHECKER_GREYLIST:
			if (service_greylist(svc, req, &ent, now, &res) < 0) {
				policy_state_fail(&st,
				    svc->conf->store_error_action);
				continue;
			}
			break;
		case CHECKER_BLACKHOLE:
			service_blackhole(svc, req, &res);
			break;
		case CHECKER_SPF:
			spf = service_spf(svc, req, &ent, now, &res);
			break;
		}
		policy_state_add(&st, checkers[i], &res, spf);
	}
	policy_state_finish(&st, &sess->seen, request_get(req, "instance"));
	policy_reply(&st.cur, reply, size);
}
