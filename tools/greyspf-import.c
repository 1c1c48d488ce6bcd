/*
 * NAME
 *	greyspf-import 8
 * SUMMARY
 *	import a tumgreyspf data tree into the greyspf database
 * SYNOPSIS
 *	greyspf-import [-anqsV] [-c config] [-d database] legacy_data_dir
 * DESCRIPTION
 *	Walks the tree, reads every entry file (both layouts, every client
 *	spelling the original wrote), and writes one record per entry in a
 *	single write transaction: all or nothing.
 *
 *	Times: mtime is the allow time, atime the last request, to the
 *	microsecond; first-seen is inferred as mtime minus the GREYLISTTIME
 *	that applies to the entry (per-entity configuration under the
 *	master configuration's configPath; defaultAllowTime otherwise).
 *	When the access times look reset, as a copy without them leaves
 *	them (legacy_times_reset()), the report says so and what it means;
 *	-a ignores access times: every entry is taken as not yet retried.
 *
 *	Merge rule: when two files name one entry (an IPv4-mapped and a
 *	plain IPv4 client; two spellings of one IPv6 address), or when the
 *	database already holds the entry, the records are united with
 *	record_merge(): earliest first-seen and allow time, latest last
 *	request, larger pass count. Uniting is idempotent, so a second run
 *	changes nothing.
 *
 *	Memory does not grow with the tree: each file's entry goes to a
 *	runsort (runsort.c), which keeps RUNSORT_MEMORY bytes of them and
 *	writes the rest, in sorted runs, to an unlinked file in $TMPDIR;
 *	the files of one entry come out together, in path order. The
 *	sorted stream is read once to report merges, then once more per
 *	try of the write transaction (a map growth starts it again).
 *
 *	A file or directory that cannot be read (a directory the user may
 *	not list or search) fails the import: every entry below it would
 *	be lost. Each is named on stderr, and nothing is written. With -s
 *	they are skipped instead, reported with the other skipped files,
 *	and the rest is imported.
 *
 *	The report on stdout names the layouts found, every skipped file
 *	with its reason, every merge and every note, then the counts.
 *	Progress goes to stderr when it is a terminal.
 *
 *	tumgreyspf kept no auto-whitelist and no statistics, so an import
 *	makes neither; the database's own (auto-whitelist entries,
 *	counters) are left as they are. Imported entries carry no
 *	first-pass time (record version 1): the tree never had one.
 * SECURITY
 *	No symbolic link is followed and no name leads out of the tree
 *	(legacy_tree.c). The database is written as the invoking user.
 * DIAGNOSTICS
 *	Exit 0 when the import (or the dry run, -n) succeeded, skipped
 *	files included; 1 on a run-time failure (among them a file or
 *	directory that cannot be read, without -s), with the database left
 *	as it was; 2 on a usage error.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "entry.h"
#include "legacy.h"
#include "legacy_tree.h"
#include "log.h"
#include "runsort.h"
#include "util.h"

_Static_assert(KEY_MAX <= RUNSORT_KEY_MAX && ENTRY_VALUE_MAX
    <= RUNSORT_VALUE_MAX && LEGACY_PATH_MAX <= RUNSORT_TAG_MAX,
    "an entry and its path fit a runsort record");

struct import {
	const struct config *conf;
	int	use_entity;
	int	progress;
	struct runsort *rs;	/* the entries, sorted in bounded memory */
	size_t	n;		/* entries, once the tree's are united */
	int	skip_unreadable;	/* -s */
	int	ignore_atime;		/* -a */
	struct legacy_times times;
	size_t	files, skipped, notes, in_tree_merged;
	size_t	unreadable;	/* read errors: fail, or skipped with -s */
	size_t	forms[LEGACY_FORMS][2];	/* [form][iponly?] */
	/* Set by the write transaction (reset at each try). */
	unsigned char key[KEY_MAX];	/* the entry being stored */
	size_t	klen;
	struct greykey whole;	/* its addresses, whole */
	int	expiry;		/* the store expires entries itself */
	struct greyrec rec;	/* its record, the tree's files united */
	char	path[LEGACY_PATH_MAX];	/* the first of its files */
	int	err;		/* the temporary file's errno, if it failed */
	size_t	added, merged, unchanged;
	size_t	*last;		/* the count of the last write decided */
	size_t	expired;	/* not written: the store would drop them */
	int64_t	now;
};

static void usage(int) __attribute__((noreturn));
static void import_skip(const char *, const char *, int, void *);
static void import_atime_report(const struct import *);
static void import_content_note(struct import *, const struct legacy_file *);
static int import_file(const struct legacy_file *, void *);
static void import_sort_failed(const struct import *)
	    __attribute__((noreturn));
static void import_unite(struct import *);
static void import_begin(struct import *, const struct runsort_rec *);
static enum store_action import_entry(const void *, size_t, void *, size_t *,
	    int64_t *, void *);
