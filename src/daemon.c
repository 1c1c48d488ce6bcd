/*
 * NAME
 *	daemon 3
 * SUMMARY
 *	the daemon's supervisor: listen, drop privileges, run and replace
 *	the loop processes, signals
 * SYNOPSIS
 *	#include "daemon.h"
 *
 *	int	daemon_run(conf, opts)
 * DESCRIPTION
 *	daemon_run() is greyspf with -l or a listen key: the process
 *	systemd starts, in the foreground. It takes the listening sockets
 *	systemd passed (LISTEN_FDS, sdglue.c) or binds those of -l and the
 *	listen key (listen.c; -l wins), with the unix sockets' socketOwner
 *	(default: user), socketGroup and socketMode; it raises the soft
 *	descriptor limit towards maxConnections (within the hard limit: a
 *	daemon started by hand gets 1024); then it drops privileges to
 *	user (privs.c) and forks daemonProcesses loop
 *	processes (loop.c), which share the listening sockets and each
 *	open the database. It never opens the database itself. Then it
 *	tells systemd it is ready (READY=1) and waits for signals:
 *
 * .IP \(bu
 *	a loop process that ends is replaced at once, or, if it lived
 *	less than DAEMON_STABLE_MS, after a delay doubling from
 *	DAEMON_BACKOFF_MS up to DAEMON_BACKOFF_MAX_MS, so that a crash loop
 *	does not spin;
 * .IP \(bu
 *	SIGHUP re-reads the configuration file. A bad one is reported
 *	(file:line) and the old one kept. A good one replaces the loop
 *	processes: new ones start with it at once, the old ones stop
 *	accepting, answer what they are answering and exit (as for
 *	SIGTERM). listen, user, database and the socket keys need a
 *	restart: a change to them is logged and not applied;
 * .IP \(bu
 *	SIGTERM and SIGINT stop: the loop processes are told to (SIGTERM:
 *	they stop accepting, answer the requests in flight and exit);
 *	those left after DAEMON_DRAIN_MS are killed. Then the unix sockets
 *	it bound are removed, and it exits 0.
 * .PP
 *	A loop process whose supervisor dies (kill -9) gets SIGTERM
 *	(PR_SET_PDEATHSIG) and stops as above: a new daemon can bind at
 *	once, and no process serves without a supervisor.
 * SECURITY
 *	Only binding runs as root; everything after it, reading the
 *	configuration again included, runs as user.
 * DIAGNOSTICS
 *	A listen spec that does not parse or bind, or no listen spec at
 *	all, is fatal at start-up.
 */

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "privs.h"
#include "sdglue.h"
#include "timefmt.h"
#include "util.h"

#define DAEMON_STABLE_MS	5000	/* a child that lived this long is ok */
#define DAEMON_BACKOFF_MS	500	/* first delay after a quick death */
#define DAEMON_BACKOFF_MAX_MS	30000	/* longest delay */
#define DAEMON_DRAIN_MS		10000	/* loop processes' time to finish */
#define DAEMON_CHILDREN_MAX	256	/* current and draining ones */
#define DAEMON_FD_SPARE		64	/* descriptors beyond the connections */

struct daemon_child {
	pid_t	pid;			/* 0: free */
	int	current;		/* of the current configuration */
	int64_t	started_ms;
	int64_t	kill_at_ms;		/* draining: SIGKILL then; 0: none */
};

struct daemon {
	struct config *conf;
	const struct daemon_opts *o;
	int	fds[LISTEN_MAX];
	struct listen_spec specs[LISTEN_MAX];
	int	nfds;
	int	activated;		/* fds from systemd */
	int	sigfd;
	struct daemon_child child[DAEMON_CHILDREN_MAX];
	int	want;			/* current children wanted */
	int	backoff_ms;
	int64_t	respawn_at_ms;		/* 0: none pending */
	int	stopping;
	pid_t	pid;			/* the supervisor's */
};

