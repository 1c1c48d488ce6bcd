/*
 * NAME
 *	greyspf-clean 8
 * SUMMARY
 *	expire greylist entries
 * SYNOPSIS
 *	greyspf-clean [-nqV] [-b batch] [-c config] [-d database]
 * DESCRIPTION
 *	tumgreyspf-clean's rules, with its bugs fixed: an entry is dropped
 *	GREYLISTEXPIREDAYS after it was last seen (the value that applies
 *	to its client, sender and recipient, from the per-entity
 *	configuration; 10 days when none sets it), and an entry that
 *	became acceptable but was never retried is dropped 12 hours after
 *	its allow time. IPv6, IPv4-mapped and IP-only entries are expired
 *	like any other (the original never visited them), and last-seen
 *	is a stored time, not a file's ctime that a backup resets.
 *
 *	An auto-whitelist entry is dropped autoWhitelistMaxAge days after
 *	its last pass, when it has lapsed; an hour's or a day's statistics
 *	counters counterDays days after the period ended (the running
 *	total is kept).
 *
 *	The database is walked in short steps so a live service is never
 *	held up: a read transaction scans at most 4 x batch entries and
 *	collects at most batch expired keys; a write transaction then
 *	deletes them, checking each again (the service may have seen it
 *	since). Undecodable records are deleted too, as STYLE demands of
 *	anything a reader rejects. -n reports what would be dropped.
 *
 *	A backend that expires entries itself (Redis: every write sets the
 *	entry's expiry by the same rule) needs no cleaning: greyspf-clean
 *	says so and exits 0.
 *
 *	Prints "kept=N dropped=M" (and corrupt=K when any) on stdout;
 *	with -q nothing, unless something fails (on stderr), so that a
 *	cron line mails the administrator only then.
 * DIAGNOSTICS
 *	Exit 0 on success, 1 on a run-time failure (entries dropped
 *	before it stay dropped: each batch is its own transaction), 2 on
 *	a usage error.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "entry.h"
#include "log.h"
#include "record.h"
#include "timefmt.h"
#include "util.h"

#define CLEAN_BATCH_DEFAULT	500

struct clean_key {
	unsigned char key[KEY_MAX];
	size_t	klen;
};

/* What the delete step found for a collected key. */
enum clean_fate { CLEAN_GONE, CLEAN_KEPT, CLEAN_DROPPED, CLEAN_CORRUPT };

struct clean {
	const struct config *conf;
	int64_t	now;
	int	dryrun, quiet;
	size_t	batch;
	/* One step: */
	struct store_cursor cur;
	struct clean_key *doomed;
	enum clean_fate *fate;	/* apart from the keys: a retry resets it */
	size_t	ndoomed, i;
	/* Totals: */
	size_t	kept, dropped, corrupt;
};

static void usage(int) __attribute__((noreturn));

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-clean [-nqV] [-b batch] "
	    "[-c config] [-d database]\n");
	exit(status);
}

/* clean_expired - 1 expired, 0 kept, -1 undecodable */

static int
clean_expired(struct clean *cl, const void *k, size_t klen, const void *v,
    size_t vlen)
{
	struct greykey key;
	struct greyrec rec;
	struct counter_key ck;
	struct counter_set cs;
	int rc;

	if ((rc = tool_counters(k, klen, v, vlen, &ck, &cs)) != 0)
		return (rc < 0 ? -1 : counter_expires_at(&ck,
		    cl->conf->counter_days * 86400 * 1000000) <= cl->now);
	if (entry_decode(k, klen, v, vlen, &key, &rec) < 0)
		return (-1);
	return (tool_expires_at(cl->conf, &key, &rec) <= cl->now);
}

/* clean_scan_entry - collect an expired or undecodable entry */

static enum store_visit
clean_scan_entry(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct clean *cl = ctx;
	struct clean_key *ck;

	if (clean_expired(cl, k, klen, v, vlen) == 0) {
		cl->kept++;
		return (STORE_NEXT);
	}
	ck = &cl->doomed[cl->ndoomed++];
	memcpy(ck->key, k, klen);
	ck->klen = klen;
	/* The step is full: the next one resumes after this key. */
	return (cl->ndoomed == cl->batch ? STORE_PAUSE : STORE_NEXT);
}

/* clean_recheck - the delete step's decision on one collected key */

