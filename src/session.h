/*	session.h - one connection: its state and its request loop */
#ifndef GREYSPF_SESSION_H
#define GREYSPF_SESSION_H

#include "policy.h"
#include "proto.h"
#include "service.h"

struct session {
	struct service *svc;		/* the process's state */
	struct proto p;			/* the connection's reader */
	struct request req;		/* the request being served */
	struct policy_seen seen;	/* messages given an SPF header */
	unsigned long requests;		/* answered */
};

int	session_run(struct service *, int, int);

#endif
