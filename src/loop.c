/*
 * NAME
 *	loop 3
 * SUMMARY
 *	a daemon's loop process: one event loop over the listening sockets,
 *	all its connections and its SPF workers
 * SYNOPSIS
 *	#include "loop.h"
 *
 *	int	loop_run(conf, dbpath, listen_fds, n, keep_stderr)
 * DESCRIPTION
 *	loop_run() is what each child of the daemon (daemon.c) runs: it
 *	opens its own database environment (one per process, after the
 *	fork, as LMDB requires), then serves, in one epoll(7) loop, every
 *	connection it accepts on the shared listening sockets, until told
 *	to stop (SIGTERM or SIGINT). It returns the exit status.
 *
 *	Each connection is a struct session (session.h) read with proto.c
 *	in non-blocking mode, watched level-triggered (read again only
 *	when epoll says there is input; out of the set while it waits for
 *	SPF), so the bounds are spawn mode's: a line, the attributes and
 *	the bytes of one request, requestTimeout from its
 *	first byte; idleTimeout with no request begun closes it (the
 *	default is above Postfix's 300 s smtpd_policy_service_max_idle, so
 *	Postfix closes first). A reply waits in the connection's own
 *	buffer (one reply: nothing more is read until it is written); a
 *	peer that reads none of it for idleTimeout (its socket full: it
 *	pipelines and reads nothing) is closed, as in spawn mode.
 *	Requests are evaluated in steps (service.c): the greylist and
 *	blackhole checkers run inline, as they take microseconds; a query
 *	for the spf checker goes to a free worker of the process's
 *	spfWorkers (spf_pool.c), or waits in line for one, and the
 *	connection is resumed with its outcome. A greylist-only request
 *	never waits for SPF. A query past spfTimeout plus a second has its
 *	worker killed, and the check is a temperror, as in spawn mode; so
 *	is one that waited in line that long. A connection in line whose
 *	peer has closed it is closed, its check never asked.
 *
 *	At most maxConnections are open at once (fewer if the descriptor
 *	limit leaves less, LOOP_FD_RESERVE and the SPF workers' kept for
 *	the files a request opens): past it the listening sockets are left
 *	alone until one closes, and the kernel queues new connections in
 *	the listen backlog (Postfix waits, it is not refused). EMFILE or
 *	ENFILE on accept all the same stops accepting for
 *	LOOP_FD_PAUSE_MS instead of spinning.
 *
 *	With databaseSync off, commits skip fsync and the environment is
 *	flushed once a second when requests were answered, and at exit.
 *
 *	SIGTERM or SIGINT: the listening sockets are closed, idle
 *	connections too, and the requests being read or evaluated are
 *	answered before their connections close; then the process exits
 *	(the daemon kills it if that takes too long).
 * DIAGNOSTICS
 *	As spawn mode's, per connection: a bad request is logged and its
 *	connection closed without a reply.
 * BUGS
 *	Linux only (epoll, EPOLLEXCLUSIVE).
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "service.h"
#include "session.h"
#include "spf_pool.h"
#include "timefmt.h"
#include "util.h"

#define LOOP_EVENTS		64	/* epoll events per wait */
#define LOOP_TICK_MS		1000	/* timers' and sync's period */
#define LOOP_FD_PAUSE_MS	100	/* no accept after EMFILE/ENFILE */
#define LOOP_ACCEPTS		32	/* accepts per readable listener */
#define LOOP_FD_RESERVE		32	/* descriptors kept from connections:
					 * database, per-entity files, log */

/* What an epoll event's data points at; a closed connection's is
 * KIND_DEAD until the end of the batch of events, then it is freed. */
enum loop_kind { KIND_DEAD = 0, KIND_LISTENER = 1, KIND_CONN = 2 };
enum conn_state { CONN_READ, CONN_SPF, CONN_WRITE };

struct listener {
	int	kind;			/* KIND_LISTENER */
	int	fd;
};