static enum store_action
clean_recheck(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct clean *cl = ctx;
	struct clean_key *ck = &cl->doomed[cl->i];
	int x;

	(void)new_r;
	(void)newlen_r;
	(void)expire_r;
	if (old == NULL) {
		cl->fate[cl->i] = CLEAN_GONE;
		return (STORE_UNCHANGED);
	}
	if ((x = clean_expired(cl, ck->key, ck->klen, old, oldlen)) == 0) {
		cl->fate[cl->i] = CLEAN_KEPT;	/* seen again meanwhile */
		return (STORE_UNCHANGED);
	}
	cl->fate[cl->i] = x < 0 ? CLEAN_CORRUPT : CLEAN_DROPPED;
	return (STORE_DELETE);
}

/* clean_delete - drop the collected keys still expired, in one batch */

static int
clean_delete(struct store_batch *b, void *ctx)
{
	struct clean *cl = ctx;
	int rc;

	/* Run again from the start after a map growth: fates are set
	 * afresh for every key, and counted only after the commit. */
	for (cl->i = 0; cl->i < cl->ndoomed; cl->i++)
		if ((rc = store_batch_update(b, cl->doomed[cl->i].key,
		    cl->doomed[cl->i].klen, clean_recheck, cl)) != STORE_OK)
			return (rc);
	return (STORE_OK);
}

/* clean_count - add a committed step's fates to the totals */

static void
clean_count(struct clean *cl)
{
	size_t i;

	for (i = 0; i < cl->ndoomed; i++) {
		if (cl->fate[i] == CLEAN_KEPT)
			cl->kept++;
		else if (cl->fate[i] == CLEAN_CORRUPT)
			cl->corrupt++;
		else if (cl->fate[i] == CLEAN_DROPPED)
			cl->dropped++;
	}
}

int
main(int argc, char **argv)
{
	struct config conf;
	struct clean cl;
	struct cli_opts o = {NULL, NULL};
	struct store *st;
	long long v;
	int c, rc;

	cli_init(argv[0]);
	memset(&cl, 0, sizeof(cl));
	cl.batch = CLEAN_BATCH_DEFAULT;
	while ((c = cli_getopt(argc, argv, "b:c:d:hnqV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		switch (c) {
		case 'b':
			if (strnum_ll(optarg, 1, 100000, &v) < 0)
				usage(CLI_EXIT_USAGE);
			cl.batch = (size_t)v;
			break;
		case 'n':
			cl.dryrun = 1;
			break;
		case 'q':
			cl.quiet = 1;
			break;
		default:
			usage(CLI_EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(CLI_EXIT_USAGE);
	cli_config(o.cpath, &conf);
	cl.conf = &conf;
	cl.now = timefmt_now_us();
	cl.doomed = xreallocarray(NULL, cl.batch, sizeof(*cl.doomed));
	cl.fate = xreallocarray(NULL, cl.batch, sizeof(*cl.fate));
	st = tool_open_store(&conf, o.dbpath, cl.dryrun);
	if (store_caps(st) & STORE_CAP_EXPIRY) {
		/* Every write gave the entry its expiry (Redis): nothing
		 * to do, and a cron line stays quiet. */
		if (!cl.quiet)
			printf("the %s backend expires entries itself: "
			    "nothing to clean\n", store_name(st));
		store_close(st);
		free(cl.doomed);
		free(cl.fate);
		return (cli_finish_stdout());
	}
	while (!cl.cur.done) {
		cl.ndoomed = 0;
		if ((rc = store_walk(st, &cl.cur, 4 * cl.batch,
		    clean_scan_entry, &cl)) != STORE_OK)
			fatalx("scan failed: %s", store_strerror(st, rc));
		if (cl.ndoomed == 0)
			continue;
		if (cl.dryrun) {
			cl.dropped += cl.ndoomed;
			continue;
		}
		if ((rc = store_load(st, clean_delete, &cl, 0)) != STORE_OK)
			fatalx("delete failed after dropping %zu, this step's "
			    "entries kept: %s", cl.dropped, store_strerror(st,
			    rc));
		clean_count(&cl);
	}
	store_close(st);
	free(cl.doomed);
	free(cl.fate);
	if (cl.quiet)
		return (CLI_EXIT_OK);
	printf("%skept=%zu dropped=%zu", cl.dryrun ? "dry run: " : "",
	    cl.kept, cl.dropped);
	if (cl.corrupt)
		printf(" corrupt=%zu", cl.corrupt);
	printf("\n");
	return (cli_finish_stdout());
}
