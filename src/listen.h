/*	listen.h - the daemon's listening sockets: specs, binding */
#ifndef GREYSPF_LISTEN_H
#define GREYSPF_LISTEN_H

#include "listen_parse.h"

#define LISTEN_BACKLOG	1024	/* connections the kernel queues */

/* The unix sockets' owner, group and mode (socketOwner, ...). */
struct listen_owner {
	const char *user;		/* "": leave it */
	const char *group;		/* "": leave it */
	int	mode;			/* permission bits */
};

int	listen_bind(const struct listen_spec *, const struct listen_owner *);

/* Tests only: called with a unix socket's path between its bind and
 * its chown (test_listen swaps the path there). */
extern void (*listen_bind_hook)(const char *);

#endif
