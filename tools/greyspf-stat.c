/*
 * NAME
 *	greyspf-stat 8
 * SUMMARY
 *	show the greyspf database: environment, entries, summary
 * SYNOPSIS
 *	greyspf-stat [-sV] [-c config] [-d database] [--json]
 *	    [--client net] [--sender addr] [--recipient addr] [--state s]
 *	greyspf-stat --counters [-V] [-c config] [-d database] [--json]
 *	    [--days n | --since time [--until time]]
 *	greyspf-stat --prometheus file [-V] [-c config] [-d database]
 * DESCRIPTION
 *	Prints, as mdb_stat does, the environment (path, map size, pages,
 *	readers); then every entry, one a line, in the manner of
 *	tumgreyspf-stat but done right: IPv6 and IP-only entries included,
 *	first-seen, last-seen and allow time shown as UTC times, the state
 *	(pending, unretried: allowed but no retry since, passed) and the
 *	time left until greyspf-clean(8) would drop it, computed from the
 *	GREYLISTEXPIREDAYS that applies to the entry; then summary counts.
 *	Addresses are shown escaped as in the legacy tree (%XX), the null
 *	sender as <>. -s prints the environment and summary only.
 *
 *	--json prints one JSON object with the same content: times as ISO
 *	8601 strings and as integer microseconds.
 *
 *	--client, --sender, --recipient and --state list (and count in
 *	the summary) only the entries that match them all (filter.c).
 *	Auto-whitelist entries are listed as TYPE=awl, with their state:
 *	whitelisted (autoWhitelistClients passes, not lapsed), counting,
 *	or lapsed.
 *
 *	--counters prints the statistics counters (statctr.c) for a period:
 *	the last --days n days (1 when not given), to the end of the
 *	current hour, or from --since to --until (now when not given); as
 *	text, or with --json as JSON. --prometheus file writes the running
 *	totals as a node-exporter textfile, atomically, and prints nothing
 *	else unless --counters is given too.
 *
 *	The database is opened read-only, and the listing is one read
 *	transaction: a consistent snapshot.
 * DIAGNOSTICS
 *	Exit 0 on success, 1 on a run-time failure or a write error on
 *	stdout, 2 on a usage error.
 */

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "dumpfmt.h"
#include "filter.h"
#include "statctr.h"
#include "legacy.h"
#include "quote.h"
#include "entry.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

struct stat_ctx {
	const struct config *conf;
	struct filter filter;
	int	json, summary_only;
	int64_t	now;
	size_t	n, triplets, iponly, v4, v6, bad, expired;
	size_t	states[3];
	size_t	awl, awl_listed, counter_keys;
};

/* The counters' options. */
struct stat_args {
	int	counters;	/* --counters */
	const char *prometheus;	/* --prometheus file */
	int	days;		/* --days; 0: not given */
	int	since_set, until_set;
	int64_t	since_us, until_us;
};

static void usage(int) __attribute__((noreturn));
static void stat_bad(const char *, const char *) __attribute__((noreturn));
static const char *stat_awl_state(const struct stat_ctx *,
	    const struct greyrec *, int64_t);
static void stat_awl(struct stat_ctx *, const struct greykey *,
	    const struct greyrec *);
static int stat_counters(struct store *, const struct stat_args *, int);
static int stat_option(int, struct stat_ctx *, struct stat_args *);

/* stat_bad - a bad option argument: a usage error */

static void
stat_bad(const char *opt, const char *arg)
{
	log_warnx("%s: bad argument \"%.100s\"", opt, arg);
	usage(CLI_EXIT_USAGE);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-stat [-sV] "
	    "[-c config] [-d database] [--json]\n"
	    "\t[--client net] [--sender addr] [--recipient addr] "
	    "[--state s]\n"
	    "       greyspf-stat --counters [-V] [-c config] [-d database] "
	    "[--json]\n"
	    "\t[--days n | --since time [--until time]]\n"
	    "       greyspf-stat --prometheus file [-V] [-c config] "
	    "[-d database]\n");
	exit(status);
}

