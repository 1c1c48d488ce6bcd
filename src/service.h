/*	service.h - evaluate one policy request */
#ifndef GREYSPF_SERVICE_H
#define GREYSPF_SERVICE_H

#include <stddef.h>

#include "config.h"
#include "proto.h"
#include "spf.h"
#include "store.h"

#define SERVICE_INSTANCES	16	/* messages remembered for the header */
#define SERVICE_INSTANCE_MAX	64

struct service {
	const struct config *conf;
	const char *dbpath;
	struct store *st;
	int	store_rc;	/* why st is NULL */
	struct spf_worker spf;
	char	receiver[256];	/* spfReceiver or the host name */
	char	instances[SERVICE_INSTANCES][SERVICE_INSTANCE_MAX];
	int	next_instance;
};

void	service_init(struct service *, const struct config *, const char *);
void	service_request(struct service *, const struct request *, char *,
	    size_t);
void	service_close(struct service *);

#endif
