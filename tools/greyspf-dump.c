/*
 * NAME
 *	greyspf-dump 8
 * SUMMARY
 *	write the greyspf database as text, or as a tumgreyspf tree
 * SYNOPSIS
 *	greyspf-dump [-V] [-c config] [-d database] [--legacy dir]
 * DESCRIPTION
 *	Without --legacy: a versioned text dump on stdout, in the manner of
 *	mdb_dump: a header (VERSION=1, format=greyspf-greylist,
 *	HEADER=END), one entry a line in key order (dumpfmt.c), and
 *	DATA=END. greyspf-load(8) reads it back; dumping again gives the
 *	same bytes.
 *
 *	With --legacy dir: a tumgreyspf data tree, which tumgreyspf (or
 *	greyspf-import) reads as the same entries: empty files with mtime
 *	the allow time and atime the last request, to the microsecond.
 *	dir must not exist. The tree is built beside it under a temporary
 *	name and renamed into place when complete, so dir never holds half
 *	a tree. Entries with no tumgreyspf form (networks other than IPv4
 *	/32 and /24, IPv6 /128 and ::/0; the null sender) are listed on
 *	stderr and make the exit status 1.
 *
 *	The database is opened read-only; a dump is one read transaction,
 *	a consistent snapshot while the service goes on writing.
 * DIAGNOSTICS
 *	Exit 0 on success; 1 on a run-time failure (including a write
 *	error on stdout and any entry left out); 2 on a usage error.
 *	Undecodable records are reported with their key in hex and left
 *	out.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"
#include "dumpfmt.h"
#include "legacy.h"
#include "legacy_tree.h"
#include "entry.h"
#include "log.h"

struct dump {
	int	rootfd;		/* --legacy: the temporary tree */
	size_t	entries, bad, noform, errors;
};

static void usage(int) __attribute__((noreturn));

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-dump [-V] [-c config] [-d database] "
	    "[--legacy dir]\n");
	exit(status);
}

/* dump_decode - key and record, or a report */

static int
dump_decode(const void *k, size_t klen, const void *v, size_t vlen,
    struct greykey *key, struct greyrec *rec, struct dump *d)
{
	const unsigned char *p = k;
	char hex[2 * KEY_MAX + 1];
	size_t i;

	if (entry_decode(k, klen, v, vlen, key, rec) == 0)
		return (0);
	for (i = 0; i < klen && i < KEY_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", p[i]);
	hex[2 * i] = 0;
	log_warnx("undecodable entry, key %s: left out", hex);
	d->bad++;
	return (-1);
}

/* dump_text_entry - one line of the text dump */

static enum store_visit
dump_text_entry(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct dump *d = ctx;
	struct greykey key;
	struct greyrec rec;
	char line[DUMPFMT_LINE_MAX];

	if (dump_decode(k, klen, v, vlen, &key, &rec, d) < 0)
		return (STORE_NEXT);
	if (dumpfmt_format(&key, &rec, line, sizeof(line)) < 0) {
		log_warnx("entry too long to format: left out");
		d->bad++;
		return (STORE_NEXT);
	}
	/* A write error: cli_finish_stdout() reports it. */
	if (printf("%s\n", line) < 0)
		return (STORE_FAIL);
	d->entries++;
	return (STORE_NEXT);
}

/* dump_legacy_entry - one file of the legacy tree */

static enum store_visit
dump_legacy_entry(const void *k, size_t klen, const void *v, size_t vlen,
    void *ctx)
{
	struct dump *d = ctx;
	struct greykey key;
	struct greyrec rec;
	char path[LEGACY_PATH_MAX], net[ADDR_TEXT_MAX];
	const char *why;
	int rc;

	if (dump_decode(k, klen, v, vlen, &key, &rec, d) < 0)
		return (STORE_NEXT);
	if (legacy_format_path(&key, path, sizeof(path), &why) < 0) {
		addr_format_net(&key.client, net, sizeof(net));
		log_warnx("%s %s <%.100s> <%.100s>: left out: %s",
		    key.kind == KEY_IPONLY ? "iponly" : "triplet", net,
		    key.sender, key.recipient, why);
		d->noform++;
		return (STORE_NEXT);
	}
	if ((rc = legacy_write_entry(d->rootfd, path, rec.allow_us,
	    rec.last_us)) != 0) {
		log_warnx("%s: %s", path, strerror(rc));
		d->errors++;
		return (STORE_FAIL);
	}
	d->entries++;
	return (STORE_NEXT);
}

static int
dump_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"legacy", required_argument, NULL, 'L'},
		{NULL, 0, NULL, 0}
	};
	char tmp[PATH_MAX];
	struct config conf;
	struct cli_opts o = {NULL, NULL};
	const char *legacy = NULL;
	struct store *st;
	struct store_cursor cur;
	struct dump d;
	int c, rc, status;

	cli_init(argv[0]);
	while ((c = cli_getopt(argc, argv, "c:d:hV", longopts)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		switch (c) {
		case 'L':
			legacy = optarg;
			break;
		default:
			usage(CLI_EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(CLI_EXIT_USAGE);
	cli_config(o.cpath, &conf);
	st = tool_open_store(&conf, o.dbpath, 1);
	memset(&d, 0, sizeof(d));
	memset(&cur, 0, sizeof(cur));
	if (legacy == NULL) {
		printf("VERSION=%s\nformat=%s\nHEADER=END\n",
		    DUMPFMT_VERSION, DUMPFMT_FORMAT);
		/* One walk, one snapshot (the LMDB backend's). */
		rc = store_walk(st, &cur, 0, dump_text_entry, &d);
		if (rc == STORE_OK)
			printf("DATA=END\n");
		status = cli_finish_stdout();
		if (rc != STORE_OK && rc != STORE_ABORTED)
			log_warnx("dump failed: %s", store_strerror(st, rc));
		store_close(st);
		return (rc != STORE_OK || d.bad ? CLI_EXIT_FAIL : status);
	}
	if (access(legacy, F_OK) == 0 || errno != ENOENT)
		fatalx("%s: already exists; name a new directory", legacy);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.greyspf-tmp.%ld", legacy,
	    (long)getpid()) >= sizeof(tmp))
		fatalx("%s: name too long", legacy);
	if (mkdir(tmp, 0755) < 0)
		fatal("%s", tmp);
	if ((d.rootfd = open(tmp, O_RDONLY | O_DIRECTORY)) < 0)
		fatal("%s", tmp);
	rc = store_walk(st, &cur, 0, dump_legacy_entry, &d);
	if (rc != STORE_OK && rc != STORE_ABORTED)
		log_warnx("dump failed: %s", store_strerror(st, rc));
	store_close(st);
	close(d.rootfd);
	if (rc != STORE_OK || d.errors) {
		nftw(tmp, dump_rm, 16, FTW_DEPTH | FTW_PHYS);
		fatalx("legacy dump failed, %s not created", legacy);
	}
	if (rename(tmp, legacy) < 0) {
		rc = errno;
		nftw(tmp, dump_rm, 16, FTW_DEPTH | FTW_PHYS);
		errno = rc;
		fatal("rename %s to %s", tmp, legacy);
	}
	printf("%s: %zu entries written", legacy, d.entries);
	if (d.noform || d.bad)
		printf(", %zu left out (see above)", d.noform + d.bad);
	printf("\n");
	status = cli_finish_stdout();
	return (d.noform || d.bad ? CLI_EXIT_FAIL : status);
}
