/*	benchlib.h - what the benchmark programs share: a monotonic clock
 *	in seconds and a comparison for sorting latencies (percentiles). */
#ifndef GREYSPF_BENCHLIB_H
#define GREYSPF_BENCHLIB_H

#include <time.h>

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static inline int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

#endif