static void daemon_listen(struct daemon *);
static void daemon_nofile(const struct config *);
static void daemon_spawn(struct daemon *, int64_t);
static void daemon_reap(struct daemon *, int64_t);
static void daemon_reload(struct daemon *, int64_t);
static void daemon_drain(struct daemon *, int, int64_t);
static int daemon_count(const struct daemon *, int);

/* daemon_listen - systemd's sockets, or bind those configured */

static void
daemon_listen(struct daemon *d)
{
	struct listen_owner own;
	const char *why;
	int i, n = 0, fl;

	if ((d->nfds = sdglue_listen_fds()) > 0) {
		if (d->nfds > LISTEN_MAX)
			fatalx("systemd passed %d sockets, at most %d",
			    d->nfds, LISTEN_MAX);
		for (i = 0; i < d->nfds; i++) {
			d->fds[i] = 3 + i;
			fl = fcntl(d->fds[i], F_GETFL);
			if (fl < 0 || fcntl(d->fds[i], F_SETFL, fl | O_NONBLOCK)
			    < 0 || fcntl(d->fds[i], F_SETFD, FD_CLOEXEC) < 0)
				fatal("socket %d from systemd", d->fds[i]);
		}
		d->activated = 1;
		log_info("daemon: %d listening sockets from systemd",
		    d->nfds);
		return;
	}
	for (i = 0; i < d->o->nlisten; i++)
		if (listen_parse_list(d->o->listen[i], d->specs, LISTEN_MAX,
		    &n, &why) < 0)
			fatalx("-l %.200s: %s", d->o->listen[i], why);
	if (d->o->nlisten == 0 && d->conf->listen[0]
	    && listen_parse_list(d->conf->listen, d->specs, LISTEN_MAX, &n,
	    &why) < 0)
		fatalx("%s: listen = %.200s: %s", d->conf->source[0]
		    ? d->conf->source : "configuration", d->conf->listen, why);
	if (n == 0)
		fatalx("daemon: nothing to listen on (-l or listen)");
	own.user = d->conf->socket_owner[0] ? d->conf->socket_owner
	    : geteuid() == 0 ? d->conf->user : "";
	own.group = d->conf->socket_group;
	own.mode = d->conf->socket_mode;
	for (i = 0; i < n; i++) {
		if ((d->fds[i] = listen_bind(&d->specs[i], &own)) < 0)
			fatalx("%s: cannot listen", d->specs[i].text);
		log_info("daemon: listening on %s", d->specs[i].text);
	}
	d->nfds = n;
}

/* daemon_count - children alive, current ones or all */

static int
daemon_count(const struct daemon *d, int current_only)
{
	int i, n = 0;

	for (i = 0; i < DAEMON_CHILDREN_MAX; i++)
		if (d->child[i].pid > 0 && (!current_only
		    || d->child[i].current))
			n++;
	return (n);
}

/* daemon_spawn - fork loop processes up to the number wanted */

static void
daemon_spawn(struct daemon *d, int64_t now)
{
	sigset_t none;
	pid_t pid;
	int i;

	while (!d->stopping && daemon_count(d, 1) < d->want) {
		for (i = 0; i < DAEMON_CHILDREN_MAX; i++)
			if (d->child[i].pid == 0)
				break;
		if (i == DAEMON_CHILDREN_MAX) {
			log_warnx("daemon: too many processes draining");
			return;
		}
		switch (pid = fork()) {
		case -1:
			log_warn("daemon: fork");
			d->respawn_at_ms = now + DAEMON_BACKOFF_MS;
			return;
		case 0:
			/* The supervisor gone (kill -9): drain and exit, so a
			 * new one can bind and nothing serves unsupervised. */
			if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0
			    || getppid() != d->pid)
				_exit(1);
			close(d->sigfd);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGCHLD, SIG_DFL);
			_exit(loop_run(d->conf, d->o->dbpath, d->fds, d->nfds,
			    d->o->keep_stderr));
		default:
			break;
		}
		d->child[i].pid = pid;
		d->child[i].current = 1;
		d->child[i].started_ms = now;
		d->child[i].kill_at_ms = 0;
		log_debug("daemon: loop process %ld started", (long)pid);
	}
}