/* stat_addr - escaped address, <> for the null sender */

static void
stat_addr(const char *addr, char *buf, size_t size)
{
	if (*addr == 0 || quote_address(addr, buf, size) < 0)
		snprintf(buf, size, "<>");
}

static void
stat_entry_text(const struct greykey *key, const struct greyrec *rec,
    enum record_state state, int64_t expires)
{
	char net[ADDR_TEXT_MAX], s[3 * KEY_TEXT_MAX + 4], r[3 * KEY_TEXT_MAX + 4];
	char first[TIMEFMT_MAX], last[TIMEFMT_MAX], allow[TIMEFMT_MAX];
	char left[TIMEFMT_MAX];

	addr_format_net(&key->client, net, sizeof(net));
	timefmt_iso(rec->first_us, first, sizeof(first));
	timefmt_iso(rec->last_us, last, sizeof(last));
	timefmt_iso(rec->allow_us, allow, sizeof(allow));
	timefmt_duration(expires, left, sizeof(left));
	if (key->kind == KEY_IPONLY) {
		printf("TYPE=iponly IP=%s", net);
	} else {
		stat_addr(key->sender, s, sizeof(s));
		stat_addr(key->recipient, r, sizeof(r));
		printf("TYPE=triplet IP=%s SENDER=%s RECIPIENT=%s", net, s, r);
	}
	printf(" FIRST=%s%s LAST=%s ALLOW=%s PASSES=%" PRIu32, first,
	    (rec->flags & RECORD_F_FIRST_INFERRED) ? "(inferred)" : "",
	    last, allow, rec->passes);
	if (rec->pass_us != 0) {
		timefmt_iso(rec->pass_us, first, sizeof(first));
		printf(" FIRSTPASS=%s", first);
	}
	printf(" STATE=%s EXPIRESIN=%s\n", record_state_name(state), left);
}

static void
stat_entry_json(struct stat_ctx *sc, const struct greykey *key,
    const struct greyrec *rec, enum record_state state, int64_t expires_at)
{
	char net[ADDR_TEXT_MAX], s[3 * KEY_TEXT_MAX + 4], r[3 * KEY_TEXT_MAX + 4];
	char first[TIMEFMT_MAX], last[TIMEFMT_MAX], allow[TIMEFMT_MAX];
	char exp[TIMEFMT_MAX];

	addr_format_net(&key->client, net, sizeof(net));
	timefmt_iso(rec->first_us, first, sizeof(first));
	timefmt_iso(rec->last_us, last, sizeof(last));
	timefmt_iso(rec->allow_us, allow, sizeof(allow));
	timefmt_iso(expires_at, exp, sizeof(exp));
	printf("%s\n    {\"type\": \"%s\", \"client\": \"%s\"",
	    sc->n + sc->awl ? "," : "",
	    key->kind == KEY_IPONLY ? "iponly" : "triplet", net);
	if (key->kind == KEY_TRIPLET) {
		/* Escaped addresses hold no quote, backslash or control. */
		stat_addr(key->sender, s, sizeof(s));
		stat_addr(key->recipient, r, sizeof(r));
		printf(", \"sender\": \"%s\", \"recipient\": \"%s\"", s, r);
	}
	printf(", \"first_seen\": \"%s\", \"first_seen_us\": %" PRId64
	    ", \"first_seen_inferred\": %s, \"last_seen\": \"%s\", "
	    "\"last_seen_us\": %" PRId64 ", \"allow_at\": \"%s\", "
	    "\"allow_at_us\": %" PRId64 ", \"passes\": %" PRIu32 ", "
	    "\"state\": \"%s\", \"expires_at\": \"%s\", \"expires_at_us\": %"
	    PRId64 ", \"expires_in_s\": %" PRId64, first, rec->first_us,
	    (rec->flags & RECORD_F_FIRST_INFERRED) ? "true" : "false", last,
	    rec->last_us, allow, rec->allow_us, rec->passes,
	    record_state_name(state), exp, expires_at,
	    (expires_at - sc->now) / 1000000);
	if (rec->pass_us != 0)
		printf(", \"first_pass_us\": %" PRId64 ", \"delay_s\": %"
		    PRId64, rec->pass_us, (rec->pass_us - rec->first_us)
		    / 1000000);
	printf("}");
}

