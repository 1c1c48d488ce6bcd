/*
 * NAME
 *	spf_worker 3
 * SUMMARY
 *	run SPF checks in a child process, so that libspf2 cannot take
 *	the service down
 * SYNOPSIS
 *	#include "spf_engine.h"
 *
 *	void	spf_worker_init(worker, receiver, limits, keep_stderr)
 *	void	spf_worker_explain(worker, default_exp)
 *	void	spf_worker_check(worker, query, outcome_r)
 *	void	spf_worker_close(worker)
 *
 *	int	spf_worker_send(worker, query, outcome_r)
 *	int	spf_worker_recv(worker, outcome_r)
 *	void	spf_worker_expire(worker, outcome_r)
 *	void	spf_worker_reap(worker)
 *	int	spf_worker_watch(worker, epfd, ptr)
 * DESCRIPTION
 *	Debian 12's libspf2 aborts on internal errors and can be made to
 *	smash its stack from DNS (CVE-2023-42118), and glibc then writes
 *	to standard error, which under spawn(8) is the policy socket. So
 *	greyspf never calls libspf2 in the process that talks to Postfix:
 *	the first SPF check forks a worker, whose standard input, output
 *	and error are /dev/null and which keeps no other descriptor but
 *	its end of a socket pair. The worker answers one fixed-size query
 *	with one fixed-size outcome, for as long as the process lives.
 *
 *	spf_worker_explain(), before the first check, turns explanations
 *	on: the exp= text of a fail, or default_exp, in the outcome. Only
 *	the SPF test suites call it. Without it no exp= is ever looked up,
 *	so an explanation can cost neither a query nor time, and cannot
 *	turn a fail into a temperror (RFC 7208 6.2).
 *
 *	spf_worker_check() sends a query and waits at most the check's
 *	deadline plus a second. A worker that dies, or does not answer in
 *	time (it is killed), costs that one check: the outcome is temperror
 *	with the reason, a log line says what happened, and the next check
 *	starts a new worker.
 *
 *	The same, in steps, for an event loop that waits on many things
 *	(src/spf_pool.c): spf_worker_send() hands the query over (-1: it
 *	could not, and outcome_r is the temperror), spf_worker_recv()
 *	takes the outcome once worker->fd is readable (-1, never waiting:
 *	none there yet, a stale wake-up), and
 *	spf_worker_expire() gives up on a check past its deadline (the
 *	caller's clock: the check's deadline plus a second), killing the
 *	worker. spf_worker_check() is send, poll, then recv or expire.
 *	spf_worker_reap() reaps a worker that ended with no query out
 *	(its descriptor readable while idle); spf_worker_send() does the
 *	same with one it finds dead, and starts another, so that a worker
 *	killed between checks costs no check.
 *
 *	spf_worker_watch() puts worker->fd in the epoll set epfd, with ptr
 *	as the event's data, once for each worker started: a worker's
 *	descriptor is taken out of the set before it is closed. Why: a
 *	worker forked a moment before holds a copy of every descriptor
 *	until it closes them, and an epoll registration lives as long as
 *	any copy of the open file, so close() alone left it in the set,
 *	where the dead worker's hang-up named the slot again and again: a
 *	loop that spun, and a healthy worker started since in the slot
 *	reaped as "ended while idle".
 * SECURITY
 *	The worker is forked after privileges are dropped. The outcome is
 *	checked (result in range, strings terminated) before it is used.
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "log.h"
#include "spf_engine.h"

static void spf_worker_main(int, const struct spf_worker *)
    __attribute__((noreturn));
static void spf_worker_drop(struct spf_worker *);

/* spf_worker_init - a worker not started yet, explanations off */

void
spf_worker_init(struct spf_worker *w, const char *receiver,
    const struct spf_limits *lim, int keep_stderr)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	snprintf(w->receiver, sizeof(w->receiver), "%s", receiver);
	w->limits = *lim;
	w->keep_stderr = keep_stderr;
}

/* spf_worker_explain - the test suites' switch: fetch explanations */

void
spf_worker_explain(struct spf_worker *w, const char *default_exp)
{
	w->explain = 1;
	snprintf(w->default_exp, sizeof(w->default_exp), "%s", default_exp);
}

static void
spf_worker_main(int fd, const struct spf_worker *w)
{
	struct spf_query q;
	struct spf_outcome out;
	char opts[64];
	ssize_t n;
	int null;

	if ((null = open("/dev/null", O_RDWR)) < 0)
		_exit(1);
	dup2(null, 0);
	dup2(null, 1);
	if (!w->keep_stderr)
		dup2(null, 2);
	if (dup2(fd, 3) < 0)
		_exit(1);
	if (fd_close_from(4) < 0)
		_exit(1);
	fd = 3;
	snprintf(opts, sizeof(opts), "timeout:%d attempts:%d",
	    w->limits.dns_timeout, w->limits.dns_attempts);
	setenv("RES_OPTIONS", opts, 1);
	signal(SIGPIPE, SIG_DFL);
	spf_engine_init(w->receiver, w->explain ? w->default_exp : NULL,
	    &w->limits);
	while ((n = recv(fd, &q, sizeof(q), 0)) == (ssize_t)sizeof(q)) {
		q.sender[sizeof(q.sender) - 1] = 0;
		q.helo[sizeof(q.helo) - 1] = 0;
		spf_engine_check(&q, &out);
		if (send(fd, &out, sizeof(out), 0) != (ssize_t)sizeof(out))
			break;
	}
	_exit(0);
}

