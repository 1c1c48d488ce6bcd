/*	redis_spec.h - a Redis database spec, parsed */
#ifndef GREYSPF_REDIS_SPEC_H
#define GREYSPF_REDIS_SPEC_H

#include <stddef.h>

#define REDIS_SPEC_HOSTS	8	/* sentinels in one spec */
#define REDIS_SPEC_HOST_MAX	256	/* bytes of a host name, with NUL */
#define REDIS_SPEC_PATH_MAX	108	/* sun_path, with NUL */
#define REDIS_SPEC_NAME_MAX	64	/* a sentinel master name, with NUL */
#define REDIS_SPEC_DB_MAX	65535

enum redis_kind { REDIS_TCP, REDIS_UNIX, REDIS_SENTINEL };

struct redis_spec {
	enum redis_kind kind;
	int	nhosts;			/* REDIS_TCP: 1; sentinels: 1 or more */
	char	host[REDIS_SPEC_HOSTS][REDIS_SPEC_HOST_MAX];
	int	port[REDIS_SPEC_HOSTS];
	char	path[REDIS_SPEC_PATH_MAX];	/* REDIS_UNIX */
	char	master[REDIS_SPEC_NAME_MAX];	/* REDIS_SENTINEL */
	int	db;			/* SELECT, 0 by default */
};

int	redis_spec_parse(const char *, struct redis_spec *, char *, size_t);
int	redis_spec_is(const char *);

#endif
