/*	service.h - the process's state; one policy request evaluated */
#ifndef GREYSPF_SERVICE_H
#define GREYSPF_SERVICE_H

#include <stddef.h>

#include "config.h"
#include "proto.h"
#include "spf.h"
#include "store.h"

struct session;

/* What the process holds, whatever connection it serves (session.h). */
struct service {
	const struct config *conf;
	const char *dbpath;
	struct store *st;
	char	store_error[200];	/* the outage's reason, logged once */
	unsigned long store_failures;	/* requests it cost so far */
	const char *store_answer;	/* what they were answered */
	struct spf_worker spf;
	char	receiver[256];	/* spfReceiver or the host name */
};

void	service_init(struct service *, const struct config *, const char *);
void	service_request(struct service *, struct session *,
	    const struct request *, char *, size_t);
void	service_close(struct service *);

#endif
