/*	timefmt.h - print and parse microsecond times */
#ifndef GREYSPF_TIMEFMT_H
#define GREYSPF_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX	40
/* The latest time greyspf stores or parses: 10000-01-01, microseconds. */
#define TIMEFMT_US_MAX	((int64_t)253402300800LL * 1000000)

void	timefmt_us(int64_t, char *, size_t);
int	timefmt_parse_us(const char *, int64_t *);
void	timefmt_iso(int64_t, char *, size_t);
void	timefmt_duration(int64_t, char *, size_t);
int64_t	timefmt_now_us(void);
int64_t	timefmt_mono_ms(void);

#endif
