/*	statctr.h - greyspf-stat's counters report */
#ifndef GREYSPF_STATCTR_H
#define GREYSPF_STATCTR_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "store.h"

struct statctr_day {
	uint32_t day;			/* days since the epoch */
	struct counter_set set;
};

struct statctr {
	int64_t	since_us, until_us;	/* the period: [since, until) */
	struct counter_set sum;		/* its hours, added */
	size_t	hours;			/* hour keys found in it */
	struct counter_set total;	/* the running total */
	struct statctr_day *days;	/* its day keys, in order */
	size_t	ndays, maxdays;
	size_t	bad;			/* undecodable counter keys */
};

int	statctr_time(const char *, int64_t *);
void	statctr_period(struct statctr *, int64_t, int64_t);
int	statctr_read(struct store *, struct statctr *);
void	statctr_free(struct statctr *);
void	statctr_text(const struct statctr *);
void	statctr_json(const struct statctr *);
int	statctr_prometheus(const struct statctr *, const char *);

#endif