static int import_fill(struct store_batch *, void *);

/* usage - the usage line; exit */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-import [-anqsV] "
	    "[-c config] [-d database] legacy_data_dir\n");
	exit(status);
}

/* import_skip - report a file that is not imported, or a read error */

static void
import_skip(const char *relpath, const char *why, int err, void *ctx)
{
	struct import *im = ctx;

	if (err != 0) {
		im->unreadable++;
		if (!im->skip_unreadable) {
			log_warnx("%s: %s", relpath, why);
			return;
		}
	}
	im->skipped++;
	printf("skipped: %s: %s\n", relpath, why);
}

/* import_atime_report - access times ignored, or looking reset */

static void
import_atime_report(const struct import *im)
{
	enum legacy_reset why = legacy_times_reset(&im->times);

	if (why != LEGACY_ATIME_REAL) {
		printf("warning: the access times look reset: ");
		if (why == LEGACY_ATIME_SAME)
			printf("all %zu entries have the same access time\n",
			    im->times.n);
		else if (why == LEGACY_ATIME_LATER)
			printf("every access time is later than every allow "
			    "time (mtime)\n");
		else
			printf("all %zu access times lie within an hour, the "
			    "allow times over more than a day\n",
			    im->times.n);
		printf("warning: a copy with tar, rsync without -U or cp "
		    "without -p does that; as an entry's access time is its "
		    "last request, every entry looks retried, and one never "
		    "retried is kept GREYLISTEXPIREDAYS instead of 12 hours "
		    "after its allow time\n");
		if (!im->ignore_atime)
			printf("warning: if the tree was copied so, use -a: "
			    "every entry is then taken as not yet retried "
			    "(into a database without these entries: a merge "
			    "keeps the passes already there)\n");
	}
	if (im->ignore_atime)
		printf("note: access times ignored (-a): every entry is taken "
		    "as not yet retried (last request at first-seen, no "
		    "pass)\n");
}

/* import_content_note - a non-empty entry file: content is ignored */

static void
import_content_note(struct import *im, const struct legacy_file *f)
{
	if (f->st->st_size == 0)
		return;
	/* Entries written before tumgreyspf 1.19 hold one newline. */
	if (f->st->st_size == 1)
		return;
	im->notes++;
	printf("note: %s: entry file is not empty (%lld bytes); content "
	    "ignored, as tumgreyspf ignored it\n", f->relpath,
	    (long long)f->st->st_size);
}

/* import_file - one regular file of the tree */

static int
import_file(const struct legacy_file *f, void *ctx)
{
	struct import *im = ctx;
	struct legacy_entry e;
	struct entity_conf ent;
	struct greyrec rec;
	unsigned char key[KEY_MAX], val[ENTRY_VALUE_MAX];
	const char *why;
	long long gl = im->conf->default_allow_time;
	int64_t mtime, atime;
	size_t klen, vlen;

	im->files++;
	if (im->progress && im->files % 1000 == 0)
		fprintf(stderr, "\rgreyspf-import: %zu files", im->files);
	if (legacy_parse_path(f->comps, f->ncomps, &e, &why) < 0) {
		import_skip(f->relpath, why, 0, im);
		return (0);
	}
	import_content_note(im, f);
	if (e.noncanonical) {
		im->notes++;
		printf("note: %s: name not as tumgreyspf wrote it "
		    "(upper case or unusual escape); imported lower-cased\n",
		    f->relpath);
	}
	if (e.form == LEGACY_V6_COLLAPSED) {
		im->notes++;
		printf("note: %s: every IPv6 client shared this entry "
		    "(tumgreyspf's ignoreLastByte bug); imported as ::/0, "
		    "which greyspf keeps but never matches\n", f->relpath);
	}
	im->forms[e.form][e.key.kind == KEY_IPONLY]++;
	if (key_encode(&e.key, key, sizeof(key), &klen) < 0) {
		import_skip(f->relpath, "cannot encode key", 0, im);
		return (0);
	}
	if (im->use_entity) {
		tool_entity(im->conf, &e.key, &ent);
		gl = entity_greylist_time(&ent, gl);
	}
	if (legacy_ts_to_us(f->st->st_mtim.tv_sec, f->st->st_mtim.tv_nsec,
	    &mtime) < 0 || legacy_ts_to_us(f->st->st_atim.tv_sec,
	    f->st->st_atim.tv_nsec, &atime) < 0) {
		import_skip(f->relpath, "timestamps out of range", 0, im);
		return (0);
	}
	legacy_times_add(&im->times, mtime, atime);
	if (im->ignore_atime)
		legacy_to_record_unretried(mtime, gl * 1000000, &rec);
	else
		legacy_to_record(mtime, atime, gl * 1000000, &rec);
	/* The value as stored: the record, and for a key too long to hold
	 * them the whole addresses (entry.c). Only the record can fail. */
	if (entry_value(&e.key, &rec, val, sizeof(val), &vlen) < 0) {
		import_skip(f->relpath, "timestamps out of range", 0, im);
		return (0);
	}
	if (runsort_add(im->rs, key, klen, val, vlen, f->relpath,
	    strlen(f->relpath)) < 0)
		import_sort_failed(im);
	return (0);
}

