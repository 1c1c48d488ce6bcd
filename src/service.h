/*	service.h - the process's state; one policy request evaluated */
#ifndef GREYSPF_SERVICE_H
#define GREYSPF_SERVICE_H

#include <stddef.h>

#include "config.h"
#include "proto.h"
#include "spf.h"
#include "store.h"

struct session;
struct whitelist;

/* What the process holds, whatever connection it serves (session.h). */
struct service {
	const struct config *conf;
	const char *dbpath;
	struct store *st;
	char	store_error[200];	/* the outage's reason, logged once */
	unsigned long store_failures;	/* requests it cost so far */
	struct spf_worker spf;
	char	receiver[256];	/* spfReceiver or the host name */
	struct whitelist *wl;	/* whitelist files; NULL: none */
	int	wl_loading;	/* problems are being counted */
	int	wl_problems;	/* counted at the last load */
};

void	service_init(struct service *, const struct config *, const char *);
void	service_request(struct service *, struct session *,
	    const struct request *, char *, size_t);
void	service_close(struct service *);
void	service_log_event(const char *, const struct request *);
/* service_whitelist.c */
int	service_whitelist_load(struct service *, int);
int	service_whitelist_match(struct service *, const struct request *);

#endif
