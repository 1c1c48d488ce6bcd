/*
 * NAME
 *	greyspf-load 8
 * SUMMARY
 *	load a greyspf-dump text dump into the database
 * SYNOPSIS
 *	greyspf-load [-NnV] [-c config] [-d database] [file]
 * DESCRIPTION
 *	Reads a dump written by greyspf-dump(8) from file or stdin. The
 *	whole input is parsed and checked first; only then is it written,
 *	in one write transaction. So a bad line anywhere leaves the
 *	database exactly as it was.
 *
 *	Header: the first line must be VERSION=1 (another version is
 *	refused), format= must be greyspf-greylist, other header keys are
 *	warned about and ignored (as mdb_load does), HEADER=END ends it.
 *	Data lines follow, in any order (greyspf-dump writes them in key
 *	order; a hand-made file need not be), and DATA=END ends the dump;
 *	nothing may follow it, and a dump without it is truncated. Two
 *	lines for one entry are an error naming both lines.
 *
 *	Memory does not grow with the dump: the entries go to a runsort
 *	(runsort.c), which keeps RUNSORT_MEMORY bytes of them and writes
 *	the rest, in sorted runs, to an unlinked file in $TMPDIR. The
 *	sorted stream is read once to find duplicates, then once more per
 *	try of the write transaction (a map growth starts it again).
 *
 *	An entry already in the database is replaced by the dump's record;
 *	with -N it is kept as it is. -n checks the input and changes
 *	nothing.
 * DIAGNOSTICS
 *	Errors are reported as "greyspf-load: file:line: reason" (at most
 *	20, then a count). Exit 0 on success, 1 on bad input or a
 *	run-time failure (database unchanged), 2 on a usage error.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "dumpfmt.h"
#include "entry.h"
#include "log.h"
#include "runsort.h"
#include "util.h"

#define LOAD_ERRORS_SHOWN	20

_Static_assert(KEY_MAX <= RUNSORT_KEY_MAX && ENTRY_VALUE_MAX
    <= RUNSORT_VALUE_MAX, "an entry fits a runsort record");

struct load {
	const char *name;
	struct runsort *rs;	/* the entries, sorted in bounded memory */
	size_t	n;
	size_t	errors;
	int	keep_existing;
	struct runsort_rec cur;	/* the entry being stored */
	int	err;		/* the temporary file's errno, if it failed */
	size_t	added, replaced, kept;
	size_t	*last;		/* the count of the last write decided */
	const struct config *conf;
	int	expiry;		/* the store expires entries: give each its
				 * expiry, by greyspf-clean's rule */
	int64_t	now;
	size_t	expired;	/* not written: the store would drop them */
};

static void usage(int) __attribute__((noreturn));
static void load_error(struct load *, long, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
static void load_sort_failed(const struct load *) __attribute__((noreturn));
static void load_data_line(struct load *, long, char *);
static long load_lineno(const struct runsort_rec *);
static void load_duplicates(struct load *);
static void load_read(struct load *, FILE *);
static enum store_action load_entry(const void *, size_t, void *, size_t *,
	    int64_t *, void *);
static int load_fill(struct store_batch *, void *);

/* usage - the usage line; exit */

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-load [-NnV] [-c config] "
	    "[-d database] [file]\n");
	exit(status);
}

/* load_error - one error with file:line; the first few are shown */

static void
load_error(struct load *ld, long lineno, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (++ld->errors > LOAD_ERRORS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%ld: %s", ld->name, lineno, msg);
}

/* load_sort_failed - the temporary file failed: say where, exit 1 */

static void
load_sort_failed(const struct load *ld)
{
	fatal("sorting the entries in a temporary file in %s (TMPDIR) "
	    "failed, database not changed", runsort_dir(ld->rs));
}

/* load_data_line - one entry, to be sorted when valid */

static void
load_data_line(struct load *ld, long lineno, char *line)
{
	struct greykey key;
	unsigned char kbuf[KEY_MAX], val[ENTRY_VALUE_MAX], tag[8];
	struct greyrec rec;
	struct counter_key ck;
	struct counter_set cs;
	const char *why;
	size_t klen, vlen;
	int i;

	if (dumpfmt_is_counters(line)) {
		if (dumpfmt_counters_parse(line, &ck, &cs, &why) < 0) {
			load_error(ld, lineno, "%s", why);
			return;
		}
		if (counter_key_encode(&ck, kbuf, sizeof(kbuf), &klen) < 0
		    || counter_value_encode(&cs, val, sizeof(val), &vlen)
		    < 0) {
			load_error(ld, lineno, "counters cannot be stored");
			return;
		}
	} else if (dumpfmt_parse(line, &key, &rec, &why) < 0) {
		load_error(ld, lineno, "%s", why);
		return;
	} else if (key_encode(&key, kbuf, sizeof(kbuf), &klen) < 0
	    || entry_value(&key, &rec, val, sizeof(val), &vlen) < 0) {
		load_error(ld, lineno, "entry cannot be stored");
		return;
	}
	/* The line number, big-endian: entries of one key in line order. */
	for (i = 0; i < 8; i++)
		tag[i] = (unsigned char)((unsigned long long)lineno
		    >> (56 - 8 * i));
	if (runsort_add(ld->rs, kbuf, klen, val, vlen, tag, sizeof(tag)) < 0)
		load_sort_failed(ld);
	ld->n++;
}

/* load_lineno - the line number a sorted entry came from */

static long
load_lineno(const struct runsort_rec *r)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < r->tlen; i++)
		v = v << 8 | r->tag[i];
	return ((long)v);
}

