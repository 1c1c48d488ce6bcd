/*
 * NAME
 *	service_whitelist 3
 * SUMMARY
 *	the whitelist files in the service: load, reload, match a request
 * SYNOPSIS
 *	#include "service.h"
 *
 *	int	service_whitelist_load(svc, compile_all)
 *	int	service_whitelist_match(svc, req)
 * DESCRIPTION
 *	service_whitelist_load() reads whitelistClients and
 *	whitelistRecipients (lib/whitelist.c) into svc->wl: service_init()
 *	calls it at start, and a daemon may call it again at SIGHUP, with
 *	compile_all set (every regular expression compiled now, not at its
 *	first use). The old lists stay until the new ones are read. It
 *	returns the number of problems.
 *
 *	service_whitelist_match() is the greylist checker's first step: 1
 *	when a file lists the request's client (its address, or Postfix's
 *	verified client_name) or its recipient, and the request then skips
 *	the greylist checker, and that checker only, as a per-entity
 *	CHECKERS without greylist does: the spf checker still runs. It logs
 *	"Whitelisted (client, FILE:LINE)" or "Whitelisted (recipient,
 *	FILE:LINE)" with the request, as the greylist lines are logged.
 * DIAGNOSTICS
 *	A problem in a file (a bad network, a line of no known form, a
 *	missing file) is not fatal: its line is skipped, as postgrey skips
 *	it, for the service must go on answering. Loading logs one line
 *	for them all, the first with its file:line and their count, not a
 *	line each at every spawn; greyspf-configtest lists every one. A
 *	regular expression that does not compile is logged when a name
 *	first reaches it.
 */

#include <limits.h>
#include <stdio.h>

#include "log.h"
#include "service.h"
#include "whitelist.h"

static void service_whitelist_report(void *, const char *, int,
	    const char *);

/* service_whitelist_report - a problem: counted at load, else logged */

static void
service_whitelist_report(void *arg, const char *file, int line,
    const char *msg)
{
	struct service *svc = arg;

	if (svc->wl_loading && svc->wl_problems++ > 0)
		return;
	log_warnx("%s:%d: %s%s", file, line, msg, svc->wl_loading ? "; the "
	    "line is skipped (greyspf-configtest lists every problem)" : "");
}

/* service_whitelist_load - (re)read the files; the problems found */

int
service_whitelist_load(struct service *svc, int compile_all)
{
	struct whitelist *wl;

	if (svc->conf->whitelist_clients[0] == 0
	    && svc->conf->whitelist_recipients[0] == 0) {
		whitelist_free(svc->wl);
		svc->wl = NULL;
		return (0);
	}
	wl = whitelist_new(service_whitelist_report, svc);
	svc->wl_loading = 1;
	svc->wl_problems = 0;
	whitelist_load(wl, WHITELIST_CLIENTS, svc->conf->whitelist_clients);
	whitelist_load(wl, WHITELIST_RECIPIENTS,
	    svc->conf->whitelist_recipients);
	if (compile_all)
		whitelist_compile(wl);
	svc->wl_loading = 0;
	if (svc->wl_problems > 1)
		log_warnx("whitelist files: %d problems, the first above",
		    svc->wl_problems);
	whitelist_free(svc->wl);
	svc->wl = wl;
	return (svc->wl_problems);
}

/* service_whitelist_match - 1: a file lists the client or recipient */

int
service_whitelist_match(struct service *svc, const struct request *req)
{
	struct whitelist_match m;
	char event[PATH_MAX + 64];

	if (svc->wl == NULL || ((whitelist_count(svc->wl, WHITELIST_CLIENTS)
	    == 0 || !whitelist_client(svc->wl, request_get(req,
	    "client_address"), request_get(req, "client_name"), &m))
	    && (whitelist_count(svc->wl, WHITELIST_RECIPIENTS) == 0
	    || !whitelist_recipient(svc->wl, request_get(req, "recipient"),
	    &m))))
		return (0);
	snprintf(event, sizeof(event), "Whitelisted (%s, %s:%d)",
	    m.kind == WHITELIST_CLIENTS ? "client" : "recipient", m.file,
	    m.line);
	service_log_event(event, req);
	return (1);
}
