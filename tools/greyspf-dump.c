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
 *	HEADER=END), one entry a line in key order (dumpfmt.c: greylist
 *	entries, auto-whitelist entries, then the statistics counters),
 *	and DATA=END. greyspf-load(8) reads it back; dumping again gives the
 *	same bytes.
 *
 *	With --legacy dir: a tumgreyspf data tree, which tumgreyspf (or
 *	greyspf-import) reads as the same entries: empty files with mtime
 *	the allow time and atime the last request, to the microsecond.
 *	dir must not exist. The tree is built beside it under a temporary
 *	name (dir.greyspf-tmp.PID), synced (one syncfs(2) for its files and
 *	directories) and renamed into place with RENAME_NOREPLACE, so dir
 *	never holds half a tree and a directory made there meanwhile is
 *	never replaced; then the directory holding it is synced. A
 *	temporary tree left by a dump that was killed is removed by the
 *	next one when its process is gone and it belongs to this user;
 *	any other is reported and left alone. Entries with no tumgreyspf
 *	form (networks other than IPv4 /32 and /24, IPv6 /128 and ::/0;
 *	the null sender) are listed on stderr and make the exit status 1.
 *	Auto-whitelist entries and counters, which tumgreyspf never had,
 *	are left out silently.
 * SECURITY
 *	The tree is private (directories 0700, files 0600), as the
 *	database is: greylist data names correspondents.
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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
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
#include "util.h"

struct dump {
	int	rootfd;		/* --legacy: the temporary tree */
	size_t	entries, bad, noform, errors;
};

/* --legacy: where the tree is built, and where it goes. */
struct dump_place {
	const char *dir;	/* as given */
	char	parent[PATH_MAX];	/* the directory that holds it */
	int	parentfd;
	char	base[NAME_MAX + 1];	/* its name there */
	char	tmpname[NAME_MAX + 1];	/* base.greyspf-tmp.PID */
	char	tmp[PATH_MAX];	/* the same as a path, for nftw */
};

#define DUMP_TMP_INFIX	".greyspf-tmp."

