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
 *	int	cli_finish_stdout(void)
 * DESCRIPTION
 *	cli_init() first puts /dev/null on a closed standard descriptor
 *	(std_fds_guard(), util.c), so that the database opened later never
 *	takes number 1 and a tool's output never lands in it: with stdout
 *	closed, output fails, and cli_finish_stdout() says so. It then
 *	sets the program name for messages (on stderr), enables
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
 *	cli_finish_stdout() flushes stdout and returns CLI_EXIT_FAIL when
 *	any write failed (a full disk, a closed pipe), so that no tool
 *	reports success after partial output.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "entity.h"
#include "log.h"
#include "util.h"

void
cli_init(const char *argv0)
{
	int guard = std_fds_guard();

	log_init(argv0, LOG_SINK_STDERR);
	if (guard < 0)
		fatal("cannot put /dev/null on a closed standard descriptor");
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

int
cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("error writing standard output");
		return (CLI_EXIT_FAIL);
	}
	return (CLI_EXIT_OK);
}