/* import_sort_failed - the temporary file failed: say where, exit 1 */

static void
import_sort_failed(const struct import *im)
{
	fatal("sorting the entries in a temporary file in %s (TMPDIR) "
	    "failed, database not changed", runsort_dir(im->rs));
}

/* import_unite - the entries in key order: files that name one entry
 * are reported (the entry's first path, in byte order, names it) */

static void
import_unite(struct import *im)
{
	char first[LEGACY_PATH_MAX];
	struct runsort_rec r;
	int rc;

	if (runsort_rewind(im->rs) < 0)
		import_sort_failed(im);
	while ((rc = runsort_next(im->rs, &r)) > 0) {
		if (r.same) {
			printf("merged: %.*s: same entry as %s\n",
			    (int)r.tlen, r.tag, first);
			im->in_tree_merged++;
			continue;
		}
		im->n++;
		memcpy(first, r.tag, r.tlen);
		first[r.tlen] = 0;
	}
	if (rc < 0)
		import_sort_failed(im);
}

/* import_begin - the first file of an entry: its key, addresses, record */

static void
import_begin(struct import *im, const struct runsort_rec *r)
{
	memcpy(im->key, r->key, r->klen);
	im->klen = r->klen;
	if (entry_decode(r->key, r->klen, r->val, r->vlen, &im->whole,
	    &im->rec) < 0)
		panic("a sorted entry did not decode");
	memcpy(im->path, r->tag, r->tlen);
	im->path[r->tlen] = 0;
}

/* import_entry - merge one tree entry into what the database holds */

static enum store_action
import_entry(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct import *im = ctx;
	struct greyrec rec = im->rec, cur, m;
	size_t *count = &im->added;

	if (old == NULL)
		im->added++;
	else if (entry_record(old, oldlen, &cur) < 0) {
		printf("note: %s: replaces an unreadable record in the "
		    "database\n", im->path);
		im->merged++;
		count = &im->merged;
	} else {
		m = cur;
		record_merge(&m, &rec);
		if (record_equal(&m, &cur)) {
			im->unchanged++;
			return (STORE_UNCHANGED);
		}
		rec = m;
		im->merged++;
		count = &im->merged;
	}
	if (entry_value(&im->whole, &rec, new_r, ENTRY_VALUE_MAX, newlen_r)
	    < 0)
		panic("the value of a checked record did not encode");
	/* A store that expires entries itself: greyspf-clean's rule; what
	 * has expired already is not written (it would be dropped). */
	if (im->expiry && (*expire_r = tool_expires_at(im->conf, &im->whole,
	    &rec)) <= im->now) {
		(*count)--;
		im->expired++;
		return (STORE_UNCHANGED);
	}
	im->last = count;
	return (STORE_WRITE);
}

/* import_fill - every entry of the tree in one batch: all or nothing */

static int
import_fill(struct store_batch *b, void *ctx)
{
	struct import *im = ctx;
	struct runsort_rec r;
	struct greyrec rec;
	int rc, have = 0;

	/* Run again from the start after a map growth: counts anew. */
	im->added = im->merged = im->unchanged = 0;
	im->last = NULL;
	if (runsort_rewind(im->rs) < 0) {
		im->err = errno;
		return (STORE_ABORTED);
	}
	while ((rc = runsort_next(im->rs, &r)) > 0) {
		if (r.same) {
			/* Another file for this entry: united. */
			if (entry_record(r.val, r.vlen, &rec) < 0)
				panic("a sorted record did not decode");
			record_merge(&im->rec, &rec);
			continue;
		}
		if (have && (rc = store_batch_update(b, im->key, im->klen,
		    import_entry, im)) != STORE_OK)
			return (rc);
		import_begin(im, &r);
		have = 1;
	}
	if (rc < 0) {
		im->err = errno;
		return (STORE_ABORTED);
	}
	if (have)
		return (store_batch_update(b, im->key, im->klen, import_entry,
		    im));
	return (STORE_OK);
}

