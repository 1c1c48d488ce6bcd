/*
 * NAME
 *	statctr 3
 * SUMMARY
 *	greyspf-stat's counters: read a period, print it as text or JSON,
 *	write a Prometheus textfile
 * SYNOPSIS
 *	#include "statctr.h"
 *
 *	int	statctr_time(text, us_r)
 *	void	statctr_period(report, since_us, until_us)
 *	int	statctr_read(store, report)
 *	void	statctr_free(report)
 *	void	statctr_text(report)
 *	void	statctr_json(report)
 *	int	statctr_prometheus(report, path)
 * DESCRIPTION
 *	The service keeps its counts by the hour, by the day and as a
 *	running total (db/counter.c). statctr_period() sets the period,
 *	[since, until); statctr_read() walks the counter keys (a range
 *	scan where the store walks in order: they sort after every
 *	entry), adds the hours that begin in the period into report->sum,
 *	keeps the days that begin in it (for the by-day lines) and the
 *	total.
 *
 *	statctr_text() prints a summary in the manner of postgreyreport
 *	and sqlgrey-logstats: requests, what greylisting did, the share
 *	never retried, the delays to the first pass by bucket, what was
 *	whitelisted by kind, SPF results by identity, then one line a day.
 *	statctr_json() prints the same as one JSON object, every known
 *	counter by name (zeros included), times in microseconds.
 *
 *	statctr_prometheus() writes the running total (monotonic, as
 *	Prometheus counters must be) in the text exposition format for
 *	node-exporter's textfile collector, atomically: a temporary file
 *	in the same directory (mkstemp, mode 0644, flushed and synced),
 *	renamed over path, so the collector never reads half a file; the
 *	temporary name does not end in .prom, so the collector never
 *	picks it up.
 *
 *	statctr_time() parses a time for --since and --until: UTC
 *	YYYY-MM-DD, YYYY-MM-DDTHH, YYYY-MM-DDTHH:MM or
 *	YYYY-MM-DDTHH:MM:SS, with an optional Z; or @SECONDS.
 * DIAGNOSTICS
 *	statctr_time() returns 0 or -1. statctr_read() returns a store
 *	code. statctr_prometheus() returns 0, or -1 with errno set (the
 *	temporary file removed).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "key.h"
#include "statctr.h"
#include "timefmt.h"
#include "util.h"

#define US	((int64_t)1000000)

/* A counter and its label in the Prometheus file. */
struct statctr_label {
	int	id;
	const char *label;
};

static enum store_visit statctr_visit(const void *, size_t, const void *,
	    size_t, void *);
static void statctr_day_name(uint32_t, char *, size_t);
static void statctr_json_set(const struct counter_set *, int);
static int statctr_prom_write(FILE *, const struct counter_set *);
static void statctr_prom_counter(FILE *, const char *, const char *,
	    const char *, const struct statctr_label *, size_t,
	    const struct counter_set *);
static int statctr_digits(const char *, int, int *);

/* statctr_digits - exactly n decimal digits */

static int
statctr_digits(const char *p, int n, int *v_r)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		v = v * 10 + (p[i] - '0');
	}
	*v_r = v;
	return (0);
}

/* statctr_time - a UTC date and time, or @seconds */

