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
 *	void	service_log_event(event, req)
 *
 *	const struct spf_query *service_begin(svc, sess, req, ev)
 *	const struct spf_query *service_resume(svc, ev, outcome)
 *	void	service_end(svc, sess, ev, reply, size)
 *
 *	void	service_fault_target(fd)
 *	void	service_probe_open(on)
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
 *	The whitelist files are read at start (service_whitelist.c); a
 *	client or recipient they list skips the greylist checker only, as
 *	a per-entity CHECKERS without greylist does: the spf checker still
 *	runs.
 *
 *	With autoWhitelistClients, the greylist checker first asks
 *	autowl.c whether the client is auto-whitelisted (then no decision,
 *	and a log line with its passes); a triplet's first pass is counted
 *	for its client inside greylist.c's write. What each request does
 *	is counted (counters.c: counters_add() and the like, here and in
 *	greylist.c); what no write carried is written at the end of the
 *	session (a daemon: at most once a second, loop.c).
 *
 *	The spf checker (service_spf) runs policy_plan_spf()'s queries in
 *	the SPF worker (spf/spf_worker.c), one after the other while
 *	policy_plan_next() says so, and logs each result.
 *
 *	service_request() is the synchronous driver of three steps, which
 *	the daemon's event loop (loop.c) drives itself, so that a request
 *	waiting for SPF never holds up another: service_begin() runs the
 *	checkers until one needs an SPF outcome and returns its query (or
 *	NULL: the chain is over); service_resume() is given the outcome
 *	and goes on the same way; service_end() formats the reply. The
 *	request's state between the steps is the caller's struct
 *	service_eval, and req must stay in place until service_end().
 *
 *	A memory fault inside the database (lib/fault.c) answers
 *	storeErrorAction on the descriptor service_fault_target() last
 *	named before the process exits: service_begin() names its
 *	session's output; the event loop names the connection whose step
 *	it runs, and -1 (no answer, only the log line) for the database
 *	work that is no request's (counters, sync, start-up). With
 *	service_probe_open(1) (the daemon) the database is first opened in
 *	a child that exits at once: when the child meets a fault, the
 *	process does not open it (it would die of it before it served
 *	anyone, at each restart) but answers storeErrorAction, and tries
 *	again at a request at least a second later.
 *
 *	Log lines are the original's ("Initial greylisting: REMOTEIP=..."),
 *	with absent attributes shown as <UNKNOWN>; request values pass
 *	through log_safe() (cut to 100 bytes, control characters as "?").
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "autowl.h"
#include "blackhole.h"
#include "counters.h"
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
#include "policy_text.h"
#include "timefmt.h"
#include "whitelist.h"

/*
 * The reply a memory fault inside the database gets (lib/fault.c): the
 * request in flight is answered with storeErrorAction before the process
 * ends, so that Postfix never sees a policy server go away silently.
 */
static char service_fault_reply[sizeof(((struct config *)0)->store_error_action)
    + sizeof("action=\n\n")];
static size_t service_fault_len;
static volatile sig_atomic_t service_fault_fd = 1; /* the request's
					 * outfd; -1: none */
static volatile sig_atomic_t service_probing;	/* the probe child */
static int service_probe;		/* open in a probe child first */
static int64_t service_probe_ms;	/* the last probe's fault, mono */

#define SERVICE_PROBE_FAULT	77	/* the probe's status on a fault */
#define SERVICE_PROBE_MS	1000	/* no new probe sooner after one
					 * faulted: the outage answers */

/* service_fault - answer the request in flight, then exit */

static void
service_fault(int sig)
{
	static const char text[] = "greyspf: greylist database: a fault "
	    "inside it (a truncated or corrupted file?); answered "
	    "storeErrorAction\n";

	(void)sig;
	if (service_probing)
		_exit(SERVICE_PROBE_FAULT);
	if (service_fault_fd >= 0)
		(void)!write(service_fault_fd, service_fault_reply,
		    service_fault_len);
	(void)!write(2, text, sizeof(text) - 1);
	_exit(1);
}

static void service_store_failed(struct service *, const char *,
	    const char *);

/* service_fault_target - where a fault's answer goes; -1: nowhere */

void
service_fault_target(int fd)
{
	service_fault_fd = fd;
}

/* service_probe_open - on: open the database in a child first */

void
service_probe_open(int on)
{
	service_probe = on;
}

/*
 * service_open_probe - open the database in a child that exits at
 * once: -1 when it met a fault (a daemon's loop process would die of
 * it before it answers anyone, at every start), else 0 (an error is
 * the real open's to report)
 */

