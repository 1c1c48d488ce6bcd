/*	entity.h - tumgreyspf's per-entity configuration tree */
#ifndef GREYSPF_ENTITY_H
#define GREYSPF_ENTITY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define ENTITY_VALUE_MAX	256
#define ENTITY_LINE_MAX		1024
#define ENTITY_FILE_MAX		(64 * 1024)	/* bytes read of one file */
#define ENTITY_EXPIRE_DAYS	10.0	/* GREYLISTEXPIREDAYS never set */
#define ENTITY_GREYLIST_TIME	600	/* GREYLISTTIME never set, s */
#define ENTITY_NETS_MAX		32	/* SPFTRUSTEDRELAYS items */

enum {
	ENTITY_SPFSEEDONLY = 1 << 0,
	ENTITY_GREYLISTTIME = 1 << 1,
	ENTITY_CHECKERS = 1 << 2,
	ENTITY_OTHERCONFIGS = 1 << 3,
	ENTITY_GREYLISTEXPIREDAYS = 1 << 4,
	ENTITY_SPFTRUSTEDRELAYS = 1 << 5
};

/*
 * Whether the lookup could read everything it looked for. Anything but
 * ENTITY_OK means the result is not the configuration the tree states
 * (the cause is logged, naming the file): the service then answers
 * configErrorAction instead of deciding on it.
 */
enum entity_status {
	ENTITY_OK,		/* every file that exists was read */
	ENTITY_UNREADABLE,	/* a file or directory could not be read */
	ENTITY_NO_DEFAULT	/* base/__default__ missing or unreadable */
};

struct entity_conf {
	unsigned set;			/* ENTITY_* bits of keys seen */
	long long spfseedonly;
	long long greylisttime;		/* seconds */
	char	checkers[ENTITY_VALUE_MAX];
	char	otherconfigs[ENTITY_VALUE_MAX];
	struct netaddr trusted[ENTITY_NETS_MAX];	/* SPFTRUSTEDRELAYS */
	int	ntrusted;
	double	expiredays;
	int	files_read;
	int	problems;		/* lines reported and skipped */
	enum entity_status status;
};

struct entity_query {
	const char *client_address;	/* "a.b.c.d", "a.b.c", IPv6 text */
	const char *sender;
	const char *recipient;
};

void	entity_lookup(const char *, const struct entity_query *,
	    struct entity_conf *);
int	entity_read_file(const char *, struct entity_conf *);
void	entity_read_stream(FILE *, const char *, struct entity_conf *);
void	entity_cache_enable(void);
void	entity_cache_limit(size_t, size_t);
void	entity_cache_clock(int64_t (*)(void));
void	entity_cache_usage(size_t *, size_t *);
long long entity_greylist_time(const struct entity_conf *, long long);
double	entity_expire_days(const struct entity_conf *);
int64_t	entity_expire_us(const struct entity_conf *);

#endif