struct conn {
	int	kind;			/* KIND_CONN, KIND_DEAD */
	int	fd;
	enum conn_state state;
	uint32_t events;		/* watched for (level-triggered);
					 * 0: out of the epoll set */
	struct session sess;
	struct service_eval ev;		/* the request being evaluated */
	const struct spf_query *q;	/* its query waiting for a worker */
	char	out[POLICY_ACTION_MAX + sizeof("action=\n\n")];
	size_t	outlen, outoff;
	int64_t	write_ms;		/* the reply must move on by
					 * then (a full socket); 0: none */
	int64_t	last_ms;		/* the last request answered */
	int64_t	wait_ms;		/* in line for a worker since */
	struct conn *prev, *next;	/* all connections */
	struct conn *wait_next;		/* waiting for an SPF worker */
};

struct loop {
	const struct config *conf;
	struct service svc;
	struct spf_pool pool;
	int	epfd;
	struct listener *lsn;
	int	nlsn;
	int	accepting;		/* listeners in the epoll set */
	int64_t	pause_until;		/* after EMFILE/ENFILE */
	int	nconn;
	int	max_conn;		/* maxConnections, or fewer: the
					 * descriptors left (RLIMIT_NOFILE) */
	struct conn *conns;
	struct conn *dead;		/* closed, freed after the batch */
	struct conn *wait_head, *wait_tail;
	int	stopping;
	unsigned long served;		/* requests since the last sync */
	int64_t	next_tick;
};

static volatile sig_atomic_t loop_stop;

static void loop_on_signal(int);
static void loop_accepting(struct loop *, int);
static void loop_accept(struct loop *, struct listener *, int64_t);
static void conn_close(struct loop *, struct conn *);
static void conn_drive(struct loop *, struct conn *, int64_t, int);
static void conn_watch(struct loop *, struct conn *, uint32_t);
static void conn_spf(struct loop *, struct conn *, int64_t);
static void conn_spf_done(struct loop *, struct conn *,
	    const struct spf_outcome *, int64_t);
static void conn_reply(struct loop *, struct conn *);
static int conn_flush(struct conn *);
static void loop_wait_next(struct loop *, int64_t);
static void loop_wait_remove(struct loop *, struct conn *);
static void loop_wait_tick(struct loop *, int64_t);
static int conn_gone(const struct conn *);
static void loop_tick(struct loop *, int64_t);
static void loop_stopping(struct loop *);
static int loop_max_conn(const struct config *);
static int conn_begun(const struct conn *);

/* loop_on_signal - SIGTERM, SIGINT: drain and stop */

static void
loop_on_signal(int sig)
{
	(void)sig;
	loop_stop = 1;
}

/* loop_accepting - put the listening sockets in the epoll set or not */

static void
loop_accepting(struct loop *lp, int on)
{
	struct epoll_event e;
	int i;

	if (lp->accepting == on || lp->lsn == NULL)
		return;
	for (i = 0; i < lp->nlsn; i++) {
		memset(&e, 0, sizeof(e));
		/* EPOLLEXCLUSIVE: one loop process woken per connection. */
		e.events = EPOLLIN | EPOLLEXCLUSIVE;
		e.data.ptr = &lp->lsn[i];
		if (epoll_ctl(lp->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    lp->lsn[i].fd, &e) < 0)
			log_warn("epoll_ctl listener");
	}
	lp->accepting = on;
}

/* loop_accept - new connections, up to maxConnections */

static void
loop_accept(struct loop *lp, struct listener *l, int64_t now)
{
	struct conn *c;
	int fd, i;

	for (i = 0; i < LOOP_ACCEPTS; i++) {
		if (lp->nconn >= lp->max_conn) {
			/* The kernel's backlog queues the rest. */
			loop_accepting(lp, 0);
			return;
		}
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE
			    || errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept: pausing for %d ms",
				    LOOP_FD_PAUSE_MS);
				loop_accepting(lp, 0);
				lp->pause_until = now + LOOP_FD_PAUSE_MS;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK
			    && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		c = xcalloc(1, sizeof(*c));
		c->kind = KIND_CONN;
		c->fd = fd;
		c->state = CONN_READ;
		c->last_ms = now;
		c->sess.svc = &lp->svc;
		proto_init(&c->sess.p, fd, fd, -1,
		    (int)lp->conf->request_timeout * 1000);
		c->sess.p.nonblock = 1;
		c->sess.p.debug = lp->conf->debug_level >= 4;
		conn_watch(lp, c, EPOLLIN | EPOLLRDHUP);
		if (c->events == 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = lp->conns;
		if (lp->conns)
			lp->conns->prev = c;
		lp->conns = c;
		lp->nconn++;
		conn_drive(lp, c, now, 1);
	}
}