/* stat_awl_state - an auto-whitelist entry's state, in a word */

static const char *
stat_awl_state(const struct stat_ctx *sc, const struct greyrec *rec,
    int64_t expires_at)
{
	if (expires_at <= sc->now)
		return ("lapsed");
	if (sc->conf->awl_clients > 0
	    && rec->passes >= sc->conf->awl_clients)
		return ("whitelisted");
	return ("counting");
}

/* stat_awl - an auto-whitelist entry: printed, and counted */

static void
stat_awl(struct stat_ctx *sc, const struct greykey *key,
    const struct greyrec *rec)
{
	char net[ADDR_TEXT_MAX], first[TIMEFMT_MAX], last[TIMEFMT_MAX];
	char left[TIMEFMT_MAX];
	int64_t expires_at = tool_expires_at(sc->conf, key, rec);
	const char *state = stat_awl_state(sc, rec, expires_at);

	sc->awl++;
	if (strcmp(state, "whitelisted") == 0)
		sc->awl_listed++;
	if (sc->summary_only)
		return;
	addr_format_net(&key->client, net, sizeof(net));
	timefmt_iso(rec->first_us, first, sizeof(first));
	timefmt_iso(rec->last_us, last, sizeof(last));
	if (!sc->json) {
		timefmt_duration(expires_at - sc->now, left, sizeof(left));
		printf("TYPE=awl IP=%s FIRST=%s LAST=%s PASSES=%" PRIu32
		    " STATE=%s EXPIRESIN=%s\n", net, first, last, rec->passes,
		    state, left);
		return;
	}
	printf("%s\n    {\"type\": \"awl\", \"client\": \"%s\", "
	    "\"first_pass\": \"%s\", \"first_pass_us\": %" PRId64 ", "
	    "\"last_pass\": \"%s\", \"last_pass_us\": %" PRId64 ", "
	    "\"passes\": %" PRIu32 ", \"state\": \"%s\", "
	    "\"expires_at_us\": %" PRId64 ", \"expires_in_s\": %" PRId64
	    "}", sc->n + sc->awl > 1 ? "," : "", net, first, rec->first_us,
	    last, rec->last_us, rec->passes, state, expires_at,
	    (expires_at - sc->now) / 1000000);
}

/* stat_entry - one entry: printed, and counted for the summary */

static enum store_visit
stat_entry(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct stat_ctx *sc = ctx;
	struct greykey key;
	struct greyrec rec;
	struct counter_key ck;
	struct counter_set cs;
	enum record_state state;
	int64_t expires_at;
	int rc;

	if ((rc = tool_counters(k, klen, v, vlen, &ck, &cs)) != 0) {
		if (rc < 0)
			sc->bad++;
		else
			sc->counter_keys++;
		return (STORE_NEXT);
	}
	if (entry_decode(k, klen, v, vlen, &key, &rec) < 0) {
		sc->bad++;
		return (STORE_NEXT);
	}
	if (!filter_match(&sc->filter, &key, &rec, sc->now))
		return (STORE_NEXT);
	if (key.kind == KEY_AWL) {
		stat_awl(sc, &key, &rec);
		return (ferror(stdout) ? STORE_FAIL : STORE_NEXT);
	}
	expires_at = tool_expires_at(sc->conf, &key, &rec);
	state = record_state(&rec, sc->now);
	if (!sc->summary_only) {
		if (sc->json)
			stat_entry_json(sc, &key, &rec, state, expires_at);
		else
			stat_entry_text(&key, &rec, state,
			    expires_at - sc->now);
	}
	sc->n++;
	sc->states[state]++;
	if (key.kind == KEY_IPONLY)
		sc->iponly++;
	else
		sc->triplets++;
	if (key.client.family == 4)
		sc->v4++;
	else
		sc->v6++;
	if (expires_at <= sc->now)
		sc->expired++;
	/* A write error: cli_finish_stdout() reports it. */
	return (ferror(stdout) ? STORE_FAIL : STORE_NEXT);
}

