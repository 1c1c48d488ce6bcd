/*
 * NAME
 *	greyspf-configtest 8
 * SUMMARY
 *	check greyspf's master configuration and per-entity tree
 * SYNOPSIS
 *	greyspf-configtest [-hqV] [-c config] [-d database] [config]
 * DESCRIPTION
 *	Reads the master configuration (greyspf.conf or tumgreyspf.conf)
 *	as greyspf does, then every file of the per-entity tree under
 *	configPath, and reports each problem as file:line: an unknown name,
 *	a bad value, a line that is not NAME = value. It also reports files
 *	that greyspf would never read: names at places no lookup reaches,
 *	and sender or recipient names that are not escaped as lookups
 *	escape them (upper case, "~" or a leading "." written plainly), so
 *	they can never match. Copies that dpkg or ucf leave beside a
 *	changed conffile (__default__.dpkg-dist, .dpkg-old, .ucf-dist, ...:
 *	the Debian package's __default__ is one) are noted, not counted: the
 *	service never reads them. tumgreyspf-configtest checked only that
 *	the master file ran as Python.
 *
 *	It checks what would stop the service or change its answers: the
 *	configured user must exist and not be root (greyspf refuses to run
 *	otherwise); configPath/__default__ must be a readable file (without
 *	it greyspf answers configErrorAction to every request); the user
 *	must be able to read the master file, every file of the tree and
 *	search every directory, and create or write the database. A Redis
 *	database must answer (connect, AUTH, the marker), and with
 *	storeFallback = local its local database be writable.
 *
 *	The whitelist files (whitelistClients, whitelistRecipients) are
 *	read by the same code as greyspf reads them (whitelist.c), every
 *	regular expression compiled, and each problem printed as file:line:
 *	a bad network, a bad regular expression, a line that is neither
 *	form, a form postgrey reads but that never matches. greyspf skips
 *	those lines (and compiles an expression only when a name reaches
 *	it): this is where they are all seen.
 *
 *	The tree is listed as the caller (root, normally), following
 *	symbolic links as the service's lookups do, then checked by a child
 *	that has dropped to the configured user the way greyspf does
 *	(setgroups, setresgid, setresuid), so that each file is read with
 *	the service's own rights and code. Not run as root, it checks as
 *	the caller and says so.
 *
 *	-q prints nothing but problems. -d names the database to check
 *	instead of the configured one, as greyspf -d does. With a
 *	positional config, as with greyspf itself, an existing master.cf
 *	style call works.
 * DIAGNOSTICS
 *	Exit 0 when everything is clean, 1 when any problem was reported,
 *	2 on a usage error.
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tool.h"
#include "entity.h"
#include "entry.h"
#include "legacy.h"
#include "quote.h"
#include "redis_spec.h"
#include "log.h"
#include "util.h"
#include "whitelist.h"

/* Deeper than any lookup goes (client_address, 8 groups, __default__). */
#define CT_DEPTH_MAX	12
/* Entries listed at most: a link to / must not list the whole disk. */
#define CT_ENTRIES_MAX	(4 * 1024 * 1024)

enum ct_kind {
	CT_FILE,		/* a regular file, or a link to one */
	CT_DIR,			/* a directory, or a link to one */
	CT_OTHER,		/* a FIFO, a device, a socket */
	CT_BROKEN,		/* stat() failed: err says why */
	CT_UNLISTED,		/* a directory that could not be listed */
	CT_LOOP			/* a link back to a directory above it */
};

struct ct_entry {
	char	*path;
	enum ct_kind kind;
	int	err;
};

static struct ct_entry *ct_entries;
static size_t ct_nentries, ct_size;
static size_t ct_files, ct_problems;
static size_t ct_baselen;
static int ct_quiet;			/* -q: print problems only */
static char ct_master[PATH_MAX];	/* the master file, if in the tree */