/* conn_close - end a connection (an SPF outcome for it is dropped);
 * its memory goes after the batch of events, which may still name it */

static void
conn_close(struct loop *lp, struct conn *c)
{
	int i;

	if (c->kind == KIND_DEAD)
		return;
	if (c->state == CONN_SPF) {
		loop_wait_remove(lp, c);
		for (i = 0; i < lp->pool.n; i++)
			if (lp->pool.slot[i].owner == c)
				lp->pool.slot[i].owner = NULL;
	}
	c->kind = KIND_DEAD;
	/* Out of the epoll set before the close: an SPF worker forked a
	 * moment ago may still hold a copy of the descriptor, and while
	 * any copy is open, close() alone leaves it in the set, its next
	 * event naming this connection after it is freed. */
	conn_watch(lp, c, 0);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		lp->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	lp->nconn--;
	log_debug("connection closed after %lu requests", c->sess.requests);
	c->next = lp->dead;
	lp->dead = c;
	if (!lp->stopping && lp->pause_until == 0)
		loop_accepting(lp, 1);
}

/* conn_begun - has a request begun (a byte of it read, or buffered)? */

static int
conn_begun(const struct conn *c)
{
	return ((c->sess.p.pending && c->sess.p.deadline_ms != 0)
	    || c->sess.p.start != c->sess.p.end);
}

/* conn_flush - write what is left of the reply; -1: closed */

static int
conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (0);
		if (n <= 0) {
			log_warn("writing reply");
			return (-1);
		}
		c->outoff += (size_t)n;
	}
	return (0);
}

/* conn_reply - the request's reply into the connection's buffer */

static void
conn_reply(struct loop *lp, struct conn *c)
{
	char reply[POLICY_ACTION_MAX];
	int n;

	service_end(&lp->svc, &c->sess, &c->ev, reply, sizeof(reply));
	n = snprintf(c->out, sizeof(c->out), "action=%s\n\n", reply);
	c->outlen = n < 0 ? 0 : (size_t)n >= sizeof(c->out)
	    ? sizeof(c->out) - 1 : (size_t)n;
	c->outoff = 0;
	c->state = CONN_WRITE;
	c->sess.requests++;
	lp->served++;
}

/* conn_watch - what epoll watches the connection for; 0: nothing, out
 * of the set (a connection waiting for SPF: a reset peer must not make
 * a level-triggered loop spin) */

static void
conn_watch(struct loop *lp, struct conn *c, uint32_t events)
{
	struct epoll_event e;
	int op;

	if (c->events == events)
		return;
	memset(&e, 0, sizeof(e));
	e.events = events;
	e.data.ptr = c;
	op = events == 0 ? EPOLL_CTL_DEL : c->events == 0 ? EPOLL_CTL_ADD
	    : EPOLL_CTL_MOD;
	if (epoll_ctl(lp->epfd, op, c->fd, &e) < 0) {
		log_warn("epoll_ctl connection");
		return;
	}
	c->events = events;
}

/*
 * conn_drive - read, evaluate and reply until it must wait. readable:
 * epoll said so; after a reply only what is buffered is read, and epoll
 * (level-triggered) says when more comes: no read() that finds nothing.
 */

