/*	service.h - evaluate one policy request */
#ifndef GREYSPF_SERVICE_H
#define GREYSPF_SERVICE_H

#include <stddef.h>

#include "config.h"
#include "proto.h"
#include "store.h"

struct service {
	const struct config *conf;
	const char *dbpath;
	struct store *st;
	int	store_rc;	/* why st is NULL */
	int	spf_warned;
};

void	service_init(struct service *, const struct config *, const char *);
void	service_request(struct service *, const struct request *, char *,
	    size_t);
void	service_close(struct service *);

#endif
