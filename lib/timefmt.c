/*
 * NAME
 *	timefmt 3
 * SUMMARY
 *	print and parse microsecond times
 * SYNOPSIS
 *	#include "timefmt.h"
 *
 *	void	timefmt_us(us, buf, size)
 *	int	timefmt_parse_us(text, us_r)
 *	void	timefmt_iso(us, buf, size)
 *	void	timefmt_duration(us, buf, size)
 *	int64_t	timefmt_now_us(void)
 *	int64_t	timefmt_mono_ms(void)
 * DESCRIPTION
 *	timefmt_us() prints seconds since the epoch with exactly six
 *	decimals ("1795235937.173611"); timefmt_parse_us() accepts that
 *	form only, so a dump has one spelling of each time.
 *	timefmt_iso() prints UTC as 2026-11-21T04:38:57.173611Z.
 *	timefmt_duration() prints a signed span in at most two units:
 *	"9d23h", "4h05m", "-3m12s", "42s".
 *
 *	timefmt_now_us() reads the clock; it is the only place the tools
 *	do, so a test moves time with faketime. timefmt_mono_ms() reads
 *	the monotonic clock, in milliseconds, for timeouts.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

void
timefmt_us(int64_t us, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRId64 ".%06d", us / 1000000,
	    (int)(us % 1000000));
}

/* timefmt_parse_us - digits "." six digits, up to year 9999 */

int
timefmt_parse_us(const char *text, int64_t *us_r)
{
	int64_t sec = 0;
	int frac = 0, i;
	const char *p = text;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '.'))
		return (-1);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > TIMEFMT_US_MAX / 1000000)
			return (-1);
		sec = sec * 10 + (*p - '0');
	}
	if (*p++ != '.')
		return (-1);
	for (i = 0; i < 6; i++, p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		frac = frac * 10 + (*p - '0');
	}
	if (*p != 0 || sec > TIMEFMT_US_MAX / 1000000)
		return (-1);
	*us_r = sec * 1000000 + frac;
	return (*us_r <= TIMEFMT_US_MAX ? 0 : -1);
}

void
timefmt_iso(int64_t us, char *buf, size_t size)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

void
timefmt_duration(int64_t us, char *buf, size_t size)
{
	const char *sign = us < 0 ? "-" : "";
	int64_t s = (us < 0 ? -us : us) / 1000000;

	if (s >= 86400)
		snprintf(buf, size, "%s%" PRId64 "d%02dh", sign, s / 86400,
		    (int)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, size, "%s%dh%02dm", sign, (int)(s / 3600),
		    (int)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, size, "%s%dm%02ds", sign, (int)(s / 60),
		    (int)(s % 60));
	else
		snprintf(buf, size, "%s%ds", sign, (int)s);
}

int64_t
timefmt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

int64_t
timefmt_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