static void
conn_drive(struct loop *lp, struct conn *c, int64_t now, int readable)
{
	enum proto_status ps;
	size_t off;

	for (;;) {
		if (c->state == CONN_SPF) {
			conn_watch(lp, c, 0);
			return;
		}
		if (c->state == CONN_WRITE) {
			off = c->outoff;
			if (conn_flush(c) < 0) {
				conn_close(lp, c);
				return;
			}
			if (c->outoff < c->outlen) {
				/* A peer that reads no reply would hold its
				 * slot for ever: idleTimeout with no
				 * progress, as spawn mode's SO_SNDTIMEO. */
				if (c->write_ms == 0 || c->outoff != off)
					c->write_ms = now
					    + lp->conf->idle_timeout * 1000;
				conn_watch(lp, c, EPOLLOUT);
				return;
			}
			c->write_ms = 0;
			c->state = CONN_READ;
			c->last_ms = now;
			readable = 0;
		}
		/* Stopping: a connection between requests is done. */
		if (lp->stopping && !conn_begun(c)) {
			conn_close(lp, c);
			return;
		}
		if (!readable && c->sess.p.start == c->sess.p.end) {
			conn_watch(lp, c, EPOLLIN | EPOLLRDHUP);
			return;
		}
		ps = proto_read(&c->sess.p, &c->sess.req);
		switch (ps) {
		case PROTO_AGAIN:
			conn_watch(lp, c, EPOLLIN | EPOLLRDHUP);
			return;
		case PROTO_EOF:
			conn_close(lp, c);
			return;
		case PROTO_ERROR:
			log_warnx("%s; closing the connection without a reply",
			    c->sess.p.error);
			conn_close(lp, c);
			return;
		case PROTO_REQUEST:
			break;
		}
		c->q = service_begin(&lp->svc, &c->sess, &c->sess.req,
		    &c->ev);
		service_fault_target(-1);
		if (c->q != NULL) {
			c->state = CONN_SPF;
			conn_spf(lp, c, now);
			continue;
		}
		conn_reply(lp, c);
	}
}

/* conn_spf - its query to a free worker, or in line for one */

static void
conn_spf(struct loop *lp, struct conn *c, int64_t now)
{
	struct spf_pool_slot *s;
	struct spf_outcome out;

	while (c->q != NULL) {
		if ((s = spf_pool_free_slot(&lp->pool)) == NULL) {
			c->wait_ms = now;
			c->wait_next = NULL;
			if (lp->wait_tail)
				lp->wait_tail->wait_next = c;
			else
				lp->wait_head = c;
			lp->wait_tail = c;
			return;
		}
		if (spf_pool_send(&lp->pool, s, c->q, c, now, &out) < 0) {
			conn_spf_done(lp, c, &out, now);
			continue;
		}
		if (spf_worker_watch(&s->w, lp->epfd, s) < 0)
			log_warn("epoll_ctl SPF worker");
		return;
	}
}

/* conn_spf_done - an outcome: resume the request */

static void
conn_spf_done(struct loop *lp, struct conn *c, const struct spf_outcome *out,
    int64_t now)
{
	(void)now;
	service_fault_target(c->fd);
	c->q = service_resume(&lp->svc, &c->ev, out);
	service_fault_target(-1);
	if (c->q == NULL)
		conn_reply(lp, c);
}

/* conn_gone - has the peer of a connection out of the epoll set (in
 * line for a worker) closed it? Its check would be for nobody. */

static int
conn_gone(const struct conn *c)
{
	char b;
	ssize_t n;

	n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK
	    && errno != EINTR));
}

/* loop_wait_remove - out of the line for a worker, if in it */

static void
loop_wait_remove(struct loop *lp, struct conn *c)
{
	struct conn **pp;

	for (pp = &lp->wait_head; *pp; pp = &(*pp)->wait_next)
		if (*pp == c) {
			*pp = c->wait_next;
			break;
		}
	c->wait_next = NULL;
	lp->wait_tail = NULL;
	for (pp = &lp->wait_head; *pp; pp = &(*pp)->wait_next)
		lp->wait_tail = *pp;
}

/* loop_wait_next - a worker is free: the next connection in line (one
 * whose peer has gone is closed: no worker for it) */