/* load_duplicates - entries in key order: two for one key are reported
 * with both line numbers */

static void
load_duplicates(struct load *ld)
{
	struct runsort_rec r;
	long prev = 0;
	int rc;

	if (runsort_rewind(ld->rs) < 0)
		load_sort_failed(ld);
	while ((rc = runsort_next(ld->rs, &r)) > 0) {
		if (r.same)
			load_error(ld, load_lineno(&r), "duplicate of the "
			    "entry on line %ld", prev);
		prev = load_lineno(&r);
	}
	if (rc < 0)
		load_sort_failed(ld);
}

/* load_read - the whole dump, checked; its entries to the sort */

static void
load_read(struct load *ld, FILE *fp)
{
	enum { HEADER_FIRST, HEADER, DATA, END } state = HEADER_FIRST;
	char line[DUMPFMT_LINE_MAX + 1], *eq;
	size_t total = 0;
	long len;
	long lineno = 0;

	/* Only a line's first DUMPFMT_LINE_MAX bytes are kept: a line of
	 * any length costs no more memory. */
	while ((len = file_read_line(fp, line, sizeof(line), &total,
	    SIZE_MAX)) >= 0) {
		lineno++;
		if (feof(fp)) {
			load_error(ld, lineno, "last line has no newline "
			    "(truncated dump?)");
			break;
		}
		if (strlen(line) != (size_t)(len < DUMPFMT_LINE_MAX ? len
		    : DUMPFMT_LINE_MAX)) {
			load_error(ld, lineno, "NUL byte in line");
			continue;
		}
		if (len >= DUMPFMT_LINE_MAX) {
			load_error(ld, lineno, "line longer than %d bytes",
			    DUMPFMT_LINE_MAX);
			continue;
		}
		switch (state) {
		case HEADER_FIRST:
			if (strncmp(line, "VERSION=", 8) != 0) {
				load_error(ld, lineno, "not a greyspf dump "
				    "(first line is not VERSION=)");
				goto done;
			}
			if (strcmp(line + 8, DUMPFMT_VERSION) != 0) {
				load_error(ld, lineno, "unsupported dump "
				    "version \"%.20s\" (this greyspf reads "
				    "version %s)", line + 8, DUMPFMT_VERSION);
				goto done;
			}
			state = HEADER;
			break;
		case HEADER:
			if (strcmp(line, "HEADER=END") == 0) {
				state = DATA;
				break;
			}
			if ((eq = strchr(line, '=')) == NULL) {
				load_error(ld, lineno, "bad header line");
				break;
			}
			*eq = 0;
			if (strcmp(line, "format") == 0) {
				if (strcmp(eq + 1, DUMPFMT_FORMAT) != 0)
					load_error(ld, lineno, "format is "
					    "\"%.40s\", not " DUMPFMT_FORMAT,
					    eq + 1);
			} else
				log_warnx("%s:%ld: unknown header key "
				    "\"%.40s\" ignored", ld->name, lineno,
				    line);
			break;
		case DATA:
			if (strcmp(line, "DATA=END") == 0)
				state = END;
			else
				load_data_line(ld, lineno, line);
			break;
		case END:
			load_error(ld, lineno, "text after DATA=END");
			goto done;
		}
	}
done:
	if (ferror(fp))
		load_error(ld, lineno, "read error: %s", strerror(errno));
	else if (ld->errors == 0 && state != END)
		load_error(ld, lineno, "unexpected end of input: %s missing "
		    "(truncated dump?)", state == DATA ? "DATA=END"
		    : "HEADER=END");
}

/* load_entry - store_load's decision on one entry: the dump's record */

