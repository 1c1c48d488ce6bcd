/*	session.h - one connection: its state and its request loop */
#ifndef GREYSPF_SESSION_H
#define GREYSPF_SESSION_H

#include "proto.h"
#include "service.h"

#define SESSION_INSTANCES	16	/* messages remembered for the header */
#define SESSION_INSTANCE_MAX	64

struct session {
	struct service *svc;		/* the process's state */
	struct proto p;			/* the connection's reader */
	struct request req;		/* the request being served */
	char	instances[SESSION_INSTANCES][SESSION_INSTANCE_MAX];
	int	next_instance;
	unsigned long requests;		/* answered */
};

int	session_run(struct service *, int, int);

#endif