/* daemon_reap - children that ended; a quick death delays the next */

static void
daemon_reap(struct daemon *d, int64_t now)
{
	struct daemon_child *c;
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < DAEMON_CHILDREN_MAX; i++)
			if (d->child[i].pid == pid)
				break;
		if (i == DAEMON_CHILDREN_MAX)
			continue;
		c = &d->child[i];
		c->pid = 0;
		if (!c->current || d->stopping)
			continue;
		if (WIFSIGNALED(status))
			log_warnx("daemon: loop process %ld killed by signal "
			    "%d; replacing it", (long)pid, WTERMSIG(status));
		else
			log_warnx("daemon: loop process %ld exited with "
			    "status %d; replacing it", (long)pid,
			    WEXITSTATUS(status));
		if (now - c->started_ms < DAEMON_STABLE_MS) {
			d->backoff_ms = d->backoff_ms == 0 ? DAEMON_BACKOFF_MS
			    : d->backoff_ms * 2 > DAEMON_BACKOFF_MAX_MS
			    ? DAEMON_BACKOFF_MAX_MS : d->backoff_ms * 2;
			if (d->respawn_at_ms == 0)
				d->respawn_at_ms = now + d->backoff_ms;
			log_warnx("daemon: it lived %lld ms: the next in %d ms",
			    (long long)(now - c->started_ms), d->backoff_ms);
		} else
			d->backoff_ms = 0;
	}
}

/* daemon_drain - tell children to stop; current ones, or all */

static void
daemon_drain(struct daemon *d, int all, int64_t now)
{
	int i;

	for (i = 0; i < DAEMON_CHILDREN_MAX; i++) {
		if (d->child[i].pid <= 0 || (!all && !d->child[i].current))
			continue;
		if (d->child[i].kill_at_ms == 0) {
			kill(d->child[i].pid, SIGTERM);
			d->child[i].kill_at_ms = now + DAEMON_DRAIN_MS;
		}
		d->child[i].current = 0;
	}
}

/* daemon_reload - SIGHUP: a new configuration, new loop processes */

static void
daemon_reload(struct daemon *d, int64_t now)
{
	struct config nc;
	const char *path = d->o->cpath;

	sdglue_notify("RELOADING=1");
	if (config_load_default(path, d->o->cpath_given, &nc) < 0) {
		log_warnx("%s: configuration errors, see above; keeping the "
		    "old configuration", path ? path : CONFIG_DEFAULT_PATH);
		sdglue_notify("READY=1");
		return;
	}
	if (strcmp(nc.listen, d->conf->listen) != 0
	    || strcmp(nc.user, d->conf->user) != 0
	    || strcmp(nc.database, d->conf->database) != 0
	    || strcmp(nc.socket_owner, d->conf->socket_owner) != 0
	    || strcmp(nc.socket_group, d->conf->socket_group) != 0
	    || nc.socket_mode != d->conf->socket_mode)
		log_warnx("SIGHUP: listen, user, database and the socket "
		    "keys change only with a restart; keeping them");
	memcpy(nc.listen, d->conf->listen, sizeof(nc.listen));
	memcpy(nc.user, d->conf->user, sizeof(nc.user));
	memcpy(nc.database, d->conf->database, sizeof(nc.database));
	memcpy(nc.socket_owner, d->conf->socket_owner,
	    sizeof(nc.socket_owner));
	memcpy(nc.socket_group, d->conf->socket_group,
	    sizeof(nc.socket_group));
	nc.socket_mode = d->conf->socket_mode;
	*d->conf = nc;
	log_set_verbose(d->conf->debug_level >= 3);
	log_info("SIGHUP: configuration read again; replacing the loop "
	    "processes");
	daemon_drain(d, 0, now);
	d->want = (int)d->conf->daemon_processes;
	d->backoff_ms = 0;
	d->respawn_at_ms = 0;
	daemon_spawn(d, now);
	sdglue_notify("READY=1");
}

