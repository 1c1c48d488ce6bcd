/*
 * NAME
 *	greyspf-configtest 8
 * SUMMARY
 *	check greyspf's master configuration and per-entity tree
 * SYNOPSIS
 *	greyspf-configtest [-hqV] [-c config] [config]
 * DESCRIPTION
 *	Reads the master configuration (greyspf.conf or tumgreyspf.conf)
 *	as greyspf does, then every file of the per-entity tree under
 *	configPath, and reports each problem as file:line: an unknown name,
 *	a bad value, a line that is not NAME = value. It also reports files
 *	that greyspf would never read: names at places no lookup reaches,
 *	and sender or recipient names that are not escaped as lookups
 *	escape them (upper case, "~" or a leading "." written plainly), so
 *	they can never match. tumgreyspf-configtest checked only that the
 *	master file ran as Python.
 *
 *	-q prints nothing but problems. With a positional config, as with
 *	greyspf itself, an existing master.cf style call works.
 * DIAGNOSTICS
 *	Exit 0 when everything is clean, 1 when any problem was reported,
 *	2 on a usage error.
 */

#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tool.h"
#include "entity.h"
#include "legacy.h"
#include "quote.h"
#include "log.h"

static size_t ct_files, ct_problems;
static size_t ct_baselen;
static char ct_master[PATH_MAX];	/* the master file, if in the tree */

static void usage(int) __attribute__((noreturn));

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-configtest "
	    "[-hqV] [-c config] [config]\n");
	exit(status);
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

static int
ct_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct entity_conf conf;
	const char *why, *rel = path + ct_baselen;

	(void)st;
	(void)ftw;
	while (*rel == '/')
		rel++;
	if (flag != FTW_F || *rel == 0)
		return (0);
	/* tumgreyspf kept its master file in the tree: not an entity file. */
	if (ct_master[0]) {
		char real[PATH_MAX];

		if (realpath(path, real) != NULL && strcmp(real, ct_master) == 0)
			return (0);
	}
	ct_files++;
	if ((why = ct_where(rel)) != NULL) {
		log_warnx("%s: %s", path, why);
		ct_problems++;
		return (0);
	}
	memset(&conf, 0, sizeof(conf));
	if (entity_read_file(path, &conf) < 0)
		ct_problems++;
	ct_problems += (size_t)conf.problems;
	return (0);
}

int
main(int argc, char **argv)
{
	struct cli_opts o = {NULL, NULL};
	struct config conf;
	int c, quiet = 0;

	cli_init(argv[0]);
	while ((c = getopt(argc, argv, "c:d:hqV")) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		if (c != 'q')
			usage(CLI_EXIT_USAGE);
		quiet = 1;
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
	if (access(conf.config_path, F_OK) < 0) {
		log_warn("configPath %s", conf.config_path);
		return (CLI_EXIT_FAIL);
	}
	ct_baselen = strlen(conf.config_path);
	if (conf.source[0] && realpath(conf.source, ct_master) == NULL)
		ct_master[0] = 0;
	if (nftw(conf.config_path, ct_file, 16, FTW_PHYS) < 0) {
		log_warn("%s", conf.config_path);
		return (CLI_EXIT_FAIL);
	}
	if (!quiet || ct_problems)
		printf("%s: %zu files, %zu problems\n", conf.config_path,
		    ct_files, ct_problems);
	if (cli_finish_stdout() != CLI_EXIT_OK)
		return (CLI_EXIT_FAIL);
	return (ct_problems ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