static void
loop_wait_next(struct loop *lp, int64_t now)
{
	struct conn *c;

	while ((c = lp->wait_head) != NULL
	    && spf_pool_free_slot(&lp->pool) != NULL) {
		lp->wait_head = c->wait_next;
		if (lp->wait_head == NULL)
			lp->wait_tail = NULL;
		c->wait_next = NULL;
		if (conn_gone(c)) {
			log_debug("client gone while its SPF check waited");
			conn_close(lp, c);
			continue;
		}
		conn_spf(lp, c, now);
		if (c->state != CONN_SPF || c->q == NULL)
			conn_drive(lp, c, now, 0);
	}
}

/*
 * loop_wait_tick - the line for a worker: a connection whose peer has
 * gone leaves it; one in it longer than a check may take (spfTimeout
 * plus a second) has its check answered temperror, as a check that
 * timed out
 */

static void
loop_wait_tick(struct loop *lp, int64_t now)
{
	struct spf_outcome out;
	struct conn *c, *next;
	int64_t limit = lp->conf->spf_timeout * 1000 + 1000;

	for (c = lp->wait_head; c != NULL; c = next) {
		next = c->wait_next;
		if (conn_gone(c)) {
			log_debug("client gone while its SPF check waited");
			conn_close(lp, c);
			continue;
		}
		if (now - c->wait_ms < limit)
			continue;
		loop_wait_remove(lp, c);
		memset(&out, 0, sizeof(out));
		out.result = SPF_R_TEMPERROR;
		snprintf(out.problem, sizeof(out.problem), "no SPF worker "
		    "free in time");
		log_warnx("%s; answering temperror", out.problem);
		conn_spf_done(lp, c, &out, now);
		if (c->q != NULL)
			conn_spf(lp, c, now);
		conn_drive(lp, c, now, 0);
	}
}

/* loop_tick - timers: request and idle limits, SPF deadlines, sync */

static void
loop_tick(struct loop *lp, int64_t now)
{
	struct spf_outcome out;
	struct conn *c, *next;
	int64_t idle = lp->conf->idle_timeout * 1000, wall;

	while ((c = spf_pool_expired(&lp->pool, now, &out)) != NULL) {
		conn_spf_done(lp, c, &out, now);
		if (c->q != NULL)
			conn_spf(lp, c, now);
		conn_drive(lp, c, now, 0);
	}
	loop_wait_next(lp, now);
	loop_wait_tick(lp, now);
	for (c = lp->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_SPF)
			continue;
		if (c->state == CONN_WRITE) {
			if (c->write_ms != 0 && now >= c->write_ms) {
				log_warnx("reply not read within "
				    "idleTimeout; closing the connection");
				conn_close(lp, c);
			}
			continue;
		}
		if (c->sess.p.pending && c->sess.p.deadline_ms != 0
		    && now >= c->sess.p.deadline_ms) {
			log_warnx("request timeout; closing the connection "
			    "without a reply");
			conn_close(lp, c);
		} else if (!conn_begun(c) && now - c->last_ms >= idle) {
			log_debug("idle timeout: closing the connection");
			conn_close(lp, c);
		}
	}
	if (lp->pause_until != 0 && now >= lp->pause_until) {
		lp->pause_until = 0;
		if (!lp->stopping)
			loop_accepting(lp, 1);
	}
	/* Counts no write carried: a write of their own, at most once a
	 * second (counters.c); none while the database fails. */
	wall = timefmt_now_us();
	if (lp->svc.st != NULL && lp->svc.store_failures == 0
	    && counters_due(wall) && counters_flush(lp->svc.st, wall)
	    == STORE_OK)
		lp->served++;
	if (lp->served > 0 && lp->svc.st != NULL
	    && !lp->conf->database_sync) {
		store_sync(lp->svc.st);
		lp->served = 0;
	}
	lp->next_tick = now + LOOP_TICK_MS;
}

/* loop_stopping - SIGTERM: accept no more, drop the idle connections */

static void
loop_stopping(struct loop *lp)
{
	struct conn *c, *next;
	int i;

	loop_accepting(lp, 0);
	for (i = 0; i < lp->nlsn; i++)
		close(lp->lsn[i].fd);
	lp->nlsn = 0;
	lp->stopping = 1;
	for (c = lp->conns; c != NULL; c = next) {
		next = c->next;
		if (c->state == CONN_READ && !conn_begun(c))
			conn_close(lp, c);
	}
}

