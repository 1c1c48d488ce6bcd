/*	daemon.h - the daemon's supervisor */
#ifndef GREYSPF_DAEMON_H
#define GREYSPF_DAEMON_H

#include "config.h"

struct daemon_opts {
	const char *cpath;		/* the configuration file */
	int	cpath_given;		/* named: it must exist */
	const char *dbpath;		/* -d, or NULL */
	const char **listen;		/* -l specs (each may be a list) */
	int	nlisten;
	int	keep_stderr;		/* -L */
};

int	daemon_run(struct config *, const struct daemon_opts *);

#endif