int
main(int argc, char **argv)
{
	struct import im;
	struct config conf;
	struct cli_opts o = {NULL, NULL};
	const char *root;
	struct store *st = NULL;
	int c, dryrun = 0, quiet = 0, rc, f;
	size_t i;

	cli_init(argv[0]);
	memset(&im, 0, sizeof(im));
	while ((c = cli_getopt(argc, argv, "ac:d:hnqsV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		switch (c) {
		case 'a':
			im.ignore_atime = 1;
			break;
		case 'n':
			dryrun = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			im.skip_unreadable = 1;
			break;
		default:
			usage(CLI_EXIT_USAGE);
		}
	}
	if (argc - optind != 1)
		usage(CLI_EXIT_USAGE);
	root = argv[optind];
	cli_config(o.cpath, &conf);
	im.rs = runsort_new(runsort_env_memory());
	im.conf = &conf;
	im.use_entity = access(conf.config_path, F_OK) == 0;
	im.progress = !quiet && isatty(2);
	printf("importing %s%s\n", root, dryrun ? " (dry run)" : "");
	if (!im.use_entity)
		printf("note: no per-entity configuration at %s: first-seen "
		    "times inferred with GREYLISTTIME %lld s\n",
		    conf.config_path, conf.default_allow_time);
	if (legacy_walk(root, import_file, import_skip, &im) < 0)
		fatal("%s", root);
	if (im.progress)
		fprintf(stderr, "\rgreyspf-import: %zu files\n", im.files);
	/* A tree not read whole is no import: its entries would be lost
	 * while the exit status said success. */
	if (im.unreadable && !im.skip_unreadable)
		fatalx("%zu files or directories could not be read: %s (-s "
		    "skips them)", im.unreadable, dryrun ? "the import would "
		    "fail" : "nothing imported");
	if (im.unreadable)
		printf("warning: %zu files or directories could not be read "
		    "and were skipped (-s): the entries in them are not "
		    "imported\n", im.unreadable);
	import_atime_report(&im);
	import_unite(&im);
	for (f = 0; f < LEGACY_FORMS; f++)
		for (i = 0; i < 2; i++)
			if (im.forms[f][i])
				printf("layout: %s, %s: %zu\n",
				    i ? "IP only (check_file)" : "triplet",
				    legacy_form_name((enum legacy_form)f),
				    im.forms[f][i]);
	if (dryrun) {
		struct store_opts so;

		memset(&so, 0, sizeof(so));
		so.rdonly = 1;
		so.recognise = entry_recognise;
		tool_server_opts(&conf, &so);
		rc = store_open(&st, o.dbpath ? o.dbpath : conf.database, &so);
		if (rc == STORE_OK) {
			rc = store_load(st, import_fill, &im,
			    STORE_LOAD_DRYRUN);
			if (rc == STORE_ABORTED && im.err != 0) {
				errno = im.err;
				fatal("reading the temporary file in %s "
				    "(TMPDIR)", runsort_dir(im.rs));
			}
			if (rc != STORE_OK)
				fatalx("%s", store_strerror(st, rc));
			store_close(st);
		} else if (rc == STORE_NOENT)
			im.added = im.n;	/* no database yet: all new */
		else
			fatalx("%s", store_strerror(NULL, rc));
	} else {
		st = tool_open_store(&conf, o.dbpath, 0);
		im.expiry = (store_caps(st) & STORE_CAP_EXPIRY) != 0;
		im.now = timefmt_now_us();
		tool_warn_unguaranteed(st, STORE_CAP_ATOMIC_LOAD, "all or "
		    "nothing: after a failure, import the same tree again");
		rc = store_load(st, import_fill, &im, 0);
		if (rc == STORE_ABORTED && im.err != 0) {
			errno = im.err;
			fatal("import failed, database unchanged: reading the "
			    "temporary file in %s (TMPDIR)",
			    runsort_dir(im.rs));
		}
		/* A write refused is not done, though decided. */
		if (rc != STORE_OK && store_load_refused(st)
		    && im.last != NULL)
			(*im.last)--;
		if (rc != STORE_OK && !(store_caps(st)
		    & STORE_CAP_ATOMIC_LOAD))
			fatalx("import stopped after %zu of %zu entries (%zu "
			    "new, %zu merged, %zu already present; the %s "
			    "backend imports entry by entry: import the same "
			    "tree again, it merges): %s", im.added + im.merged
			    + im.unchanged, im.n, im.added, im.merged,
			    im.unchanged, store_name(st), store_strerror(st,
			    rc));
		if (rc != STORE_OK)
			fatalx("import failed, database unchanged: %s",
			    store_strerror(st, rc));
		store_close(st);
	}
	printf("files: %zu; entries: %zu; %s: %zu new, %zu merged into "
	    "existing, %zu already present; %zu merged within the tree; "
	    "%zu skipped; %zu notes\n", im.files, im.n,
	    dryrun ? "would import" : "imported", im.added, im.merged,
	    im.unchanged, im.in_tree_merged, im.skipped, im.notes);
	if (im.expired)
		printf("expired already, not written: %zu\n", im.expired);
	runsort_free(im.rs);
	return (cli_finish_stdout());
}
