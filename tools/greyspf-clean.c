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
 *	The database is walked in short steps so a live service is never
 *	held up: a read transaction scans at most 4 x batch entries and
 *	collects at most batch expired keys; a write transaction then
 *	deletes them, checking each again (the service may have seen it
 *	since). Undecodable records are deleted too, as STYLE demands of
 *	anything a reader rejects. -n reports what would be dropped.
 *
 *	Prints "kept=N dropped=M" (and corrupt=K when any) on stdout.
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
#include "log.h"
#include "record.h"
#include "timefmt.h"
#include "util.h"

#define CLEAN_BATCH_DEFAULT	500

struct clean_key {
	unsigned char key[KEY_MAX];
	size_t	klen;
};

struct clean {
	const struct config *conf;
	int64_t	now;
	int	dryrun, verbose;
	size_t	batch;
	/* One step: */
	struct clean_key *doomed;
	size_t	ndoomed, scanned;
	unsigned char next[KEY_MAX];	/* where the next step starts */
	size_t	nextlen;
	int	done;
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

	if (key_decode(k, klen, &key) < 0 || record_decode(v, vlen, &rec) < 0)
		return (-1);
	return (tool_expires_at(cl->conf, &key, &rec) <= cl->now);
}

static int
clean_scan_entry(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct clean *cl = ctx;
	struct clean_key *ck;
	int x;

	/* The step is full: remember where to go on. */
	if (cl->ndoomed == cl->batch || cl->scanned == 4 * cl->batch) {
		memcpy(cl->next, k, klen);
		cl->nextlen = klen;
		return (STORE_WALK_STOP);
	}
	cl->scanned++;
	if ((x = clean_expired(cl, k, klen, v, vlen)) == 0) {
		cl->kept++;
		return (0);
	}
	ck = &cl->doomed[cl->ndoomed++];
	memcpy(ck->key, k, klen);
	ck->klen = klen;
	return (0);
}

static int
clean_scan(struct store_txn *txn, void *ctx)
{
	struct clean *cl = ctx;
	unsigned char from[KEY_MAX];
	size_t fromlen = cl->nextlen;

	memcpy(from, cl->next, fromlen);
	cl->ndoomed = cl->scanned = 0;
	cl->nextlen = 0;
	if (store_txn_walk(txn, from, fromlen, clean_scan_entry, cl) != 0)
		return (-1);
	cl->done = cl->nextlen == 0;
	return (0);
}

/* clean_delete - drop the collected keys still expired */

static int
clean_delete(struct store_txn *txn, void *ctx)
{
	struct clean *cl = ctx;
	const void *v;
	size_t i, vlen;
	int rc, x;

	/* Retry-safe: counts are returned through cl only on success. */
	for (i = 0; i < cl->ndoomed; i++) {
		struct clean_key *ck = &cl->doomed[i];

		rc = store_txn_get(txn, ck->key, ck->klen, &v, &vlen);
		if (rc == STORE_NOTFOUND)
			continue;
		if (rc != 0)
			return (rc);
		x = clean_expired(cl, ck->key, ck->klen, v, vlen);
		if (x == 0) {
			ck->klen = 0;	/* seen again meanwhile: kept */
			continue;
		}
		if ((rc = store_txn_del(txn, ck->key, ck->klen)) != 0)
			return (rc);
		if (x < 0)
			ck->klen = (size_t)-1;	/* mark corrupt */
	}
	return (0);
}

static void
clean_count(struct clean *cl)
{
	size_t i;

	for (i = 0; i < cl->ndoomed; i++) {
		if (cl->doomed[i].klen == 0)
			cl->kept++;
		else if (cl->doomed[i].klen == (size_t)-1)
			cl->corrupt++;
		else
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
	while ((c = getopt(argc, argv, "b:c:d:hnqV")) != -1) {
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
	st = tool_open_store(&conf, o.dbpath, cl.dryrun);
	do {
		if ((rc = store_read(st, clean_scan, &cl)) != 0)
			fatalx("scan failed: %s", store_strerror(rc));
		if (cl.ndoomed == 0)
			continue;
		if (cl.dryrun) {
			cl.dropped += cl.ndoomed;
			continue;
		}
		if ((rc = store_write(st, clean_delete, &cl)) != 0)
			fatalx("delete failed after dropping %zu: %s",
			    cl.dropped, store_strerror(rc));
		clean_count(&cl);
	} while (!cl.done);
	store_close(st);
	free(cl.doomed);
	printf("%skept=%zu dropped=%zu", cl.dryrun ? "dry run: " : "",
	    cl.kept, cl.dropped);
	if (cl.corrupt)
		printf(" corrupt=%zu", cl.corrupt);
	printf("\n");
	return (cli_finish_stdout());
}
