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
 *	A file or directory that cannot be read (a directory the user may
 *	not list or search) fails the import: every entry below it would
 *	be lost. Each is named on stderr, and nothing is written. With -s
 *	they are skipped instead, reported with the other skipped files,
 *	and the rest is imported.
 *
 *	The report on stdout names the layouts found, every skipped file
 *	with its reason, every merge and every note, then the counts.
 *	Progress goes to stderr when it is a terminal.
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
#include "util.h"

struct import_item {
	unsigned char key[KEY_MAX];
	size_t	klen;
	struct greyrec rec;
	char	*path;
	struct greykey *whole;	/* a digested key's addresses, or NULL */
};

struct import {
	const struct config *conf;
	int	use_entity;
	int	progress;
	struct import_item *items;
	size_t	n, cap;
	int	skip_unreadable;	/* -s */
	int	ignore_atime;		/* -a */
	struct legacy_times times;
	size_t	files, skipped, notes, in_tree_merged;
	size_t	unreadable;	/* read errors: fail, or skipped with -s */
	size_t	forms[LEGACY_FORMS][2];	/* [form][iponly?] */
	/* Set by the write transaction (reset at each try). */
	size_t	i;		/* the item being stored */
	size_t	added, merged, unchanged;
};

static void usage(int) __attribute__((noreturn));
static void import_skip(const char *, const char *, int, void *);
static void import_atime_report(const struct import *);
static void import_content_note(struct import *, const struct legacy_file *);
static int import_file(const struct legacy_file *, void *);
static int import_cmp(const void *, const void *);
static void import_unite(struct import *);

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
	struct import_item *it;
	unsigned char val[RECORD_MAX];
	const char *why;
	long long gl = im->conf->default_allow_time;
	int64_t mtime, atime;
	size_t vlen;

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
	if (im->n == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 1024;
		im->items = xreallocarray(im->items, im->cap,
		    sizeof(*im->items));
	}
	it = &im->items[im->n];
	if (key_encode(&e.key, it->key, sizeof(it->key), &it->klen) < 0) {
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
		legacy_to_record_unretried(mtime, gl * 1000000, &it->rec);
	else
		legacy_to_record(mtime, atime, gl * 1000000, &it->rec);
	if (record_encode(&it->rec, val, sizeof(val), &vlen) < 0) {
		import_skip(f->relpath, "timestamps out of range", 0, im);
		return (0);
	}
	it->path = xstrdup(f->relpath);
	it->whole = NULL;
	if (e.key.kind == KEY_TRIPLET && strlen(e.key.sender)
	    + strlen(e.key.recipient) > KEY_ADDR_MAX) {
		it->whole = xmalloc(sizeof(*it->whole));
		*it->whole = e.key;
	}
	im->n++;
	return (0);
}

/* import_cmp - qsort order: by key, then by path */

static int
import_cmp(const void *a, const void *b)
{
	const struct import_item *x = a, *y = b;
	int c = key_compare(x->key, x->klen, y->key, y->klen);

	return (c != 0 ? c : strcmp(x->path, y->path));
}

/* import_unite - sort, then merge files that name one entry */

static void
import_unite(struct import *im)
{
	size_t i, o = 0;

	if (im->n == 0)
		return;
	qsort(im->items, im->n, sizeof(*im->items), import_cmp);
	for (i = 1; i < im->n; i++) {
		struct import_item *cur = &im->items[o], *it = &im->items[i];

		if (cur->klen == it->klen
		    && memcmp(cur->key, it->key, it->klen) == 0) {
			printf("merged: %s: same entry as %s\n", it->path,
			    cur->path);
			record_merge(&cur->rec, &it->rec);
			im->in_tree_merged++;
			free(it->path);
			free(it->whole);
			continue;
		}
		im->items[++o] = *it;
	}
	im->n = o + 1;
}

/* import_entry - merge one tree entry into what the database holds */

static enum store_action
import_entry(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct import *im = ctx;
	struct import_item *it = &im->items[im->i];
	struct greyrec rec = it->rec, cur, m;

	(void)expire_r;
	if (old == NULL)
		im->added++;
	else if (entry_record(old, oldlen, &cur) < 0) {
		printf("note: %s: replaces an unreadable record in the "
		    "database\n", it->path);
		im->merged++;
	} else {
		m = cur;
		record_merge(&m, &rec);
		if (record_equal(&m, &cur)) {
			im->unchanged++;
			return (STORE_UNCHANGED);
		}
		rec = m;
		im->merged++;
	}
	if (it->whole != NULL ? entry_value(it->whole, &rec, new_r,
	    ENTRY_VALUE_MAX, newlen_r) < 0 : record_encode(&rec, new_r,
	    RECORD_MAX, newlen_r) < 0)
		panic("the value of a checked record did not encode");
	return (STORE_WRITE);
}

/* import_fill - every entry of the tree in one batch: all or nothing */

static int
import_fill(struct store_batch *b, void *ctx)
{
	struct import *im = ctx;
	int rc;

	/* Run again from the start after a map growth: counts anew. */
	im->added = im->merged = im->unchanged = 0;
	for (im->i = 0; im->i < im->n; im->i++)
		if ((rc = store_batch_update(b, im->items[im->i].key,
		    im->items[im->i].klen, import_entry, im)) != STORE_OK)
			return (rc);
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
		rc = store_open(&st, o.dbpath ? o.dbpath : conf.database, &so);
		if (rc == STORE_OK) {
			rc = store_load(st, import_fill, &im,
			    STORE_LOAD_DRYRUN);
			if (rc != STORE_OK)
				fatalx("%s", store_strerror(st, rc));
			store_close(st);
		} else if (rc == STORE_NOENT)
			im.added = im.n;	/* no database yet: all new */
		else
			fatalx("%s", store_strerror(NULL, rc));
	} else {
		st = tool_open_store(&conf, o.dbpath, 0);
		tool_warn_unguaranteed(st, STORE_CAP_ATOMIC_LOAD, "all or "
		    "nothing: after a failure, import the same tree again");
		rc = store_load(st, import_fill, &im, 0);
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
	for (i = 0; i < im.n; i++) {
		free(im.items[i].path);
		free(im.items[i].whole);
	}
	free(im.items);
	return (cli_finish_stdout());
}