/*
 * daemon_nofile - raise the soft descriptor limit towards what
 * maxConnections needs, within the hard limit: a daemon started by hand
 * has a soft limit of 1024 (systemd's unit sets LimitNOFILE), and each
 * connection is a descriptor. Lowered limits are left alone.
 */

static void
daemon_nofile(const struct config *conf)
{
	struct rlimit rl;
	rlim_t want;

	want = (rlim_t)conf->max_connections + DAEMON_FD_SPARE
	    + 2 * (rlim_t)conf->spf_workers;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max;
	if (want <= rl.rlim_cur)
		return;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn("setrlimit RLIMIT_NOFILE %llu",
		    (unsigned long long)want);
}

/* daemon_run - the supervisor */

int
daemon_run(struct config *conf, const struct daemon_opts *o)
{
	struct signalfd_siginfo si;
	struct pollfd pfd;
	struct daemon *d;
	const struct sockaddr_un *sun;
	sigset_t set;
	int64_t now, wake;
	int i, timeout;

	d = xcalloc(1, sizeof(*d));
	d->conf = conf;
	d->o = o;
	d->pid = getpid();
	daemon_listen(d);
	daemon_nofile(conf);
	privs_drop(conf->user);

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((d->sigfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	d->want = (int)conf->daemon_processes;
	daemon_spawn(d, timefmt_mono_ms());
	sdglue_notify("READY=1");
	log_info("daemon: started %d loop processes", d->want);

	for (;;) {
		now = timefmt_mono_ms();
		if (d->stopping && daemon_count(d, 0) == 0)
			break;
		wake = -1;
		if (d->respawn_at_ms != 0)
			wake = d->respawn_at_ms;
		for (i = 0; i < DAEMON_CHILDREN_MAX; i++)
			if (d->child[i].pid > 0 && d->child[i].kill_at_ms != 0
			    && (wake < 0 || d->child[i].kill_at_ms < wake))
				wake = d->child[i].kill_at_ms;
		timeout = wake < 0 ? -1 : wake > now ? (int)(wake - now) : 0;
		pfd.fd = d->sigfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			fatal("poll");
		now = timefmt_mono_ms();
		while (pfd.revents & POLLIN && read(d->sigfd, &si, sizeof(si))
		    == (ssize_t)sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGCHLD:
				daemon_reap(d, now);
				break;
			case SIGHUP:
				if (!d->stopping)
					daemon_reload(d, now);
				break;
			default:
				if (d->stopping)
					break;
				log_info("daemon: signal %d: stopping",
				    (int)si.ssi_signo);
				sdglue_notify("STOPPING=1");
				d->stopping = 1;
				daemon_drain(d, 1, now);
				break;
			}
			pfd.revents = 0;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 0) <= 0)
				break;
		}
		daemon_reap(d, now);
		for (i = 0; i < DAEMON_CHILDREN_MAX; i++)
			if (d->child[i].pid > 0 && d->child[i].kill_at_ms != 0
			    && now >= d->child[i].kill_at_ms) {
				log_warnx("daemon: loop process %ld still "
				    "busy after %d ms: killed",
				    (long)d->child[i].pid, DAEMON_DRAIN_MS);
				kill(d->child[i].pid, SIGKILL);
				d->child[i].kill_at_ms = 0;
			}
		if (d->respawn_at_ms != 0 && now >= d->respawn_at_ms) {
			d->respawn_at_ms = 0;
			daemon_spawn(d, now);
		} else if (d->respawn_at_ms == 0)
			daemon_spawn(d, now);
	}
	for (i = 0; i < d->nfds; i++) {
		sun = (const struct sockaddr_un *)&d->specs[i].addr;
		if (!d->activated && d->specs[i].family == AF_UNIX)
			(void)unlink(sun->sun_path);
		close(d->fds[i]);
	}
	log_info("daemon: stopped");
	free(d);
	return (0);
}
