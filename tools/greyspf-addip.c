/*
 * NAME
 *	greyspf-addip 8
 * SUMMARY
 *	exempt networks from checks in the per-entity tree
 * SYNOPSIS
 *	greyspf-addip [-fhnV] [-c config] [network...]
 * DESCRIPTION
 *	What tumgreyspf-addip did, for IPv4 and IPv6: for each network
 *	(from the arguments, or one a line from standard input, the first
 *	word of the line, at most 1023 bytes; blank lines and # comments
 *	skipped) write
 *	configPath/client_address/<pieces>/__default__ holding
 *
 * .nf
 *	SPFSEEDONLY=0
 *	GREYLISTTIME=300
 *	CHECKERS=
 *	OTHERCONFIGS=
 * .fi
 *
 *	so that clients in it are not checked (a recipient's own file can
 *	still turn checks on, as with the original). Networks are written
 *	as the lookups read them: IPv4 by octets (a, a.b, a.b.c, a.b.c.d, or
 *	CIDR /8, /16, /24, /32), IPv6 by 16-bit groups (CIDR with a prefix
 *	that is a multiple of 16: 2001:db8::/32 is client_address/2001/db8).
 *	An address without a prefix is one host.
 *
 *	Every input is checked before anything is written; one bad network
 *	writes nothing. An existing __default__ is left as it is (reported)
 *	unless -f. Each file is written under a temporary name and renamed.
 *	-n shows what would be written.
 * DIAGNOSTICS
 *	Bad input as "greyspf-addip: file:line: reason" (a line longer
 *	than 1023 bytes is one). Exit 0 on success, 1 on bad input, a read
 *	error on standard input or a write failure, 2 on a usage error.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "tool.h"
#include "log.h"
#include "util.h"

#define ADDIP_CONTENT \
	"SPFSEEDONLY=0\nGREYLISTTIME=300\nCHECKERS=\nOTHERCONFIGS=\n"
#define ADDIP_LINE_MAX	1023	/* bytes of an input line, newline apart */

struct addip {
	char	(*dirs)[128];	/* relative to client_address */
	size_t	n, cap;
	size_t	errors;
};

static void usage(int) __attribute__((noreturn));
static int addip_parse(const char *, char *, size_t, const char **);
static void addip_add(struct addip *, const char *, const char *, long);
static int addip_read(struct addip *, FILE *, const char *);
static int addip_mkdirs(char *);
static int addip_write(const char *, const char *, int, int);

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: greyspf-addip [-fhnV] "
	    "[-c config] [network...]\n");
	exit(status);
}

/* addip_parse - a network to its directory under client_address */

static int
addip_parse(const char *text, char *dir, size_t size, const char **why)
{
	struct netaddr a;
	char buf[ADDR_TEXT_MAX + 4];
	size_t i, n, off = 0;
	int dots = 0;
	const char *p;

	if (strchr(text, '/') != NULL) {
		if (addr_parse_net(text, &a) < 0)
			return (*why = "not address/prefix with the host bits "
			    "clear", -1);
	} else if (strchr(text, ':') == NULL) {
		/* tumgreyspf-addip's forms: 1 to 4 octets. */
		for (p = text; *p; p++)
			dots += *p == '.';
		if (dots > 3 || strlen(text) >= ADDR_TEXT_MAX)
			return (*why = "not an IPv4 address or prefix", -1);
		snprintf(buf, sizeof(buf), "%s%s", text,
		    dots == 0 ? ".0.0.0" : dots == 1 ? ".0.0" : dots == 2
		    ? ".0" : "");
		if (addr_parse(buf, &a) < 0)
			return (*why = "not an IPv4 address or prefix", -1);
		a.plen = (uint8_t)((dots + 1) * 8);
	} else if (addr_parse(text, &a) < 0)
		return (*why = "not an IPv6 address", -1);
	if (a.plen % (a.family == 4 ? 8 : 16) != 0)
		return (*why = a.family == 4 ? "IPv4 prefix must be /8, /16, "
		    "/24 or /32" : "IPv6 prefix must be a multiple of 16", -1);
	if (a.plen == 0)
		return (*why = "a /0 would exempt every client", -1);
	n = a.plen / (a.family == 4 ? 8 : 16);
	dir[0] = 0;
	for (i = 0; i < n && off < size; i++) {
		if (a.family == 4)
			off += (size_t)snprintf(dir + off, size - off, "%s%u",
			    i ? "/" : "", a.bytes[i]);
		else
			off += (size_t)snprintf(dir + off, size - off, "%s%x",
			    i ? "/" : "", a.bytes[2 * i] << 8
			    | a.bytes[2 * i + 1]);
	}
	return (0);
}

