/*
 * NAME
 *	greyspf 8
 * SUMMARY
 *	Postfix policy service: greylisting on LMDB (and SPF)
 * SYNOPSIS
 *	greyspf [-hLV] [-c config] [-d database] [config]
 *
 *	greyspf -D | -l listen [-l listen ...] [-LV] [-c config]
 *		[-d database] [config]
 * DESCRIPTION
 *	Postfix's spawn(8) starts one greyspf per SMTP connection with the
 *	policy protocol on standard input and output; greyspf answers every
 *	request until end of input, then exits 0. The positional config
 *	keeps tumgreyspf's master.cf line working
 *	(argv=/usr/sbin/greyspf /etc/tumgreyspf/tumgreyspf.conf).
 *
 *	Start-up: read the configuration (an error is fatal: Postfix logs
 *	it and applies its default action), drop root privileges to the
 *	configured user, open the database (service.c), then serve the one
 *	connection spawn(8) gives on standard input and output
 *	(session.c). main() only chooses between that and the daemon
 *	(daemon.c, with -l or -D). Nothing but replies
 *	is ever written to standard output; messages go to syslog (facility
 *	mail, ident greyspf), or with -L to standard error, for a terminal.
 *
 *	With -l (a socket to listen on: unix:PATH, inet:ADDRESS:PORT,
 *	inet:[ADDRESS]:PORT; repeatable) or -D (the sockets of the listen
 *	key, or those systemd passed), greyspf is a daemon instead, in the
 *	foreground (daemon.c): it serves many connections in loop
 *	processes (loop.c). Spawn mode ignores the listen key.
 *
 *	A standard descriptor closed at start gets /dev/null (util.c), so
 *	that the database opened later never takes its number.
 * SECURITY
 *	Privileges are dropped before the database is opened and before the
 *	first byte of a request is read. Input is bounded (proto.c).
 * DIAGNOSTICS
 *	Exit 0 at end of input or after closing a bad connection, 1 on a
 *	start-up error, 2 on a usage error.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "privs.h"
#include "service.h"
#include "session.h"
#include "util.h"

static void usage(int) __attribute__((noreturn));

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf [-hLV] [-c config] "
	    "[-d database] [config]\n"
	    "       greyspf -D | -l listen [-l listen ...] [-LV] "
	    "[-c config] [-d database] [config]\n");
	exit(status);
}

int
main(int argc, char **argv)
{
	struct config conf;
	struct service svc;
	struct cli_opts o = {NULL, NULL};
	struct daemon_opts d;
	const char *listen[LISTEN_MAX];
	int c, to_stderr = 0, guard, as_daemon = 0, nlisten = 0;

	/* Before anything is opened: a closed stdout must never become the
	 * database's lock file, with the replies written into it. */
	guard = std_fds_guard();
	log_init("greyspf", LOG_SINK_STDERR);	/* until options are read */
	if (guard < 0)
		fatal("cannot put /dev/null on a closed standard descriptor");
	while ((c = cli_getopt(argc, argv, "c:d:Dhl:LV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		switch (c) {
		case 'D':
			as_daemon = 1;
			break;
		case 'l':
			if (nlisten == LISTEN_MAX)
				fatalx("-l: at most %d", LISTEN_MAX);
			listen[nlisten++] = optarg;
			as_daemon = 1;
			break;
		case 'L':
			to_stderr = 1;
			break;
		default:
			usage(2);
		}
	}
	if (argc - optind > 1 || (argc - optind == 1 && o.cpath != NULL))
		usage(2);
	if (argc - optind == 1)
		o.cpath = argv[optind];
	log_init("greyspf", to_stderr ? LOG_SINK_STDERR : LOG_SINK_SYSLOG);
	signal(SIGPIPE, SIG_IGN);
	if (config_load_default(o.cpath, o.cpath != NULL, &conf) < 0)
		fatalx("%s: configuration errors, see above",
		    o.cpath ? o.cpath : CONFIG_DEFAULT_PATH);
	log_set_verbose(conf.debug_level >= 3);
	if (conf.debug_level >= 2)
		log_info("Starting");
	if (as_daemon) {
		memset(&d, 0, sizeof(d));
		d.cpath = o.cpath;
		d.cpath_given = o.cpath != NULL;
		d.dbpath = o.dbpath;
		d.listen = listen;
		d.nlisten = nlisten;
		d.keep_stderr = to_stderr;
		return (daemon_run(&conf, &d));
	}
	privs_drop(conf.user);
	service_init(&svc, &conf, o.dbpath);
	svc.spf.keep_stderr = to_stderr;
	session_run(&svc, 0, 1);	/* spawn: one connection, fds 0 and 1 */
	service_close(&svc);
	return (0);
}