int
statctr_time(const char *text, int64_t *us_r)
{
	struct tm tm, back;
	long long secs;
	size_t len = strlen(text);
	time_t t;
	int y, mo, d, h = 0, mi = 0, s = 0;

	if (text[0] == '@') {
		if (strnum_ll(text + 1, 0, TIMEFMT_US_MAX / US - 1, &secs) < 0)
			return (-1);
		*us_r = (int64_t)secs * US;
		return (0);
	}
	if (len > 0 && text[len - 1] == 'Z')
		len--;
	if ((len != 10 && len != 13 && len != 16 && len != 19)
	    || statctr_digits(text, 4, &y) < 0 || text[4] != '-'
	    || statctr_digits(text + 5, 2, &mo) < 0 || text[7] != '-'
	    || statctr_digits(text + 8, 2, &d) < 0)
		return (-1);
	if (len >= 13 && (text[10] != 'T'
	    || statctr_digits(text + 11, 2, &h) < 0))
		return (-1);
	if (len >= 16 && (text[13] != ':'
	    || statctr_digits(text + 14, 2, &mi) < 0))
		return (-1);
	if (len == 19 && (text[16] != ':'
	    || statctr_digits(text + 17, 2, &s) < 0))
		return (-1);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	back = tm;
	if (y < 1970 || (t = timegm(&tm)) == (time_t)-1
	    || tm.tm_year != back.tm_year || tm.tm_mon != back.tm_mon
	    || tm.tm_mday != back.tm_mday || tm.tm_hour != back.tm_hour
	    || tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return (-1);	/* 2026-02-30, 25:00 and the like */
	*us_r = (int64_t)t * US;
	return (0);
}

/* statctr_period - the period; room for its days */

void
statctr_period(struct statctr *r, int64_t since_us, int64_t until_us)
{
	memset(r, 0, sizeof(*r));
	r->since_us = since_us;
	r->until_us = until_us;
	r->maxdays = until_us > since_us ? (size_t)((until_us - since_us)
	    / (COUNTER_DAY_S * US)) + 2 : 1;
	if (r->maxdays > 4000)
		r->maxdays = 4000;	/* counterDays is at most 3660 */
	r->days = xcalloc(r->maxdays, sizeof(*r->days));
}

/* statctr_free - the report's memory */

void
statctr_free(struct statctr *r)
{
	free(r->days);
	r->days = NULL;
}

/* statctr_visit - one key of the walk: a counter key, or skipped */

static enum store_visit
statctr_visit(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct statctr *r = ctx;
	struct counter_key key;
	struct counter_set set;
	int64_t start;

	if (!counter_is_key(k, klen))
		return (STORE_NEXT);
	if (counter_key_decode(k, klen, &key) < 0
	    || counter_value_decode(v, vlen, &set) < 0) {
		r->bad++;
		return (STORE_NEXT);
	}
	start = counter_key_start_us(&key);
	switch (key.period) {
	case COUNTER_HOUR:
		if (start >= r->since_us && start < r->until_us) {
			counter_set_add(&r->sum, &set);
			r->hours++;
		}
		break;
	case COUNTER_DAY:
		/* A day that overlaps the period. */
		if (start + COUNTER_DAY_S * US > r->since_us
		    && start < r->until_us && r->ndays < r->maxdays) {
			r->days[r->ndays].day = key.bucket;
			r->days[r->ndays++].set = set;
		}
		break;
	case COUNTER_TOTAL:
		r->total = set;
		break;
	}
	return (STORE_NEXT);
}

/* statctr_read - the counter keys, into the report */

int
statctr_read(struct store *st, struct statctr *r)
{
	struct store_cursor cur;

	memset(&cur, 0, sizeof(cur));
	if (store_caps(st) & STORE_CAP_ORDERED) {
		/* Resume just before the first counter key: 1 'C'. */
		cur.key[0] = KEY_VERSION;
		cur.key[1] = 'C';
		cur.klen = 2;
		cur.started = 1;
	}
	return (store_walk(st, &cur, 0, statctr_visit, r));
}

/* statctr_day_name - a day as YYYY-MM-DD */

static void
statctr_day_name(uint32_t day, char *buf, size_t size)
{
	char iso[TIMEFMT_MAX];

	timefmt_iso((int64_t)day * COUNTER_DAY_S * US, iso, sizeof(iso));
	snprintf(buf, size, "%.10s", iso);
}

#define V(set, id)	((set)->v[(id)])

/* statctr_text - the period as a summary */

void
statctr_text(const struct statctr *r)
{
	static const char *const spf[COUNTER_SPF_RESULTS] = {"none",
	    "neutral", "pass", "fail", "softfail", "temperror", "permerror"};
	static const char *const delays[COUNTER_DELAYS] = {"5m", "10m",
	    "15m", "30m", "1h", "2h", "4h", "12h", "1d", "more"};
	const struct counter_set *s = &r->sum;
	char a[TIMEFMT_MAX], b[TIMEFMT_MAX], name[16];
	uint64_t passes = V(s, CTR_PASS_FIRST);
	size_t i;
	int j, id;

	timefmt_iso(r->since_us, a, sizeof(a));
	timefmt_iso(r->until_us, b, sizeof(b));
	printf("Counters from %s to %s (%zu hours with counts)\n", a, b,
	    r->hours);
	printf("  Requests: %" PRIu64 "\n", V(s, CTR_REQUESTS));
	printf("  Greylisted, new: %" PRIu64 "\n", V(s, CTR_GREYLIST_NEW));
	printf("  Greylisted, retried too early: %" PRIu64 "\n",
	    V(s, CTR_GREYLIST_EARLY));
	printf("  Passed after greylisting: %" PRIu64 "\n", passes);
	if (V(s, CTR_GREYLIST_NEW) > 0)
		printf("  Not passed (share of new): %.1f%%\n",
		    V(s, CTR_GREYLIST_NEW) > passes ? 100.0 * (double)
		    (V(s, CTR_GREYLIST_NEW) - passes)
		    / (double)V(s, CTR_GREYLIST_NEW) : 0.0);
	printf("  Passed, known triplets: %" PRIu64 "\n",
	    V(s, CTR_PASS_KNOWN));
	printf("  Training (defaultSeedOnly): %" PRIu64 "\n",
	    V(s, CTR_TRAINING));
	printf("  No greylist decision: %" PRIu64 "\n", V(s, CTR_NO_KEY));
	printf("  Blackholed: %" PRIu64 "\n", V(s, CTR_BLACKHOLE));
	printf("  Store errors: %" PRIu64 "\n", V(s, CTR_STORE_ERROR));
	printf("Whitelisted\n  Per-entity tree: %" PRIu64 "\n  Whitelist "
	    "file: %" PRIu64 "\n  Auto-whitelist: %" PRIu64 "\n  SPF pass: %"
	    PRIu64 "\n  Trusted relay: %" PRIu64 "\n", V(s, CTR_WL_ENTITY),
	    V(s, CTR_WL_FILE), V(s, CTR_WL_AWL), V(s, CTR_WL_SPF_PASS),
	    V(s, CTR_WL_TRUSTED));
	printf("Delay to the first pass\n");
	for (j = 0; j < COUNTER_DELAYS; j++)
		printf("  %s%s: %" PRIu64 "\n", j < COUNTER_DELAYS - 1
		    ? "up to " : "", delays[j], V(s, CTR_DELAY_0 + j));
	if (passes > 0) {
		timefmt_duration((int64_t)(V(s, CTR_DELAY_SUM_S) / passes)
		    * US, a, sizeof(a));
		printf("  Mean: %s\n", a);
	}
	printf("SPF results\n  MAIL FROM:");
	for (j = 0; j < COUNTER_SPF_RESULTS; j++)
		printf(" %s %" PRIu64, spf[j], V(s, CTR_SPF_MAILFROM_0 + j));
	printf("\n  HELO:");
	for (j = 0; j < COUNTER_SPF_RESULTS; j++)
		printf(" %s %" PRIu64, spf[j], V(s, CTR_SPF_HELO_0 + j));
	printf("\nBy day\n");
	for (i = 0; i < r->ndays; i++) {
		statctr_day_name(r->days[i].day, a, sizeof(a));
		printf("  %s", a);
		for (id = 0; id < COUNTER_SLOTS; id++)
			if (r->days[i].set.v[id])
				printf(" %s=%" PRIu64, counter_name(id, name,
				    sizeof(name)), r->days[i].set.v[id]);
		printf("\n");
	}
	if (r->bad)
		printf("Undecodable counter keys: %zu\n", r->bad);
}

/* statctr_json_set - counters as JSON members; all: zeros too */

static void
statctr_json_set(const struct counter_set *s, int all)
{
	char name[16];
	int id, n = 0;

	printf("{");
	for (id = 0; id < COUNTER_SLOTS; id++) {
		if (s->v[id] == 0 && (!all || id >= CTR_KNOWN))
			continue;
		printf("%s\"%s\": %" PRIu64, n++ ? ", " : "",
		    counter_name(id, name, sizeof(name)), s->v[id]);
	}
	printf("}");
}

/* statctr_json - the period as one JSON object */

void
statctr_json(const struct statctr *r)
{
	char a[TIMEFMT_MAX], b[TIMEFMT_MAX];
	size_t i;

	timefmt_iso(r->since_us, a, sizeof(a));
	timefmt_iso(r->until_us, b, sizeof(b));
	printf("{\n  \"since\": \"%s\", \"since_us\": %" PRId64 ",\n"
	    "  \"until\": \"%s\", \"until_us\": %" PRId64 ",\n"
	    "  \"hours\": %zu, \"undecodable\": %zu,\n  \"counters\": ",
	    a, r->since_us, b, r->until_us, r->hours, r->bad);
	statctr_json_set(&r->sum, 1);
	printf(",\n  \"delay_buckets_le_s\": [");
	for (i = 0; i < COUNTER_DELAYS - 1; i++)
		printf("%s%" PRId64, i ? ", " : "", counter_delay_le[i]);
	printf(", null],\n  \"days\": [");
	for (i = 0; i < r->ndays; i++) {
		statctr_day_name(r->days[i].day, a, sizeof(a));
		printf("%s\n    {\"day\": \"%s\", \"counters\": ", i ? "," : "",
		    a);
		statctr_json_set(&r->days[i].set, 0);
		printf("}");
	}
	printf("\n  ],\n  \"total\": ");
	statctr_json_set(&r->total, 1);
	printf("\n}\n");
}

/* statctr_prom_counter - one labelled counter family, rows from s */

static void
statctr_prom_counter(FILE *fp, const char *metric, const char *help,
    const char *label, const struct statctr_label *rows, size_t n,
    const struct counter_set *s)
{
	size_t i;

	fprintf(fp, "# HELP %s %s\n# TYPE %s counter\n", metric, help,
	    metric);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s{%s=\"%s\"} %" PRIu64 "\n", metric, label,
		    rows[i].label, V(s, rows[i].id));
}

/* statctr_prom_write - the running total in the exposition format */

static int
statctr_prom_write(FILE *fp, const struct counter_set *s)
{
	static const struct statctr_label grey[] = {
		{CTR_GREYLIST_NEW, "new"}, {CTR_GREYLIST_EARLY, "early"},
		{CTR_PASS_FIRST, "pass_first"}, {CTR_PASS_KNOWN, "pass_known"},
		{CTR_TRAINING, "training"}, {CTR_NO_KEY, "no_decision"},
	}, wl[] = {
		{CTR_WL_ENTITY, "entity"}, {CTR_WL_FILE, "file"},
		{CTR_WL_AWL, "auto"}, {CTR_WL_SPF_PASS, "spf_pass"},
		{CTR_WL_TRUSTED, "trusted_relay"},
	}, ident[] = {
		{CTR_SPF_MAILFROM_0, "mailfrom"}, {CTR_SPF_HELO_0, "helo"},
	};
	static const char *const spf[COUNTER_SPF_RESULTS] = {"none",
	    "neutral", "pass", "fail", "softfail", "temperror", "permerror"};
	uint64_t cum = 0;
	size_t i;
	int j;

	fprintf(fp, "# HELP greyspf_requests_total Policy requests.\n"
	    "# TYPE greyspf_requests_total counter\n"
	    "greyspf_requests_total %" PRIu64 "\n", V(s, CTR_REQUESTS));
	statctr_prom_counter(fp, "greyspf_greylist_total",
	    "Greylist decisions.", "result", grey, sizeof(grey)
	    / sizeof(grey[0]), s);
	statctr_prom_counter(fp, "greyspf_whitelisted_total", "Requests "
	    "that skipped greylisting (or SPF, for a trusted relay), by "
	    "kind.", "kind", wl, sizeof(wl) / sizeof(wl[0]), s);
	fprintf(fp, "# HELP greyspf_first_pass_delay_seconds Time from a "
	    "triplet's first request to its first pass.\n"
	    "# TYPE greyspf_first_pass_delay_seconds histogram\n");
	for (j = 0; j < COUNTER_DELAYS; j++) {
		cum += V(s, CTR_DELAY_0 + j);
		if (j < COUNTER_DELAYS - 1)
			fprintf(fp, "greyspf_first_pass_delay_seconds_bucket"
			    "{le=\"%" PRId64 "\"} %" PRIu64 "\n",
			    counter_delay_le[j], cum);
		else
			fprintf(fp, "greyspf_first_pass_delay_seconds_bucket"
			    "{le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	fprintf(fp, "greyspf_first_pass_delay_seconds_sum %" PRIu64 "\n"
	    "greyspf_first_pass_delay_seconds_count %" PRIu64 "\n",
	    V(s, CTR_DELAY_SUM_S), cum);
	fprintf(fp, "# HELP greyspf_spf_results_total SPF results by "
	    "identity.\n# TYPE greyspf_spf_results_total counter\n");
	for (i = 0; i < sizeof(ident) / sizeof(ident[0]); i++)
		for (j = 0; j < COUNTER_SPF_RESULTS; j++)
			fprintf(fp, "greyspf_spf_results_total{identity="
			    "\"%s\",result=\"%s\"} %" PRIu64 "\n",
			    ident[i].label, spf[j], V(s, ident[i].id + j));
	fprintf(fp, "# HELP greyspf_blackholed_total Requests blackholed.\n"
	    "# TYPE greyspf_blackholed_total counter\n"
	    "greyspf_blackholed_total %" PRIu64 "\n"
	    "# HELP greyspf_store_errors_total Requests answered "
	    "storeErrorAction.\n# TYPE greyspf_store_errors_total counter\n"
	    "greyspf_store_errors_total %" PRIu64 "\n", V(s, CTR_BLACKHOLE),
	    V(s, CTR_STORE_ERROR));
	return (ferror(fp) ? -1 : 0);
}

/* statctr_prometheus - the textfile, atomically */

int
statctr_prometheus(const struct statctr *r, const char *path)
{
	char tmp[4096];
	FILE *fp;
	int fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path)
	    >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = mkstemp(tmp)) < 0)
		return (-1);
	if (fchmod(fd, 0644) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return (-1);
	}
	if (statctr_prom_write(fp, &r->total) < 0 || fflush(fp) != 0
	    || fsync(fd) < 0) {
		saved = errno ? errno : EIO;
		fclose(fp);
		unlink(tmp);
		errno = saved;
		return (-1);
	}
	if (fclose(fp) != 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return (-1);
	}
	return (0);
}