/*
 * loop_max_conn - maxConnections, or fewer when the descriptor limit
 * would run out first: a request must still be able to open the
 * per-entity files and the database, and an SPF worker its socket
 */

static int
loop_max_conn(const struct config *conf)
{
	struct rlimit rl;
	long long n = conf->max_connections;
	rlim_t keep = LOOP_FD_RESERVE + (rlim_t)conf->spf_workers;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && (long long)rl.rlim_cur - (long long)keep < n) {
		n = rl.rlim_cur > keep + 1 ? (long long)(rl.rlim_cur - keep)
		    : 1;
		log_warnx("maxConnections %lld: only %lld with %llu "
		    "descriptors (ulimit -n)", conf->max_connections, n,
		    (unsigned long long)rl.rlim_cur);
	}
	return ((int)n);
}

/* loop_run - serve until told to stop */

int
loop_run(const struct config *conf, const char *dbpath, const int *fds,
    int n, int keep_stderr)
{
	struct epoll_event ev[LOOP_EVENTS];
	struct spf_outcome out;
	struct spf_limits lim;
	struct sigaction sa;
	struct loop lp;
	struct conn *c;
	sigset_t block, waitmask;
	int64_t now;
	int i, k, timeout;
	int *kind;

	memset(&lp, 0, sizeof(lp));
	lp.conf = conf;
	lp.max_conn = loop_max_conn(conf);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	/* The signals are let in only while waiting (epoll_pwait): none
	 * is missed between the check and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	/* A fault inside the database answers the connection whose step
	 * met it (service_begin(), conn_spf_done()), else nobody. */
	service_fault_target(-1);
	service_probe_open(1);
	service_init(&lp.svc, conf, dbpath);
	lp.svc.spf.keep_stderr = keep_stderr;
	lim = lp.svc.spf.limits;
	spf_pool_init(&lp.pool, (int)conf->spf_workers, lp.svc.receiver,
	    &lim, keep_stderr);
	if ((lp.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		fatal("epoll_create1");
	lp.lsn = xcalloc((size_t)n, sizeof(*lp.lsn));
	for (i = 0; i < n; i++) {
		lp.lsn[i].kind = KIND_LISTENER;
		lp.lsn[i].fd = fds[i];
	}
	lp.nlsn = n;
	loop_accepting(&lp, 1);
	lp.next_tick = timefmt_mono_ms() + LOOP_TICK_MS;
	while (!lp.stopping || lp.nconn > 0) {
		if (loop_stop && !lp.stopping)
			loop_stopping(&lp);
		if (lp.stopping && lp.nconn == 0)
			break;
		now = timefmt_mono_ms();
		timeout = lp.next_tick > now ? (int)(lp.next_tick - now) : 0;
		k = epoll_pwait(lp.epfd, ev, LOOP_EVENTS, timeout, &waitmask);
		if (k < 0 && errno != EINTR)
			fatal("epoll_wait");
		now = timefmt_mono_ms();
		for (i = 0; i < k; i++) {
			kind = ev[i].data.ptr;
			switch (*kind) {
			case KIND_DEAD:
				break;
			case KIND_LISTENER:
				loop_accept(&lp, (struct listener *)kind, now);
				break;
			case KIND_CONN:
				c = (struct conn *)kind;
				conn_drive(&lp, c, now, 1);
				break;
			case SPF_POOL_KIND:
				c = spf_pool_recv(&lp.pool,
				    (struct spf_pool_slot *)kind, &out);
				if (c != NULL) {
					conn_spf_done(&lp, c, &out, now);
					if (c->q != NULL)
						conn_spf(&lp, c, now);
					conn_drive(&lp, c, now, 0);
				}
				loop_wait_next(&lp, now);
				break;
			}
		}
		if (now >= lp.next_tick)
			loop_tick(&lp, now);
		while ((c = lp.dead) != NULL) {
			lp.dead = c->next;
			free(c);
		}
	}
	spf_pool_close(&lp.pool);
	service_close(&lp.svc);
	free(lp.lsn);
	close(lp.epfd);
	return (0);
}