static int
spf_worker_start(struct spf_worker *w)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_warn("SPF worker: socketpair");
		return (-1);
	}
	switch (w->pid = fork()) {
	case -1:
		log_warn("SPF worker: fork");
		close(sv[0]);
		close(sv[1]);
		return (-1);
	case 0:
		close(sv[0]);
		spf_worker_main(sv[1], w);
	default:
		break;
	}
	close(sv[1]);
	w->fd = sv[0];
	return (0);
}

/*
 * spf_worker_lost - the worker is gone or stuck: kill it (harmless if
 * it is dead already), reap it, say why.
 */

static void
spf_worker_lost(struct spf_worker *w, int timed_out, struct spf_outcome *out)
{
	int status = 0;

	kill(w->pid, SIGKILL);
	spf_worker_drop(w);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		snprintf(out->problem, sizeof(out->problem),
		    "SPF check timed out");
	else if (WIFSIGNALED(status))
		snprintf(out->problem, sizeof(out->problem),
		    "SPF engine crashed (signal %d)", WTERMSIG(status));
	else
		snprintf(out->problem, sizeof(out->problem),
		    "SPF engine exited (status %d)", WEXITSTATUS(status));
	log_warnx("%s; answering temperror", out->problem);
	w->pid = 0;
	w->restarts++;
	out->result = SPF_R_TEMPERROR;
}

/* spf_worker_send - hand a query to the worker (started if need be;
 * one found dead since its last check is replaced first); -1: it could
 * not be, *out is the temperror to answer */

int
spf_worker_send(struct spf_worker *w, const struct spf_query *q,
    struct spf_outcome *out)
{
	int fresh;

	memset(out, 0, sizeof(*out));
	for (;;) {
		fresh = w->fd < 0;
		if (fresh && spf_worker_start(w) < 0) {
			out->result = SPF_R_TEMPERROR;
			snprintf(out->problem, sizeof(out->problem),
			    "cannot start the SPF worker");
			return (-1);
		}
		if (send(w->fd, q, sizeof(*q), MSG_NOSIGNAL)
		    == (ssize_t)sizeof(*q))
			return (0);
		if (fresh) {
			spf_worker_lost(w, 0, out);
			return (-1);
		}
		spf_worker_reap(w);
	}
}

/* spf_worker_reap - a worker with no query out has ended (its socket
 * is readable, or a send failed): reap it; the next check starts
 * another */

void
spf_worker_reap(struct spf_worker *w)
{
	int status = 0;

	if (w->fd < 0)
		return;
	kill(w->pid, SIGKILL);
	spf_worker_drop(w);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	log_warnx("SPF worker %ld ended while idle (%s %d); replaced at "
	    "the next check", (long)w->pid, WIFSIGNALED(status) ? "signal"
	    : "status", WIFSIGNALED(status) ? WTERMSIG(status)
	    : WEXITSTATUS(status));
	w->pid = 0;
	w->restarts++;
}

/* spf_worker_recv - the outcome, once w->fd is readable (a worker that
 * died gives temperror and is gone); -1: none yet, *out untouched (an
 * event loop's stale wake-up must not block it) */

int
spf_worker_recv(struct spf_worker *w, struct spf_outcome *out)
{
	struct spf_outcome got;
	ssize_t n;

	while ((n = recv(w->fd, &got, sizeof(got), MSG_DONTWAIT)) < 0
	    && errno == EINTR)
		;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return (-1);
	*out = got;
	if (n != (ssize_t)sizeof(*out)
	    || (unsigned)out->result >= SPF_R_COUNT) {
		memset(out, 0, sizeof(*out));
		spf_worker_lost(w, 0, out);
		return (0);
	}
	out->problem[sizeof(out->problem) - 1] = 0;
	out->explanation[sizeof(out->explanation) - 1] = 0;
	return (0);
}

/* spf_worker_expire - a check past its deadline: the worker is killed */

void
spf_worker_expire(struct spf_worker *w, struct spf_outcome *out)
{
	memset(out, 0, sizeof(*out));
	spf_worker_lost(w, 1, out);
}

void
spf_worker_check(struct spf_worker *w, const struct spf_query *q,
    struct spf_outcome *out)
{
	struct pollfd pfd;
	int rc;

	if (spf_worker_send(w, q, out) < 0)
		return;
	pfd.fd = w->fd;
	pfd.events = POLLIN;
	do {
		while ((rc = poll(&pfd, 1, w->limits.deadline_ms + 1000)) < 0
		    && errno == EINTR)
			;
		if (rc <= 0) {
			spf_worker_expire(w, out);
			return;
		}
	} while (spf_worker_recv(w, out) < 0);
}

void
spf_worker_close(struct spf_worker *w)
{
	int status;

	if (w->fd < 0)
		return;
	spf_worker_drop(w);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}

/* spf_worker_watch - fd into the epoll set, once a worker; -1: errno */

int
spf_worker_watch(struct spf_worker *w, int epfd, void *ptr)
{
	struct epoll_event e;

	if (w->fd < 0 || (w->watched && w->watch_epfd == epfd))
		return (0);
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = ptr;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &e) < 0)
		return (-1);
	w->watched = 1;
	w->watch_epfd = epfd;
	return (0);
}

/* spf_worker_drop - the worker's descriptor out of its epoll set, then
 * closed: a copy in a worker forked since would keep it in the set */

static void
spf_worker_drop(struct spf_worker *w)
{
	if (w->watched && epoll_ctl(w->watch_epfd, EPOLL_CTL_DEL, w->fd,
	    NULL) < 0)
		log_warn("SPF worker: epoll_ctl");
	w->watched = 0;
	close(w->fd);
	w->fd = -1;
}