static int
service_open_probe(struct service *svc, const struct store_opts *o)
{
	struct store *st;
	int64_t now = timefmt_mono_ms();
	int status, rc;
	pid_t pid;

	if (service_probe_ms != 0 && now - service_probe_ms < SERVICE_PROBE_MS)
		return (-1);
	switch (pid = fork()) {
	case -1:
		log_warn("greylist database: fork for its probe");
		return (0);
	case 0:
		service_probing = 1;
		if (svc->conf->store_fallback == CONFIG_FALLBACK_LOCAL)
			rc = store_fallback_open(&st, svc->dbpath,
			    svc->conf->fallback_database, o);
		else
			rc = store_open(&st, svc->dbpath, o);
		if (rc == STORE_OK)
			store_close(st);
		_exit(0);
	default:
		break;
	}
	while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (rc == pid && WIFEXITED(status)
	    && WEXITSTATUS(status) == SERVICE_PROBE_FAULT) {
		service_probe_ms = now;
		return (-1);
	}
	service_probe_ms = 0;
	return (0);
}
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
	o.sentinel_password_file = svc->conf->sentinel_password_file;
	o.connect_ms = (int)svc->conf->connect_timeout_ms;
	o.command_ms = (int)svc->conf->command_timeout_ms;
	if (service_probe && service_open_probe(svc, &o) < 0) {
		service_store_failed(svc, "a fault inside it when opened (a "
		    "truncated or corrupted file?)", "storeErrorAction");
		return (STORE_IO);
	}
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
	counters_add(CTR_STORE_ERROR);
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
	service_whitelist_load(svc, 0);
	counters_init(conf->counter_days);
	service_open(svc);
}

void
service_close(struct service *svc)
{
	int rc, failing = svc->store_failures > 0;

	spf_worker_close(&svc->spf);
	whitelist_free(svc->wl);
	svc->wl = NULL;
	if (svc->store_failures)
		service_store_report(svc, "still failing at the end of the "
		    "session");
	if (svc->st == NULL)
		return;
	/* What was counted and not yet written: one write, the session's
	 * last; none while the database fails (the outage is told above),
	 * and lost, as approximate counts may be, if it fails. */
	if (!failing && (rc = counters_flush(svc->st, timefmt_now_us()))
	    != STORE_OK)
		log_warnx("statistics counters not written: %s",
		    store_strerror(svc->st, rc));
	/* Commits skipped fsync (databaseSync = 0): flush once, at the end
	 * of the SMTP session, off every reply's path. */
	if (!svc->conf->database_sync)
		store_sync(svc->st);
	store_close(svc->st);
	svc->st = NULL;
}

/* service_log_event - tumgreyspf's greylist and blackhole log line */

void
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

/*
 * service_greylist - the greylist checker; -1 on a store failure. The
 * defer's action and text are greylistAction's and greylistText's; a
 * first pass puts its X-Greylist header in st (policy_state_finish()
 * places it), and says delay=N in its log line.
 */

static int
service_greylist(struct service *svc, const struct request *req,
    const struct entity_conf *ent, int64_t now, struct policy_result *res,
    struct policy_state *st)
{
	struct grey_facts facts;
	struct grey_decision d;
	struct awl_facts awl;
	struct awl_decision ad;
	struct greykey key;
	char event[64];
	const char *why;
	int rc = STORE_OK;

	policy_set(res, POLICY_NONE, "");
	if (service_whitelist_match(svc, req)) {
		counters_add(CTR_WL_FILE);
		return (0);
	}
	if (policy_greylist_key(svc->conf, request_get(req, "client_address"),
	    request_get(req, "sender"), request_get(req, "recipient"), &key,
	    &why) != 0) {
		log_debug("greylist: no decision: %s", why);
		counters_add(CTR_NO_KEY);
		return (0);
	}
	if (svc->st == NULL && service_open(svc) != 0)
		return (-1);
	autowl_facts(svc->conf, now, &awl);
	if (awl.clients > 0 && (rc = autowl_check(svc->st, &key, &awl, &ad))
	    == STORE_OK && ad.listed) {
		snprintf(event, sizeof(event), "Auto-whitelisted after %u "
		    "passes", (unsigned)ad.rec.passes);
		service_log_event(event, req);
		counters_add(CTR_WL_AWL);
		return (0);
	}
	memset(&facts, 0, sizeof(facts));
	facts.now = now;
	facts.greylist_us = entity_greylist_time(ent,
	    svc->conf->default_allow_time) * 1000000;
	facts.seed_only = svc->conf->default_seed_only;
	facts.retry_window_us = svc->conf->retry_window_s * 1000000;
	facts.expire_us = entity_expire_us(ent);
	if (awl.clients == 0 || rc == STORE_OK)
		rc = greylist_check(svc->st, &key, &facts, awl.clients ? &awl
		    : NULL, &d, &ad);
	if (rc != STORE_OK) {
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
	if (d.result.value == POLICY_DEFER && policy_text_custom(svc->conf))
		policy_text_defer(svc->conf, d.left_us, request_get(req,
		    "recipient"), request_get(req, "client_address"),
		    svc->receiver, &d.result);
	if (d.first_pass && svc->conf->x_greylist_header) {
		policy_text_header(svc->conf, d.delay_us, now, svc->receiver,
		    st->xgrey, sizeof(st->xgrey));
		snprintf(event, sizeof(event), "%s greylisting (delay=%lld)",
		    policy_event_name(d.event), (long long)(d.delay_us
		    / 1000000));
	}
	service_log_event(event, req);
	autowl_log(&key, &awl, &ad);
	*res = d.result;
	return (0);
}

/* service_spf_check - one identity's outcome: log, action */

static enum spf_result
service_spf_check(struct service *svc, const struct request *req,
    const struct spf_query *q, const struct spf_outcome *out,
    struct policy_result *res)
{
	struct spf_facts f;
	char ctext[ADDR_TEXT_MAX], s[128], h[128], qid[128], p[128];