static void usage(int) __attribute__((noreturn));
static void ct_problem(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
static int ct_canonical(const char *);
static int ct_client_piece(const char *);
static const char *ct_where(const char *);
static int ct_package_copy(const char *);
static void ct_add(const char *, enum ct_kind, int);
static void ct_list(const char *, int, struct stat *);
static const char *ct_rel(const char *);
static int ct_file(const char *);
static int ct_entry(const struct ct_entry *, const char **);
static void ct_database(const char *);
static void ct_wl_report(void *, const char *, int, const char *);
static void ct_whitelists(const struct config *, int);
static void ct_redis(const struct config *, const char *);
static const struct passwd *ct_user(const struct config *);
static int ct_check(const struct config *, const char *, const char *,
	    int);
static int ct_as_user(const struct passwd *, const struct config *,
	    const char *, int);

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-configtest "
	    "[-hqV] [-c config] [-d database] [config]\n");
	exit(status);
}

/* ct_problem - report one problem and count it */

static void
ct_problem(const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s", msg);
	ct_problems++;
}

/* ct_canonical - is name what the lookup's escaping produces? */

static int
ct_canonical(const char *name)
{
	char raw[LEGACY_NAME_MAX + 1], again[3 * LEGACY_NAME_MAX + 4];
	const char *p;

	if (unquote_address(name, raw, sizeof(raw)) < 0)
		return (0);
	for (p = raw; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return (0);
	return (quote_address(raw, again, sizeof(again)) == 0
	    && strcmp(again, name) == 0);
}

/* ct_client_piece - an IPv4 octet, IPv6 group or IPv6 address */

static int
ct_client_piece(const char *s)
{
	struct netaddr a;

	if (strchr(s, ':') != NULL)
		return (addr_parse(s, &a) == 0 || strspn(s,
		    "0123456789abcdef:") == strlen(s));
	return (*s && strlen(s) <= 4 && strspn(s, "0123456789abcdef")
	    == strlen(s));
}

/* ct_where - why greyspf would never read rel, or NULL if it would */

static const char *
ct_where(const char *rel)
{
	char buf[PATH_MAX], *comps[64], *p, *save = NULL;
	int n = 0, i;

	snprintf(buf, sizeof(buf), "%s", rel);
	for (p = strtok_r(buf, "/", &save); p && n < 64;
	    p = strtok_r(NULL, "/", &save))
		comps[n++] = p;
	if (n == 0)
		return ("not read: empty path");
	if (n == 1)
		return (strcmp(comps[0], "__default__") == 0 ? NULL
		    : "not read: only __default__ is read at the top");
	if (strcmp(comps[0], "client_address") == 0) {
		for (i = 1; i < n; i++)
			if (!(i == n - 1 && strcmp(comps[i], "__default__")
			    == 0) && !ct_client_piece(comps[i]))
				return ("not read: not an address piece "
				    "(decimal octet, hex group or address)");
		return (n <= 10 ? NULL : "not read: too deep");
	}
	if (strcmp(comps[0], "envelope_sender") == 0
	    || strcmp(comps[0], "envelope_recipient") == 0) {
		if (n != 3)
			return ("not read: expected TYPE/DOMAIN/__default__ or "
			    "TYPE/DOMAIN/LOCAL");
		if (!ct_canonical(comps[1]))
			return ("never matches: domain not written as lookups "
			    "escape it (lower case, %XX, leading . as %2e)");
		if (strcmp(comps[2], "__default__") != 0
		    && !ct_canonical(comps[2]))
			return ("never matches: local part not written as "
			    "lookups escape it (lower case, %XX, leading . as "
			    "%2e)");
		return (NULL);
	}
	return ("not read: not under client_address, envelope_sender or "
	    "envelope_recipient");
}

/*
 * ct_package_copy - is path a copy dpkg or ucf leaves beside a conffile
 * it updates (the site's version kept, the package's beside it, or the
 * reverse)? Such a name is at no place a lookup reaches.
 */

static int
ct_package_copy(const char *path)
{
	static const char *const suffixes[] = {".dpkg-dist", ".dpkg-old",
	    ".dpkg-new", ".dpkg-bak", ".dpkg-tmp", ".ucf-dist", ".ucf-old",
	    ".ucf-new"};
	size_t i, len = strlen(path), n;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (len > (n = strlen(suffixes[i]))
		    && strcmp(path + len - n, suffixes[i]) == 0)
			return (1);
	return (0);
}

/* ct_add - one entry of the listing */

static void
ct_add(const char *path, enum ct_kind kind, int err)
{
	if (ct_nentries == CT_ENTRIES_MAX)
		return;
	if (ct_nentries == ct_size) {
		ct_size = ct_size ? 2 * ct_size : 256;
		ct_entries = xreallocarray(ct_entries, ct_size,
		    sizeof(*ct_entries));
	}
	ct_entries[ct_nentries].path = xstrdup(path);
	ct_entries[ct_nentries].kind = kind;
	ct_entries[ct_nentries].err = err;
	ct_nentries++;
}

/*
 * ct_list - list dir, sorted, following symbolic links as the lookups
 * do (stat, not lstat). above[0..depth] are the directories on the way
 * down, so that a link back to one of them is reported, not followed.
 */

static void
ct_list(const char *dir, int depth, struct stat *above)
{
	struct dirent **names;
	struct stat st;
	char path[PATH_MAX];
	int n, i, j;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		ct_add(dir, CT_UNLISTED, errno);
		return;
	}
	for (i = 0; i < n && ct_nentries < CT_ENTRIES_MAX; i++) {
		if (strcmp(names[i]->d_name, ".") == 0
		    || strcmp(names[i]->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) >= sizeof(path))
			ct_add(dir, CT_BROKEN, ENAMETOOLONG);
		else if (stat(path, &st) < 0)
			ct_add(path, CT_BROKEN, errno);
		else if (S_ISREG(st.st_mode))
			ct_add(path, CT_FILE, 0);
		else if (!S_ISDIR(st.st_mode))
			ct_add(path, CT_OTHER, 0);
		else {
			for (j = 0; j <= depth; j++)
				if (above[j].st_dev == st.st_dev
				    && above[j].st_ino == st.st_ino)
					break;
			if (j <= depth) {
				ct_add(path, CT_LOOP, 0);
			} else {
				ct_add(path, CT_DIR, 0);
				if (depth + 1 < CT_DEPTH_MAX) {
					above[depth + 1] = st;
					ct_list(path, depth + 1, above);
				}
			}
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ct_rel - path relative to configPath */

static const char *
ct_rel(const char *path)
{
	const char *rel = path + ct_baselen;

	while (*rel == '/')
		rel++;
	return (rel);
}

/* ct_file - check one regular file: 0 if greyspf reads it cleanly */

static int
ct_file(const char *path)
{
	struct entity_conf conf;
	const char *why;
	char real[PATH_MAX];
	int rc;

	/* tumgreyspf kept its master file in the tree: not an entity file. */
	if (ct_master[0] && realpath(path, real) != NULL
	    && strcmp(real, ct_master) == 0)
		return (0);
	if (ct_package_copy(path)) {
		if (!ct_quiet)
			printf("note: %s: left by dpkg or ucf beside the file "
			    "it updates; not read (merge it, then remove "
			    "it)\n", path);
		return (0);
	}
	ct_files++;
	if ((why = ct_where(ct_rel(path))) != NULL) {
		ct_problem("%s: %s", path, why);
		return (-1);
	}
	memset(&conf, 0, sizeof(conf));
	if ((rc = entity_read_file(path, &conf)) != 0)
		ct_problems++;		/* the cause is logged */
	ct_problems += (size_t)conf.problems;
	return (rc == 0 && conf.problems == 0 ? 0 : -1);
}

/*
 * ct_entry - check one entry of the listing with this process's rights:
 * 0 when clean. *skip_r is a directory the user cannot search: what is
 * below it was reported with it.
 */

static int
ct_entry(const struct ct_entry *e, const char **skip_r)
{
	const char *why = ct_where(ct_rel(e->path));
	size_t n;

	if (*skip_r != NULL && strncmp(e->path, *skip_r, n = strlen(*skip_r))
	    == 0 && e->path[n] == '/')
		return (-1);
	*skip_r = NULL;
	switch (e->kind) {
	case CT_FILE:
		return (ct_file(e->path));
	case CT_DIR:
		if (access(e->path, X_OK) == 0)
			return (0);
		ct_problem("%s: cannot search the directory: %s (greyspf "
		    "answers configErrorAction for what is below it)",
		    e->path, strerror(errno));
		*skip_r = e->path;
		return (-1);
	case CT_UNLISTED:
		ct_problem("%s: cannot list the directory: %s; what is below "
		    "it was not checked", e->path, strerror(e->err));
		return (-1);
	case CT_LOOP:
		ct_problem("%s: a link to a directory above it", e->path);
		return (-1);
	case CT_OTHER:
		if (why == NULL)
			why = "cannot read: not a regular file";
		ct_problem("%s: %s", e->path, why);
		return (-1);
	case CT_BROKEN:
		if (why != NULL)
			ct_problem("%s: %s", e->path, why);
		else if (e->err == ENOENT)
			ct_problem("%s: a link to nothing: greyspf takes it "
			    "for absent", e->path);
		else
			ct_problem("%s: cannot read: %s", e->path,
			    strerror(e->err));
		return (-1);
	}
	return (-1);
}

/*
 * ct_redis - a Redis spec: well formed, its password files readable, the
 * server answering as greyspf's (the marker), and the local database of
 * storeFallback = local writable
 */

static void
ct_redis(const struct config *conf, const char *spec)
{
	struct redis_spec sp;
	struct store_opts o;
	struct store *st;
	char err[200];
	int rc;

	if (redis_spec_parse(spec, &sp, err, sizeof(err)) < 0) {
		ct_problem("database %s: %s", spec, err);
		return;
	}
	if (conf->password_file[0] && access(conf->password_file, R_OK) < 0)
		ct_problem("databasePasswordFile %s: %s", conf->password_file,
		    strerror(errno));
	if (conf->sentinel_password_file[0] && sp.kind != REDIS_SENTINEL)
		ct_problem("databaseSentinelPasswordFile: the database is not "
		    "behind sentinels (redis-sentinel://)");
	else if (conf->sentinel_password_file[0]
	    && access(conf->sentinel_password_file, R_OK) < 0)
		ct_problem("databaseSentinelPasswordFile %s: %s",
		    conf->sentinel_password_file, strerror(errno));
	memset(&o, 0, sizeof(o));
	o.rdonly = 1;
	o.recognise = entry_recognise;
	tool_server_opts(conf, &o);
	if ((rc = store_open(&st, spec, &o)) != STORE_OK)
		ct_problem("%s", store_strerror(NULL, rc));
	else
		store_close(st);
	if (conf->store_fallback == CONFIG_FALLBACK_LOCAL)
		ct_database(conf->fallback_database);
}

/*
 * ct_database - can this process open the database as greyspf does:
 * write an existing environment, or create its directory (store_open
 * makes the last component only)?
 */

static void
ct_database(const char *spec)
{
	static const char *const files[] = {"data.mdb", "lock.mdb"};
	char path[PATH_MAX], other[PATH_MAX], *slash;
	struct stat st;
	size_t i;

	/* The store spec: lmdb:/path, or a bare path. */
	if (strncmp(spec, "lmdb:", 5) == 0)
		spec += 5;
	if (spec[0] != '/' || strlen(spec) >= sizeof(path)) {
		ct_problem("database %s: not an absolute path", spec);
		return;
	}
	strcpy(path, spec);
	for (i = strlen(path); i > 1 && path[i - 1] == '/'; i--)
		path[i - 1] = 0;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT) {
			ct_problem("database %s: %s", path, strerror(errno));
			return;
		}
		strcpy(other, path);
		slash = strrchr(other, '/');
		slash[slash == other] = 0;
		if (access(other, W_OK | X_OK) < 0)
			ct_problem("database %s: does not exist, and cannot "
			    "be created in %s: %s", path, other,
			    strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		ct_problem("database %s: not a directory", path);
		return;
	}
	if (access(path, R_OK | W_OK | X_OK) < 0) {
		ct_problem("database %s: cannot write the directory: %s",
		    path, strerror(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		snprintf(other, sizeof(other), "%s/%s", path, files[i]);
		if (access(other, R_OK | W_OK) < 0 && errno != ENOENT)
			ct_problem("database %s: %s", other, strerror(errno));
	}
}

/* ct_wl_report - one problem of a whitelist file */

static void
ct_wl_report(void *arg, const char *file, int line, const char *msg)
{
	(void)arg;
	ct_problem("%s:%d: %s", file, line, msg);
}

/* ct_whitelists - read the whitelist files as greyspf does, compile all */

static void
ct_whitelists(const struct config *conf, int quiet)
{
	struct whitelist *wl;

	if (conf->whitelist_clients[0] == 0
	    && conf->whitelist_recipients[0] == 0)
		return;
	wl = whitelist_new(ct_wl_report, NULL);
	whitelist_load(wl, WHITELIST_CLIENTS, conf->whitelist_clients);
	whitelist_load(wl, WHITELIST_RECIPIENTS, conf->whitelist_recipients);
	whitelist_compile(wl);
	if (!quiet)
		printf("whitelist files: %zu client entries, %zu recipient "
		    "entries\n", whitelist_count(wl, WHITELIST_CLIENTS),
		    whitelist_count(wl, WHITELIST_RECIPIENTS));
	whitelist_free(wl);
}

/* ct_user - the configured user, or NULL when greyspf would refuse it */

static const struct passwd *
ct_user(const struct config *conf)
{
	const struct passwd *pw;

	if ((pw = getpwnam(conf->user)) == NULL) {
		ct_problem("user \"%s\" (key user) does not exist: greyspf "
		    "started as root refuses to run", conf->user);
		return (NULL);
	}
	if (pw->pw_uid == 0) {
		ct_problem("user \"%s\" (key user) is root: greyspf refuses "
		    "to run as root", conf->user);
		return (NULL);
	}
	return (pw);
}

/*
 * ct_check - check the listing, the master file and the database with
 * this process's rights; who names them. Prints the summary.
 */

static int
ct_check(const struct config *conf, const char *dbpath, const char *who,
    int quiet)
{
	const struct ct_entry *def = NULL;
	const char *skip = NULL;
	size_t i;
	int def_ok = 0;

	if (conf->source[0] && access(conf->source, R_OK) < 0)
		ct_problem("%s: %s cannot read it (under spawn greyspf runs "
		    "as master.cf's user= and reads it): %s", conf->source,
		    who, strerror(errno));
	for (i = 0; i < ct_nentries; i++) {
		if (strcmp(ct_rel(ct_entries[i].path), "__default__") == 0)
			def = &ct_entries[i];
		if (ct_entry(&ct_entries[i], &skip) == 0
		    && def == &ct_entries[i] && def->kind == CT_FILE)
			def_ok = 1;
	}
	/* Without it, every request gets configErrorAction. */
	if (def == NULL)
		ct_problem("%s/__default__: missing: greyspf answers "
		    "configErrorAction to every request", conf->config_path);
	else if (def->kind == CT_DIR)
		ct_problem("%s: a directory, not a file: greyspf answers "
		    "configErrorAction to every request", def->path);
	else if (!def_ok)
		log_warnx("%s: greyspf answers configErrorAction to every "
		    "request until it can read it", def->path);
	if (redis_spec_is(dbpath ? dbpath : conf->database))
		ct_redis(conf, dbpath ? dbpath : conf->database);
	else
		ct_database(dbpath ? dbpath : conf->database);
	ct_whitelists(conf, quiet);
	if (!quiet || ct_problems)
		printf("%s: %zu files, %zu problems\n", conf->config_path,
		    ct_files, ct_problems);
	if (cli_finish_stdout() != CLI_EXIT_OK)
		return (CLI_EXIT_FAIL);
	return (ct_problems ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}

/*
 * ct_as_user - ct_check() in a child that has become pw as greyspf does
 * (privs.c: setgroups to the user's group alone, setresgid, setresuid)
 */

static int
ct_as_user(const struct passwd *pw, const struct config *conf,
    const char *dbpath, int quiet)
{
	char who[128];
	gid_t gid = pw->pw_gid;
	pid_t pid;
	int status;

	snprintf(who, sizeof(who), "user %s", pw->pw_name);
	if (cli_finish_stdout() != CLI_EXIT_OK)
		return (CLI_EXIT_FAIL);
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid == 0) {
		if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0
		    || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
			log_warn("cannot become %s", who);
			_exit(CLI_EXIT_FAIL);
		}
		/* _exit: the parent's exit handlers are not the child's. */
		_exit(ct_check(conf, dbpath, who, quiet));
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid");
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	log_warnx("the check as %s died (status %#x)", who, status);
	return (CLI_EXIT_FAIL);
}

int
main(int argc, char **argv)
{
	struct cli_opts o = {NULL, NULL};
	struct stat above[CT_DEPTH_MAX];
	const struct passwd *pw;
	struct config conf;
	char who[128];
	int c, quiet = 0;

	cli_init(argv[0]);
	while ((c = cli_getopt(argc, argv, "c:d:hqV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		if (c != 'q')
			usage(CLI_EXIT_USAGE);
		quiet = ct_quiet = 1;
	}
	if (argc - optind > 1 || (argc - optind == 1 && o.cpath != NULL))
		usage(CLI_EXIT_USAGE);
	if (argc - optind == 1)
		o.cpath = argv[optind];
	config_defaults(&conf);
	if (config_load_default(o.cpath, o.cpath != NULL, &conf) < 0) {
		log_warnx("%s: errors above", o.cpath ? o.cpath
		    : CONFIG_DEFAULT_PATH);
		return (CLI_EXIT_FAIL);
	}
	if (!quiet)
		printf("%s: ok\n", conf.source[0] ? conf.source
		    : "built-in defaults (no configuration file)");
	pw = ct_user(&conf);
	/* The listing, with the caller's rights: normally root's. */
	if (stat(conf.config_path, &above[0]) < 0) {
		ct_problem("configPath %s: %s", conf.config_path,
		    strerror(errno));
	} else {
		ct_baselen = strlen(conf.config_path);
		if (conf.source[0] && realpath(conf.source, ct_master) == NULL)
			ct_master[0] = 0;
		ct_add(conf.config_path, CT_DIR, 0);
		ct_list(conf.config_path, 0, above);
		if (ct_nentries == CT_ENTRIES_MAX)
			ct_problem("%s: more than %d entries: the rest was "
			    "not checked", conf.config_path, CT_ENTRIES_MAX);
	}
	if (geteuid() == 0 && pw != NULL)
		return (ct_as_user(pw, &conf, o.dbpath, quiet));
	/* Not root, or no user to become: the caller's rights. */
	snprintf(who, sizeof(who), "uid %u", (unsigned)geteuid());
	if (!quiet && (pw == NULL || pw->pw_uid != geteuid()))
		printf("note: access checked as %s, not as the configured "
		    "user\n", who);
	return (ct_check(&conf, o.dbpath, who, quiet));
}
