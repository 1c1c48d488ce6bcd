/*
 * NAME
 *	greyspf-delete 8
 * SUMMARY
 *	delete greylist entries: one, or every entry of a client
 * SYNOPSIS
 *	greyspf-delete [-nqV] [-c config] [-d database] [--client net]
 *	    [--sender addr] [--recipient addr] [--state s]
 * DESCRIPTION
 *	Deletes the entries that match every option given (filter.c, the
 *	same as greyspf-stat's): one triplet with --client, --sender and
 *	--recipient; every entry of a client or a network, its
 *	auto-whitelist entry included, with --client alone. At least one
 *	option is needed: greyspf-delete never deletes everything. The
 *	statistics counters are never deleted (greyspf-clean expires them).
 *
 *	A read-only walk collects the matching keys; then one batch
 *	(store_load) deletes them, all or nothing, deciding again on each
 *	(the service may have changed it meanwhile: an entry that no longer
 *	matches is kept). -n decides and writes nothing.
 *
 *	Prints "deleted=N" (with -n "dry run: deleted=N"), and nothing with
 *	-q.
 * DIAGNOSTICS
 *	Exit 0 on success (none matching included), 1 on a run-time
 *	failure (nothing deleted), 2 on a usage error.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "filter.h"
#include "log.h"
#include "timefmt.h"
#include "tool.h"

struct delete_key {
	unsigned char key[KEY_MAX];
	size_t	klen;
};

struct delete {
	struct filter f;
	int64_t	now;
	struct delete_key *keys;
	size_t	n, max, i;
	size_t	deleted;
};

static void usage(int) __attribute__((noreturn));
static int delete_matches(const struct delete *, const void *, size_t,
	    const void *, size_t);
static enum store_visit delete_collect(const void *, size_t, const void *,
	    size_t, void *);
static enum store_action delete_recheck(const void *, size_t, void *,
	    size_t *, int64_t *, void *);
static int delete_fill(struct store_batch *, void *);

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-delete [-nqV] "
	    "[-c config] [-d database] [--client net]\n"
	    "\t[--sender addr] [--recipient addr] [--state s]\n");
	exit(status);
}

/* delete_matches - an entry (not counters) that matches the filters */

static int
delete_matches(const struct delete *dl, const void *k, size_t klen,
    const void *v, size_t vlen)
{
	struct greykey key;
	struct greyrec rec;

	if (counter_is_key(k, klen)
	    || entry_decode(k, klen, v, vlen, &key, &rec) < 0)
		return (0);
	return (filter_match(&dl->f, &key, &rec, dl->now));
}

/* delete_collect - the walk: keep the keys of matching entries */

static enum store_visit
delete_collect(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct delete *dl = ctx;
	struct delete_key *tmp;

	if (!delete_matches(dl, k, klen, v, vlen) || klen > KEY_MAX)
		return (STORE_NEXT);
	if (dl->n == dl->max) {
		dl->max = dl->max ? 2 * dl->max : 64;
		if ((tmp = realloc(dl->keys, dl->max * sizeof(*tmp))) == NULL)
			fatal("out of memory");
		dl->keys = tmp;
	}
	memcpy(dl->keys[dl->n].key, k, klen);
	dl->keys[dl->n++].klen = klen;
	return (STORE_NEXT);
}

/* delete_recheck - the batch's decision on one collected key */

static enum store_action
delete_recheck(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct delete *dl = ctx;
	const struct delete_key *dk = &dl->keys[dl->i];

	(void)new_r;
	(void)newlen_r;
	(void)expire_r;
	if (old == NULL || !delete_matches(dl, dk->key, dk->klen, old,
	    oldlen))
		return (STORE_UNCHANGED);
	dl->deleted++;
	return (STORE_DELETE);
}

/* delete_fill - every collected key in one batch */

static int
delete_fill(struct store_batch *b, void *ctx)
{
	struct delete *dl = ctx;
	int rc;

	/* Run again from the start after a map growth: counts anew. */
	dl->deleted = 0;
	for (dl->i = 0; dl->i < dl->n; dl->i++)
		if ((rc = store_batch_update(b, dl->keys[dl->i].key,
		    dl->keys[dl->i].klen, delete_recheck, dl)) != STORE_OK)
			return (rc);
	return (STORE_OK);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		FILTER_LONGOPTS,
		{NULL, 0, NULL, 0}
	};
	struct config conf;
	struct cli_opts o = {NULL, NULL};
	struct store_cursor cur;
	struct delete dl;
	struct store *st;
	int c, rc, dryrun = 0, quiet = 0;

	cli_init(argv[0]);
	memset(&dl, 0, sizeof(dl));
	filter_init(&dl.f);
	while ((c = cli_getopt(argc, argv, "c:d:hnqV", longopts)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		if ((rc = filter_option(&dl.f, c, optarg)) < 0)
			usage(CLI_EXIT_USAGE);
		else if (rc > 0)
			continue;
		if (c == 'n')
			dryrun = 1;
		else if (c == 'q')
			quiet = 1;
		else
			usage(CLI_EXIT_USAGE);
	}
	if (optind != argc || !filter_any(&dl.f))
		usage(CLI_EXIT_USAGE);
	cli_config(o.cpath, &conf);
	dl.now = timefmt_now_us();
	st = tool_open_store(&conf, o.dbpath, 0);
	tool_warn_unguaranteed(st, STORE_CAP_ATOMIC_LOAD, "all or nothing");
	memset(&cur, 0, sizeof(cur));
	if ((rc = store_walk(st, &cur, 0, delete_collect, &dl)) != STORE_OK)
		fatalx("%s", store_strerror(st, rc));
	if (dl.n > 0 && (rc = store_load(st, delete_fill, &dl, dryrun
	    ? STORE_LOAD_DRYRUN : 0)) != STORE_OK)
		fatalx("nothing deleted: %s", store_strerror(st, rc));
	store_close(st);
	free(dl.keys);
	if (!quiet)
		printf("%sdeleted=%zu\n", dryrun ? "dry run: " : "",
		    dl.deleted);
	return (cli_finish_stdout());
}