	addr_format(&q->client, ctext, sizeof(ctext));
	memset(&f, 0, sizeof(f));
	f.identity = q->identity;
	f.result = out->result;
	f.client_text = ctext;
	f.sender = request_get(req, "sender") ? request_get(req, "sender")
	    : "";
	f.helo = request_get(req, "helo_name");
	f.helo_checked = q->helo;
	f.domain = spf_query_domain(q);
	f.queue_id = request_get(req, "queue_id");
	f.receiver = svc->receiver;
	f.problem = out->problem;
	policy_spf_result(svc->conf, &f, res);
	counters_spf(q->identity, out->result);
	log_info("SPF %s: QUEUE_ID=\"%s\"; identity=%s; client-ip=%s; "
	    "helo=%s; envelope-from=%s; receiver=%s; action=%s%s%s",
	    spf_result_name(out->result), log_safe(f.queue_id, qid,
	    sizeof(qid)), q->identity == SPF_ID_HELO ? "helo" : "mailfrom",
	    ctext, log_safe(f.helo, h, sizeof(h)), log_safe(f.sender, s,
	    sizeof(s)), svc->receiver, config_spf_action_name(
	    svc->conf->spf_action[q->identity][out->result]),
	    out->problem[0] ? "; problem=" : "", out->problem[0]
	    ? log_safe(out->problem, p, sizeof(p)) : "");
	return (out->result);
}

/*
 * service_spf - the spf checker's plan (policy_plan.c): -1 when its
 * first query is to be asked (ev->plan.q[ev->qi]), else the outcome of
 * a checker that asks nothing.
 */

static int
service_spf(struct service *svc, struct service_eval *ev)
{
	const struct request *req = ev->req;
	int i;

	policy_set(&ev->res, POLICY_NONE, "");
	switch (policy_plan_spf(svc->conf, &ev->ent, request_get(req,
	    "client_address"), request_get(req, "sender"), request_get(req,
	    "helo_name"), &ev->plan)) {
	case PLAN_CHECK:
		break;
	case PLAN_LOOPBACK:
		log_debug("SPF check N/A for local connections");
		return (POLICY_SPF_UNCHECKED);
	case PLAN_TRUSTED:
		log_debug("SPF check skipped: trusted relay");
		counters_add(CTR_WL_TRUSTED);
		return (POLICY_SPF_UNCHECKED);
	case PLAN_TOO_LONG:
		log_info("SPF check skipped: sender or HELO name too long");
		return (POLICY_SPF_UNCHECKED);
	default:
		return (POLICY_SPF_UNCHECKED);
	}
	if (ev->plan.n == 0)
		return (POLICY_SPF_OTHER);
	for (i = 0; i < ev->plan.n; i++)
		ev->plan.q[i].now = (long long)(ev->now / 1000000);
	ev->qi = 0;
	return (-1);
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
	counters_add(CTR_BLACKHOLE);
	policy_set(res, POLICY_REJECT, POLICY_TEXT_BLACKHOLE);
}

/*
 * service_run - run the checkers from ev->i on, until the chain ends
 * (NULL) or the spf checker needs an SPF outcome (its query)
 */

static const struct spf_query *
service_run(struct service *svc, struct service_eval *ev)
{
	const struct request *req = ev->req;
	enum policy_spf_outcome spf;
	int rc;

	for (; ev->i < ev->n && !ev->st.done; ev->i++) {
		spf = POLICY_SPF_UNCHECKED;
		if (!policy_state_runs(&ev->st, ev->checkers[ev->i])) {
			log_debug("greylisting skipped: SPF pass");
			counters_add(CTR_WL_SPF_PASS);
			policy_set(&ev->res, POLICY_NONE, "");
			policy_state_add(&ev->st, ev->checkers[ev->i], &ev->res,
			    spf);
			continue;
		}
		switch (ev->checkers[ev->i]) {
		case CHECKER_GREYLIST:
			if (service_greylist(svc, req, &ev->ent, ev->now,
			    &ev->res, &ev->st) < 0) {
				policy_state_fail(&ev->st,
				    svc->conf->store_error_action);
				continue;
			}
			break;
		case CHECKER_BLACKHOLE:
			service_blackhole(svc, req, &ev->res);
			break;
		case CHECKER_SPF:
			if ((rc = service_spf(svc, ev)) < 0)
				return (&ev->plan.q[ev->qi]);
			spf = (enum policy_spf_outcome)rc;
			break;
		}
		policy_state_add(&ev->st, ev->checkers[ev->i], &ev->res, spf);
	}
	return (NULL);
}

/* service_begin - start a request: configuration, the first checkers */

const struct spf_query *
service_begin(struct service *svc, struct session *sess,
    const struct request *req, struct service_eval *ev)
{
	struct entity_query q;
	int i;

	/* A fault inside the database answers this request, here. */
	service_fault_fd = sess->p.outfd;
	memset(ev, 0, sizeof(*ev));
	ev->req = req;
	ev->now = timefmt_now_us();
	counters_begin(ev->now);
	counters_add(CTR_REQUESTS);
	q.client_address = request_get(req, "client_address");
	q.sender = request_get(req, "sender");
	q.recipient = request_get(req, "recipient");
	entity_lookup(svc->conf->config_path, &q, &ev->ent);
	if (svc->conf->debug_level >= 2)
		log_info("Config: SPFSEEDONLY=%lld GREYLISTTIME=%lld "
		    "CHECKERS=\"%.100s\" OTHERCONFIGS=\"%.100s\" "
		    "GREYLISTEXPIREDAYS=%g", ev->ent.spfseedonly,
		    entity_greylist_time(&ev->ent,
		    svc->conf->default_allow_time), ev->ent.checkers,
		    ev->ent.otherconfigs, entity_expire_days(&ev->ent));
	ev->n = policy_checkers(ev->ent.checkers, ev->checkers,
	    POLICY_CHECKERS_MAX);
	for (i = 0; i < ev->n && ev->checkers[i] != CHECKER_GREYLIST; i++)
		continue;
	if (i == ev->n)
		counters_add(CTR_WL_ENTITY);	/* no greylisting for it */
	policy_state_init(&ev->st, svc->conf, ev->ent.spfseedonly != 0);
	/* The per-entity tree cannot be read (its __default__ missing, a
	 * file unreadable): no checker runs on a guess. */
	if (ev->ent.status != ENTITY_OK)
		policy_state_fail(&ev->st, svc->conf->config_error_action);
	return (service_run(svc, ev));
}

/* service_resume - the outcome of the query service_begin() returned */

const struct spf_query *
service_resume(struct service *svc, struct service_eval *ev,
    const struct spf_outcome *out)
{
	enum spf_result r;

	r = service_spf_check(svc, ev->req, &ev->plan.q[ev->qi], out,
	    &ev->res);
	if (ev->qi + 1 < ev->plan.n
	    && policy_plan_next(svc->conf, &ev->plan, ev->qi, r))
		return (&ev->plan.q[++ev->qi]);
	policy_state_add(&ev->st, CHECKER_SPF, &ev->res,
	    r == SPF_R_PASS ? POLICY_SPF_PASSED : POLICY_SPF_OTHER);
	ev->i++;
	return (service_run(svc, ev));
}

/* service_end - the chain is over: the reply */

void
service_end(struct service *svc, struct session *sess,
    struct service_eval *ev, char *reply, size_t size)
{
	(void)svc;
	policy_state_finish(&ev->st, &sess->seen, request_get(ev->req,
	    "instance"));
	policy_reply(&ev->st.cur, reply, size);
}

/* service_request - one request, its SPF checks in the SPF worker */

void
service_request(struct service *svc, struct session *sess,
    const struct request *req, char *reply, size_t size)
{
	struct service_eval ev;
	const struct spf_query *q;
	struct spf_outcome out;

	q = service_begin(svc, sess, req, &ev);
	while (q != NULL) {
		spf_worker_check(&svc->spf, q, &out);
		q = service_resume(svc, &ev, &out);
	}
	service_end(svc, sess, &ev, reply, size);
}