static enum store_action
load_entry(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct load *ld = ctx;
	struct greykey key;
	struct greyrec rec;

	(void)oldlen;
	if (old != NULL && ld->keep_existing) {
		ld->kept++;
		return (STORE_UNCHANGED);
	}
	/* A store that expires entries itself: greyspf-clean's rule; what
	 * has expired already is not written (it would be dropped). */
	if (ld->expiry && entry_decode(ld->cur.key, ld->cur.klen, ld->cur.val,
	    ld->cur.vlen, &key, &rec) == 0 && (*expire_r = tool_expires_at(
	    ld->conf, &key, &rec)) <= ld->now) {
		ld->expired++;
		return (STORE_UNCHANGED);
	}
	ld->last = old != NULL ? &ld->replaced : &ld->added;
	(*ld->last)++;
	memcpy(new_r, ld->cur.val, ld->cur.vlen);
	*newlen_r = ld->cur.vlen;
	return (STORE_WRITE);
}

/* load_fill - every entry in one batch: all or nothing */

static int
load_fill(struct store_batch *b, void *ctx)
{
	struct load *ld = ctx;
	int rc;

	/* Run again from the start after a map growth: counts anew. */
	ld->added = ld->replaced = ld->kept = 0;
	ld->last = NULL;
	if (runsort_rewind(ld->rs) < 0) {
		ld->err = errno;
		return (STORE_ABORTED);
	}
	while ((rc = runsort_next(ld->rs, &ld->cur)) > 0)
		if ((rc = store_batch_update(b, ld->cur.key, ld->cur.klen,
		    load_entry, ld)) != STORE_OK)
			return (rc);
	if (rc < 0) {
		ld->err = errno;
		return (STORE_ABORTED);
	}
	return (STORE_OK);
}

int
main(int argc, char **argv)
{
	struct config conf;
	struct cli_opts o = {NULL, NULL};
	struct store *st;
	struct load ld;
	FILE *fp = stdin;
	int c, rc, check_only = 0;

	cli_init(argv[0]);
	memset(&ld, 0, sizeof(ld));
	while ((c = cli_getopt(argc, argv, "c:d:hNnV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		switch (c) {
		case 'N':
			ld.keep_existing = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		default:
			usage(CLI_EXIT_USAGE);
		}
	}
	if (argc - optind > 1)
		usage(CLI_EXIT_USAGE);
	cli_config(o.cpath, &conf);
	ld.rs = runsort_new(runsort_env_memory());
	ld.name = "stdin";
	if (argc - optind == 1 && strcmp(argv[optind], "-") != 0) {
		ld.name = argv[optind];
		if ((fp = fopen(ld.name, "r")) == NULL)
			fatal("%s", ld.name);
	}
	load_read(&ld, fp);
	load_duplicates(&ld);
	if (fp != stdin)
		fclose(fp);
	if (ld.errors) {
		if (ld.errors > LOAD_ERRORS_SHOWN)
			log_warnx("%s: %zu more errors", ld.name,
			    ld.errors - LOAD_ERRORS_SHOWN);
		log_warnx("%s: %zu errors; database not changed", ld.name,
		    ld.errors);
		runsort_free(ld.rs);
		return (CLI_EXIT_FAIL);
	}
	if (check_only) {
		printf("%s: %zu entries, no errors (nothing written)\n",
		    ld.name, ld.n);
		runsort_free(ld.rs);
		return (cli_finish_stdout());
	}
	st = tool_open_store(&conf, o.dbpath, 0);
	ld.conf = &conf;
	ld.expiry = (store_caps(st) & STORE_CAP_EXPIRY) != 0;
	ld.now = timefmt_now_us();
	tool_warn_unguaranteed(st, STORE_CAP_ATOMIC_LOAD, "all or nothing: "
	    "after a failure, load the same dump again");
	rc = store_load(st, load_fill, &ld, 0);
	if (rc == STORE_ABORTED && ld.err != 0) {
		errno = ld.err;
		fatal("load failed, database unchanged: reading the temporary "
		    "file in %s (TMPDIR)", runsort_dir(ld.rs));
	}
	/* A write refused is not done, though decided. */
	if (rc != STORE_OK && store_load_refused(st) && ld.last != NULL)
		(*ld.last)--;
	if (rc != STORE_OK && !(store_caps(st) & STORE_CAP_ATOMIC_LOAD))
		fatalx("load stopped after %zu of %zu entries (%zu added, %zu "
		    "replaced, %zu kept; the %s backend loads entry by entry: "
		    "load the same dump again): %s", ld.added + ld.replaced
		    + ld.kept, ld.n, ld.added, ld.replaced, ld.kept,
		    store_name(st), store_strerror(st, rc));
	if (rc != STORE_OK)
		fatalx("load failed, database unchanged: %s",
		    store_strerror(st, rc));
	store_close(st);
	runsort_free(ld.rs);
	printf("%s: %zu entries: %zu added, %zu replaced, %zu kept", ld.name,
	    ld.n, ld.added, ld.replaced, ld.kept);
	if (ld.expired)
		printf(", %zu expired already (not written)", ld.expired);
	printf("\n");
	return (cli_finish_stdout());
}