/* stat_env_text - one figure of the store's, as a line */

static void
stat_env_text(const char *name, const char *value, void *ctx)
{
	(void)ctx;
	printf("  %s: %s\n", name, value);
}

/* stat_env_json - one figure of the store's, as a JSON member */

static void
stat_env_json(const char *name, const char *value, void *ctx)
{
	int *n = ctx;
	const char *p;

	/* "Map size" -> "map_size"; values are numbers or plain words. */
	printf("%s\"", (*n)++ ? ", " : "");
	for (p = name; *p; p++)
		putchar(*p == ' ' ? '_' : tolower((unsigned char)*p));
	printf("\": ");
	if (strspn(value, "0123456789") == strlen(value) && *value)
		printf("%s", value);
	else {
		putchar('"');
		for (p = value; *p; p++)
			if (*p != '"' && *p != '\\' && (unsigned char)*p >= 32)
				putchar(*p);
		putchar('"');
	}
}

/* stat_counters - --counters and --prometheus; the exit status */

static int
stat_counters(struct store *st, const struct stat_args *a, int json)
{
	struct statctr r;
	int rc;

	statctr_period(&r, a->since_us, a->until_us);
	if ((rc = statctr_read(st, &r)) != STORE_OK)
		fatalx("%s", store_strerror(st, rc));
	store_close(st);
	if (a->prometheus != NULL && statctr_prometheus(&r, a->prometheus)
	    < 0)
		fatal("%s", a->prometheus);
	if (a->counters) {
		if (json)
			statctr_json(&r);
		else
			statctr_text(&r);
	}
	statctr_free(&r);
	return (cli_finish_stdout());
}

/* stat_option - one of stat's own options; 0 when c is not one */

