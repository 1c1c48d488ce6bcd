/*
 * NAME
 *	spfcrash 1
 * SUMMARY
 *	a dead or stuck SPF worker costs one check, never the service
 * SYNOPSIS
 *	spfcrash
 * DESCRIPTION
 *	Run inside tests/spf/run.sh with "spfsuite -s" serving
 *	tests/spf/service-zone.yml. The worker is killed with SIGSEGV
 *	(what a libspf2 crash looks like) and, separately, stopped with
 *	SIGSTOP (a hang); each time the next check must be temperror with
 *	the reason, and the check after it must work again in a new worker.
 *	Prints a line per step; exits 1 if any step failed.
 */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "spf.h"

static int n, failed;

static void
check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++n, what);
	failed += !ok;
}

static void
run(struct spf_worker *w, const char *sender, struct spf_outcome *out)
{
	struct spf_query q;

	memset(&q, 0, sizeof(q));
	addr_parse("192.0.2.9", &q.client);
	snprintf(q.sender, sizeof(q.sender), "%s", sender);
	snprintf(q.helo, sizeof(q.helo), "mail.example.com");
	spf_worker_check(w, &q, out);
}

int
main(void)
{
	struct spf_limits lim = {1000, 60, 1, 1};
	struct spf_worker w;
	struct spf_outcome out;

	log_init("spfcrash", LOG_SINK_STDERR);
	spf_worker_init(&w, "receiver.example.net", &lim, 1);
	run(&w, "foo@fail.example", &out);
	check(out.result == SPF_R_FAIL, "a first check works");
	/* The crash's deadline 5 s: ASan's report (symbolized) may take
	 * seconds on a loaded machine, and a crash must not read as a
	 * timeout; the stuck worker's step keeps 1 s, timeouts its subject. */
	w.limits.deadline_ms = 5000;
	kill(w.pid, SIGSEGV);
	run(&w, "foo@fail.example", &out);
	w.limits.deadline_ms = lim.deadline_ms;
	check(out.result == SPF_R_TEMPERROR, "crashed worker: temperror");
	/* Under ASan the worker reports the SEGV and exits 1 instead. */
	check(strstr(out.problem, "crashed (signal 11)") != NULL
	    || strstr(out.problem, "exited (status 1)") != NULL,
	    "crashed worker: the reason says so");
	run(&w, "foo@fail.example", &out);
	check(out.result == SPF_R_FAIL && w.restarts == 1,
	    "the next check works in a new worker");
	kill(w.pid, SIGSTOP);
	run(&w, "foo@fail.example", &out);
	check(out.result == SPF_R_TEMPERROR
	    && strstr(out.problem, "timed out") != NULL,
	    "stuck worker: killed after the deadline, temperror");
	run(&w, "foo@fail.example", &out);
	check(out.result == SPF_R_FAIL && w.restarts == 2,
	    "the next check works again");
	spf_worker_close(&w);
	return (failed ? 1 : 0);
}
