/*
 * NAME
 *	cli 3
 * SUMMARY
 *	shared start-up and shut-down of the greyspf tools
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	void	cli_init(argv0)
 *	int	cli_option(c, opts, usage)
 *	void	cli_config(path, conf_r)
 *	struct store *cli_open_store(conf, dbpath, rdonly)
 *	int	cli_finish_stdout(void)
 *	void	cli_entity(conf, key, entity_r)
 *	int64_t	cli_expires_at(conf, key, rec)
 * DESCRIPTION
 *	cli_init() sets the program name for messages (on stderr), enables
 *	the per-entity lookup cache (entity.c) and ignores SIGPIPE, so a
 *	closed pipe shows as a write error that cli_finish_stdout()
 *	reports, not as a silent death.
 *
 *	cli_option() handles the options every program shares: -c config,
 *	-d database, -h (usage on stdout, exit 0) and -V (version, exit 0).
 *	It returns 1 when c was one of them.
 *
 *	cli_config() reads the master configuration: path when given
 *	(-c; a missing file is an error), else the compiled-in default
 *	if it exists. It exits 1 on any error.
 *
 *	cli_open_store() opens the database named by -d, else by the
 *	configuration's "database" key; read-only for the tools that only
 *	read, created when missing for the others. It exits 1 on failure.
 *
 *	cli_finish_stdout() flushes stdout and returns CLI_EXIT_FAIL when
 *	any write failed (a full disk, a closed pipe), so that no tool
 *	reports success after partial output.
 *
 *	cli_entity() looks up the per-entity configuration that applies to
 *	a key: the client as the dot-separated pieces the original used
 *	(an IPv4 /24 is "a.b.c", so its a/b/c/__default__ applies), the
 *	sender and the recipient.
 *
 *	cli_expires_at() is when greyspf-clean drops an entry: the
 *	GREYLISTEXPIREDAYS that applies to it, through record_expires_at().
 *	greyspf-stat shows the same time, so the two never disagree.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

void
cli_init(const char *argv0)
{
	log_init(argv0, LOG_SINK_STDERR);
	signal(SIGPIPE, SIG_IGN);
	/* A tool's run is short and the tree does not change under it. */
	entity_cache_enable();
}

int
cli_option(int c, struct cli_opts *o, void (*usage)(int))
{
	switch (c) {
	case 'c':
		o->cpath = optarg;
		return (1);
	case 'd':
		o->dbpath = optarg;
		return (1);
	case 'h':
		usage(CLI_EXIT_OK);
		return (1);
	case 'V':
		printf("%s %s\n", log_progname(), GREYSPF_VERSION);
		exit(CLI_EXIT_OK);
	}
	return (0);
}

void
cli_config(const char *path, struct config *conf)
{
	if (config_load_default(path, path != NULL, conf) < 0)
		fatalx("%s: configuration errors, see above",
		    path ? path : CONFIG_DEFAULT_PATH);
}

struct store *
cli_open_store(const struct config *conf, const char *dbpath, int rdonly)
{
	struct store_opts opts;
	struct store *st;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.path = dbpath ? dbpath : conf->database;
	opts.rdonly = rdonly;
	opts.create = !rdonly;
	opts.mapsize = (size_t)conf->map_size_mb << 20;
	opts.mapsize_max = (size_t)conf->map_size_max_mb << 20;
	if ((rc = store_open(&st, &opts)) != 0)
		fatalx("%s: %s", opts.path, store_strerror(rc));
	return (st);
}

int
cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("error writing standard output");
		return (CLI_EXIT_FAIL);
	}
	return (CLI_EXIT_OK);
}

void
cli_entity_client(const struct netaddr *a, char *buf, size_t size)
{
	size_t n, i;

	if (a->family == 6) {
		if (a->plen == 0)
			buf[0] = 0;
		else
			addr_format(a, buf, size);
		return;
	}
	/* Whole octets of the prefix: /24 -> "a.b.c", /32 -> "a.b.c.d". */
	buf[0] = 0;
	n = a->plen / 8;
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%u",
		    i ? "." : "", a->bytes[i]);
}

void
cli_entity(const struct config *conf, const struct greykey *key,
    struct entity_conf *ent)
{
	struct entity_query q;
	char client[ADDR_TEXT_MAX];

	cli_entity_client(&key->client, client, sizeof(client));
	q.client_address = client[0] ? client : NULL;
	q.sender = key->kind == KEY_TRIPLET ? key->sender : NULL;
	q.recipient = key->kind == KEY_TRIPLET ? key->recipient : NULL;
	entity_lookup(conf->config_path, &q, ent);
}

int64_t
cli_expires_at(const struct config *conf, const struct greykey *key,
    const struct greyrec *rec)
{
	struct entity_conf ent;

	cli_entity(conf, key, &ent);
	return (record_expires_at(rec, (int64_t)(entity_expire_days(&ent)
	    * 86400.0 * 1e6)));
}
