/*	legacy.h - tumgreyspf's data tree: names, paths, times */
#ifndef GREYSPF_LEGACY_H
#define GREYSPF_LEGACY_H

#include <stdint.h>

#include "key.h"
#include "record.h"

#define LEGACY_NAME_MAX		255	/* one path component */
#define LEGACY_DEPTH_MAX	12	/* components below the data root */
#define LEGACY_PATH_MAX		4096

/* How the original spelled the client in the path. */
enum legacy_form {
	LEGACY_V4_HOST,		/* a/b/c/d */
	LEGACY_V4_NET24,	/* a/b/c (ignoreLastByte) */
	LEGACY_V6_HOST,		/* one component with colons */
	LEGACY_V6_COLLAPSED,	/* no component: every IPv6 client */
	LEGACY_MAPPED,		/* ::ffff:a/b/c[/d], stored as IPv4 */
	LEGACY_V6_DOTTED	/* other IPv6 with an IPv4 tail */
};
#define LEGACY_FORMS	6

struct legacy_entry {
	struct greykey key;
	enum legacy_form form;
	int	noncanonical;	/* name not as tumgreyspf wrote it */
};

int	legacy_parse_path(char *const *, int, struct legacy_entry *,
	    const char **);
int	legacy_format_path(const struct greykey *, char *, size_t,
	    const char **);
const char *legacy_form_name(enum legacy_form);
/* A tree's file times, to tell whether its access times look reset. */
struct legacy_times {
	size_t	n;
	int64_t	amin, amax;	/* access times (last requests), us */
	int64_t	mmin, mmax;	/* modification times (allow times), us */
};

#define LEGACY_ATIME_WINDOW_US	(3600LL * 1000000)	/* one hour */
#define LEGACY_MTIME_SPAN_US	(86400LL * 1000000)	/* one day */

/* Why access times look reset. */
enum legacy_reset {
	LEGACY_ATIME_REAL,	/* they do not */
	LEGACY_ATIME_SAME,	/* all equal */
	LEGACY_ATIME_LATER,	/* all later than every mtime */
	LEGACY_ATIME_CLUSTERED	/* within the window, mtimes spread */
};

void	legacy_to_record(int64_t, int64_t, int64_t, struct greyrec *);
void	legacy_to_record_unretried(int64_t, int64_t, struct greyrec *);
void	legacy_times_add(struct legacy_times *, int64_t, int64_t);
enum legacy_reset legacy_times_reset(const struct legacy_times *);
int	legacy_ts_to_us(int64_t, long, int64_t *);

#endif
