/*	runsort.h - sort records in bounded memory, for the bulk tools */
#ifndef GREYSPF_RUNSORT_H
#define GREYSPF_RUNSORT_H

#include <stddef.h>

#define RUNSORT_MEMORY		(64 * 1024 * 1024)	/* bytes, default */
#define RUNSORT_MEMORY_MIN	(32 * 1024)		/* bytes */
#define RUNSORT_MEMORY_MAX	(1024LL * 1024 * 1024 * 1024)	/* bytes */
#define RUNSORT_ENV		"GREYSPF_SORT_MEMORY"
/* The largest record: a key, a value and a tag (a line, a path). */
#define RUNSORT_KEY_MAX		511	/* bytes */
#define RUNSORT_VALUE_MAX	8192	/* bytes */
#define RUNSORT_TAG_MAX		4096	/* bytes */

struct runsort;

/* One record of the merged stream; valid until the next runsort_next. */
struct runsort_rec {
	const unsigned char *key;
	size_t	klen;
	const unsigned char *val;
	size_t	vlen;
	const unsigned char *tag;
	size_t	tlen;
	int	same;		/* the same key as the record before */
};

struct runsort *runsort_new(size_t);
size_t	runsort_env_memory(void);
int	runsort_add(struct runsort *, const void *, size_t, const void *,
	    size_t, const void *, size_t);
int	runsort_rewind(struct runsort *);
int	runsort_next(struct runsort *, struct runsort_rec *);
size_t	runsort_runs(const struct runsort *);
const char *runsort_dir(const struct runsort *);
void	runsort_free(struct runsort *);

#endif
