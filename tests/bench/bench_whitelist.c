/*
 * NAME
 *	bench_whitelist - what a whitelist file costs a spawned greyspf
 * SYNOPSIS
 *	bench_whitelist file [runs]
 * DESCRIPTION
 *	Loads file (Debian's /etc/postgrey/whitelist_clients, say) runs
 *	times (1000) as a spawned process does at start: a new list, the
 *	file read and parsed, no expression compiled; then times, on a
 *	fresh load each, the first match of a client as a spawned process
 *	makes it: an unnamed client ("unknown"), a name that no entry
 *	lists, and a listed one; and what compiling every expression costs
 *	(what a daemon pays once at start). Medians, in microseconds, as
 *	one line of key=value figures.
 */

#include <stdio.h>
#include <stdlib.h>

#include "benchlib.h"
#include "whitelist.h"

static double bench_once(const char *, const char *, const char *, int);
static double median(double *, int);

/* bench_once - one fresh load, then one match or a full compile */

static double
bench_once(const char *file, const char *addr, const char *name, int what)
{
	struct whitelist_match m;
	struct whitelist *wl;
	double t0, t1;

	t0 = now_s();
	wl = whitelist_new(NULL, NULL);
	whitelist_load(wl, WHITELIST_CLIENTS, file);
	t1 = now_s();
	if (what == 1)
		(void)whitelist_client(wl, addr, name, &m);
	else if (what == 2)
		whitelist_compile(wl);
	if (what)
		t0 = t1, t1 = now_s();
	whitelist_free(wl);
	return ((t1 - t0) * 1e6);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return (v[n / 2]);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *key, *addr, *name;
		int	what;
	} rows[] = {
		{"load_us", NULL, NULL, 0},
		{"match_unknown_us", "192.0.2.1", "unknown", 1},
		{"match_unlisted_name_us", "192.0.2.1", "mx.example.org", 1},
		{"match_listed_name_us", "192.0.2.1",
		    "mail-ej1-f45.google.com", 1},
		{"compile_all_us", NULL, NULL, 2},
	};
	struct whitelist *wl;
	double *v;
	size_t r;
	int i, runs;

	if (argc < 2 || argc > 3)
		return (fprintf(stderr, "usage: bench_whitelist file "
		    "[runs]\n"), 2);
	runs = argc == 3 ? atoi(argv[2]) : 1000;
	if (runs < 1)
		runs = 1;
	wl = whitelist_new(NULL, NULL);
	whitelist_load(wl, WHITELIST_CLIENTS, argv[1]);
	printf("entries=%zu", whitelist_count(wl, WHITELIST_CLIENTS));
	whitelist_free(wl);
	v = calloc((size_t)runs, sizeof(*v));
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (i = 0; i < runs; i++)
			v[i] = bench_once(argv[1], rows[r].addr, rows[r].name,
			    rows[r].what);
		printf(" %s=%.1f", rows[r].key, median(v, runs));
	}
	printf("\n");
	free(v);
	return (0);
}