/* addip_add - one network, checked and kept, or counted as an error */

static void
addip_add(struct addip *ad, const char *text, const char *where, long line)
{
	const char *why;

	if (ad->n == ad->cap) {
		ad->cap = ad->cap ? ad->cap * 2 : 64;
		ad->dirs = xreallocarray(ad->dirs, ad->cap, sizeof(*ad->dirs));
	}
	if (addip_parse(text, ad->dirs[ad->n], sizeof(ad->dirs[0]), &why)
	    < 0) {
		log_warnx("%s:%ld: \"%.60s\": %s", where, line, text, why);
		ad->errors++;
		return;
	}
	ad->n++;
}

/* addip_read - one network a line; -1 on a read error */

static int
addip_read(struct addip *ad, FILE *fp, const char *name)
{
	char line[ADDIP_LINE_MAX + 1], *w, *save;
	size_t len;
	long lineno = 0;
	int c;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		/* No newline: the last line, or one longer than the buffer,
		 * whose rest fgets would return as a line of its own. */
		if (len > 0 && line[len - 1] != '\n'
		    && (c = getc(fp)) != EOF && c != '\n') {
			while ((c = getc(fp)) != EOF && c != '\n')
				;
			log_warnx("%s:%ld: line longer than %d bytes", name,
			    lineno, ADDIP_LINE_MAX);
			ad->errors++;
			continue;
		}
		if ((w = strchr(line, '#')) != NULL)
			*w = 0;
		if ((w = strtok_r(line, " \t\r\n", &save)) != NULL)
			addip_add(ad, w, name, lineno);
	}
	return (ferror(fp) ? -1 : 0);
}

/* addip_mkdirs - mkdir -p, within the tree */

static int
addip_mkdirs(char *path)
{
	char *p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	return (mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0);
}

/* addip_write - one __default__, under a temporary name, then renamed */

static int
addip_write(const char *base, const char *dir, int force, int dryrun)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32], d[PATH_MAX];
	FILE *fp;

	if ((size_t)snprintf(d, sizeof(d), "%s/client_address/%s", base, dir)
	    >= sizeof(d) - 16) {
		log_warnx("%s: path too long", base);
		return (-1);
	}
	snprintf(path, sizeof(path), "%.4000s/__default__", d);
	if (!force && access(path, F_OK) == 0) {
		printf("exists, left as is: %s\n", path);
		return (0);
	}
	if (dryrun) {
		printf("would write: %s\n", path);
		return (0);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (addip_mkdirs(d) < 0 || (fp = fopen(tmp, "w")) == NULL) {
		log_warn("%s", path);
		return (-1);
	}
	fputs(ADDIP_CONTENT, fp);
	if (fflush(fp) != 0 || fsync(fileno(fp)) < 0 || fclose(fp) != 0
	    || rename(tmp, path) < 0) {
		log_warn("%s", path);
		unlink(tmp);
		return (-1);
	}
	printf("wrote: %s\n", path);
	return (0);
}

int
main(int argc, char **argv)
{
	struct cli_opts o = {NULL, NULL};
	struct config conf;
	struct addip ad;
	int c, force = 0, dryrun = 0, failed = 0;
	size_t i;

	cli_init(argv[0]);
	memset(&ad, 0, sizeof(ad));
	/* No -d: addip writes the configuration tree, not the database. */
	while ((c = cli_getopt(argc, argv, "c:fhnV", NULL)) != -1) {
		if (cli_option(c, &o, usage))
			continue;
		if (c == 'f')
			force = 1;
		else if (c == 'n')
			dryrun = 1;
		else
			usage(CLI_EXIT_USAGE);
	}
	cli_config(o.cpath, &conf);
	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc; i++)
			addip_add(&ad, argv[i], "argument",
			    (long)(i - (size_t)optind + 1));
	} else if (addip_read(&ad, stdin, "stdin") < 0) {
		log_warn("stdin");
		free(ad.dirs);
		return (CLI_EXIT_FAIL);
	}
	if (ad.errors) {
		log_warnx("%zu bad networks: nothing written", ad.errors);
		free(ad.dirs);
		return (CLI_EXIT_FAIL);
	}
	for (i = 0; i < ad.n; i++)
		if (addip_write(conf.config_path, ad.dirs[i], force, dryrun) < 0)
			failed = 1;
	free(ad.dirs);
	if (cli_finish_stdout() != CLI_EXIT_OK)
		return (CLI_EXIT_FAIL);
	return (failed ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