static void usage(int) __attribute__((noreturn));
static int dump_rm(const char *, const struct stat *, int, struct FTW *);
static void dump_stale(const struct dump_place *);
static int dump_place_open(struct dump_place *, const char *);
static int dump_place_finish(struct dump_place *, int);

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
	struct counter_key ck;
	struct counter_set cs;
	char line[DUMPFMT_LINE_MAX];
	int rc;

	if ((rc = tool_counters(k, klen, v, vlen, &ck, &cs)) != 0) {
		if (rc < 0 || dumpfmt_counters_format(&ck, &cs, line,
		    sizeof(line)) < 0) {
			log_warnx("undecodable counters: left out");
			d->bad++;
			return (STORE_NEXT);
		}
	} else if (dump_decode(k, klen, v, vlen, &key, &rec, d) < 0)
		return (STORE_NEXT);
	else if (dumpfmt_format(&key, &rec, line, sizeof(line)) < 0) {
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

	/* tumgreyspf has no auto-whitelist and no counters. */
	if (counter_is_key(k, klen))
		return (STORE_NEXT);
	if (dump_decode(k, klen, v, vlen, &key, &rec, d) < 0)
		return (STORE_NEXT);
	if (key.kind == KEY_AWL)
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

/* dump_rm - nftw callback: remove one file or (emptied) directory */

static int
dump_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* dump_stale - remove temporary trees of dumps to dir that were killed */

static void
dump_stale(const struct dump_place *pl)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t blen = strlen(pl->base), ilen = strlen(DUMP_TMP_INFIX);
	long long pid;
	DIR *dir;
	int fd;

	if ((fd = dup(pl->parentfd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, pl->base, blen) != 0
		    || strncmp(de->d_name + blen, DUMP_TMP_INFIX, ilen) != 0
		    || strspn(de->d_name + blen + ilen, "0123456789")
		    != strlen(de->d_name + blen + ilen)
		    || strnum_ll(de->d_name + blen + ilen, 1, INT_MAX,
		    &pid) < 0 || (size_t)snprintf(path, sizeof(path), "%s/%s",
		    pl->parent, de->d_name) >= sizeof(path))
			continue;
		/* Ours to remove: a directory of this user, whose process is
		 * gone. Any other is reported and left alone. */
		if (fstatat(pl->parentfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)
		    || st.st_uid != geteuid())
			log_warnx("%s: not a temporary directory of this user: "
			    "left as it is", path);
		else if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			log_warnx("%s: temporary directory of process %lld, "
			    "which still runs: left as it is", path, pid);
		else if (nftw(path, dump_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
			log_warn("%s: cannot remove", path);
		else
			log_warnx("removed %s, left by a greyspf-dump that no "
			    "longer runs", path);
	}
	closedir(dir);
}

/* dump_place_open - check dir, clear stale trees, make the temporary one */

static int
dump_place_open(struct dump_place *pl, const char *dir)
{
	char copy[PATH_MAX], *parent;
	const char *base;
	struct stat st;
	int fd, err;

	memset(pl, 0, sizeof(*pl));
	pl->dir = dir;
	if (strlen(dir) >= sizeof(copy))
		fatalx("%s: name too long", dir);
	strcpy(copy, dir);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = 0;
	if ((base = strrchr(copy, '/')) == NULL) {
		base = copy;
		parent = ".";
	} else {
		copy[base - copy] = 0;
		base++;
		parent = copy[0] ? copy : "/";
	}
	if (*base == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		fatalx("%s: name a new directory", dir);
	if ((size_t)snprintf(pl->base, sizeof(pl->base), "%s", base)
	    >= sizeof(pl->base) || (size_t)snprintf(pl->parent,
	    sizeof(pl->parent), "%s", parent) >= sizeof(pl->parent)
	    || (size_t)snprintf(pl->tmpname,
	    sizeof(pl->tmpname), "%s%s%ld", base, DUMP_TMP_INFIX,
	    (long)getpid()) >= sizeof(pl->tmpname)
	    || (size_t)snprintf(pl->tmp, sizeof(pl->tmp), "%s/%s", parent,
	    pl->tmpname) >= sizeof(pl->tmp))
		fatalx("%s: name too long", dir);
	if ((pl->parentfd = open(parent, O_RDONLY | O_DIRECTORY
	    | O_CLOEXEC)) < 0)
		fatal("%s", parent);
	dump_stale(pl);
	/* Early, to spare a whole walk; the rename decides (no replace). */
	if (fstatat(pl->parentfd, pl->base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		fatalx("%s: already exists; name a new directory", dir);
	if (errno != ENOENT)
		fatal("%s", dir);
	/* Private, as the database is: greylist data names correspondents. */
	if (mkdirat(pl->parentfd, pl->tmpname, 0700) < 0)
		fatal("%s", pl->tmp);
	if ((fd = openat(pl->parentfd, pl->tmpname, O_RDONLY | O_DIRECTORY
	    | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = errno;
		(void)unlinkat(pl->parentfd, pl->tmpname, AT_REMOVEDIR);
		errno = err;
		fatal("%s", pl->tmp);	/* made, then removed: nothing left */
	}
	return (fd);
}

/* dump_place_finish - sync the tree, rename it into place, sync that; or
 * remove it. Closes rootfd. 0, or -1 when the tree is not in place. */

static int
dump_place_finish(struct dump_place *pl, int rootfd)
{
	int err;

	/* One syncfs for the tree's files and directories: an fsync of
	 * each would cost a journal commit per entry. */
	if (syncfs(rootfd) < 0) {
		err = errno;
		close(rootfd);
		nftw(pl->tmp, dump_rm, 16, FTW_DEPTH | FTW_PHYS);
		errno = err;
		log_warn("%s: sync", pl->tmp);
		return (-1);
	}
	close(rootfd);
	/* Never over a directory made since the check, even an empty one,
	 * which rename(2) would silently replace. */
	if (renameat2(pl->parentfd, pl->tmpname, pl->parentfd, pl->base,
	    RENAME_NOREPLACE) < 0) {
		err = errno;
		nftw(pl->tmp, dump_rm, 16, FTW_DEPTH | FTW_PHYS);
		if (err == EEXIST)
			log_warnx("%s: already exists (made during the dump); "
			    "name a new directory", pl->dir);
		else if (err == EINVAL)
			log_warnx("%s: this file system cannot rename without "
			    "replacing (RENAME_NOREPLACE)", pl->dir);
		else {
			errno = err;
			log_warn("rename %s to %s", pl->tmp, pl->dir);
		}
		return (-1);
	}
	if (fsync(pl->parentfd) < 0) {
		log_warn("%s: sync of the directory that holds it", pl->dir);
		close(pl->parentfd);
		return (-1);
	}
	close(pl->parentfd);
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"legacy", required_argument, NULL, 'L'},
		{NULL, 0, NULL, 0}
	};
	struct dump_place pl;
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
	tool_warn_unguaranteed(st, STORE_CAP_SNAPSHOT, "that the dump is one "
	    "state of the database (entries written meanwhile may or may not "
	    "be in it)");
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
	d.rootfd = dump_place_open(&pl, legacy);
	rc = store_walk(st, &cur, 0, dump_legacy_entry, &d);
	if (rc != STORE_OK && rc != STORE_ABORTED)
		log_warnx("dump failed: %s", store_strerror(st, rc));
	store_close(st);
	if (rc != STORE_OK || d.errors) {
		close(d.rootfd);
		nftw(pl.tmp, dump_rm, 16, FTW_DEPTH | FTW_PHYS);
		fatalx("legacy dump failed, %s not created", legacy);
	}
	if (dump_place_finish(&pl, d.rootfd) < 0)
		fatalx("legacy dump failed, %s not created", legacy);
	printf("%s: %zu entries written", legacy, d.entries);
	if (d.noform || d.bad)
		printf(", %zu left out (see above)", d.noform + d.bad);
	printf("\n");
	status = cli_finish_stdout();
	return (d.noform || d.bad ? CLI_EXIT_FAIL : status);
}