static int
stat_option(int c, struct stat_ctx *sc, struct stat_args *a)
{
	long long n;

	switch (c) {
	case 's':
		sc->summary_only = 1;
		break;
	case 'J':
		sc->json = 1;
		break;
	case 'C':
		a->counters = 1;
		break;
	case 'P':
		a->prometheus = optarg;
		break;
	case 'D':
		if (strnum_ll(optarg, 1, 3660, &n) < 0)
			stat_bad("--days", optarg);
		a->days = (int)n;
		break;
	case 'S':
		if (statctr_time(optarg, &a->since_us) < 0)
			stat_bad("--since", optarg);
		a->since_set = 1;
		break;
	case 'U':
		if (statctr_time(optarg, &a->until_us) < 0)
			stat_bad("--until", optarg);
		a->until_set = 1;
		break;
	default:
		if ((n = filter_option(&sc->filter, c, optarg)) < 0)
			usage(CLI_EXIT_USAGE);
		return (n > 0);
	}
	return (1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"counters", no_argument, NULL, 'C'},
		{"prometheus", required_argument, NULL, 'P'},
		{"days", required_argument, NULL, 'D'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		FILTER_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	struct config conf;
	struct store_cursor cur;
	struct stat_ctx sc;
	struct stat_args a;
	struct cli_opts o = {NULL, NULL};
	struct store *st;
	store_info_fn emit;
	char guar[128];
	int c, rc, nenv = 0;

	cli_init(argv[0]);
	memset(&sc, 0, sizeof(sc));
	memset(&a, 0, sizeof(a));
	filter_init(&sc.filter);
	while ((c = cli_getopt(argc, argv, "c:d:hsV", longopts)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		if (!stat_option(c, &sc, &a))
			usage(CLI_EXIT_USAGE);
	}
	if (optind != argc)
		usage(CLI_EXIT_USAGE);
	/* The counters' options and the entries' do not mix. */
	if ((a.counters || a.prometheus) && (sc.summary_only
	    || filter_any(&sc.filter)))
		usage(CLI_EXIT_USAGE);
	if (!a.counters && (a.days || a.since_set || a.until_set
	    || (a.prometheus && sc.json)))
		usage(CLI_EXIT_USAGE);
	if (a.days && (a.since_set || a.until_set))
		usage(CLI_EXIT_USAGE);
	cli_config(o.cpath, &conf);
	sc.conf = &conf;
	sc.now = timefmt_now_us();
	if (!a.until_set)	/* the end of the current hour */
		a.until_us = (sc.now / (COUNTER_HOUR_S * 1000000LL) + 1)
		    * COUNTER_HOUR_S * 1000000LL;
	if (!a.since_set)
		a.since_us = a.until_us - (int64_t)(a.days ? a.days : 1)
		    * COUNTER_DAY_S * 1000000;
	if (a.since_us >= a.until_us)
		fatalx("--since must come before --until");
	if (a.counters || a.prometheus)
		return (stat_counters(tool_open_store(&conf, o.dbpath, 1), &a,
		    sc.json));
	st = tool_open_store(&conf, o.dbpath, 1);
	/* The store's figures, and what it promises, as lines or JSON. */
	emit = sc.json ? stat_env_json : stat_env_text;
	printf("%s", sc.json ? "{\n  \"environment\": {" : "Environment\n");
	tool_guarantees(st, guar, sizeof(guar));
	emit("Guarantees", guar, &nenv);
	rc = store_info(st, emit, &nenv);
	printf("%s", sc.json ? "},\n  \"entries\": [" : "Entries\n");
	if (rc != STORE_OK)
		fatalx("%s", store_strerror(st, rc));
	memset(&cur, 0, sizeof(cur));
	rc = store_walk(st, &cur, 0, stat_entry, &sc);
	if (rc != STORE_OK && rc != STORE_ABORTED)
		fatalx("%s", store_strerror(st, rc));
	store_close(st);
	if (sc.json)
		printf("\n  ],\n  \"summary\": {\"entries\": %zu, "
		    "\"triplet\": %zu, \"iponly\": %zu, \"ipv4\": %zu, "
		    "\"ipv6\": %zu, \"pending\": %zu, \"unretried\": %zu, "
		    "\"passed\": %zu, \"expired\": %zu, \"undecodable\": %zu, "
		    "\"awl\": %zu, \"awl_whitelisted\": %zu, "
		    "\"counter_keys\": %zu}\n}\n", sc.n, sc.triplets,
		    sc.iponly, sc.v4, sc.v6, sc.states[RECORD_PENDING],
		    sc.states[RECORD_UNRETRIED], sc.states[RECORD_PASSED],
		    sc.expired, sc.bad, sc.awl, sc.awl_listed,
		    sc.counter_keys);
	else
		printf("Summary\n  Entries: %zu\n  Triplets: %zu\n"
		    "  IP only: %zu\n  IPv4: %zu\n  IPv6: %zu\n"
		    "  Pending: %zu\n  Allowed, not retried: %zu\n"
		    "  Passed: %zu\n  Expired (clean would drop): %zu\n"
		    "  Undecodable: %zu\n  Auto-whitelist entries: %zu\n"
		    "  Auto-whitelisted: %zu\n  Counter keys: %zu\n", sc.n,
		    sc.triplets, sc.iponly, sc.v4, sc.v6,
		    sc.states[RECORD_PENDING], sc.states[RECORD_UNRETRIED],
		    sc.states[RECORD_PASSED], sc.expired, sc.bad, sc.awl,
		    sc.awl_listed, sc.counter_keys);
	return (cli_finish_stdout());
}
