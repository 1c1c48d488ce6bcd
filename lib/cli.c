/*
 * NAME
 *	cli 3
 * SUMMARY
 *	shared start-up and shut-down of the greyspf tools
 * SYNOPSIS
 *	#include "cli.h"
 *
 *	void	cli_init(argv0)
 *	int	cli_getopt(argc, argv, optstring, longopts)
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
 *	cli_getopt() is getopt_long() with the program's long options
 *	(longopts, or NULL) and the two every program has: --help, which
 *	it returns as 'h', and --version, returned as 'V'.
 *
 *	cli_option() handles the options every program shares: -c config,
 *	-d database, -h or --help (usage on stdout, exit 0) and -V or
 *	--version (version, exit 0). It returns 1 when c was one of them.
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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "entity.h"
#include "log.h"
#include "util.h"

/* cli_init - program name, SIGPIPE, entity cache */

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

/* cli_getopt - getopt_long, with --help and --version */

int
cli_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts)
{
	static struct option all[CLI_LONGOPTS_MAX + 3];
	size_t n = 0;

	for (; longopts != NULL && longopts[n].name != NULL; n++) {
		if (n == CLI_LONGOPTS_MAX)
			panic("cli_getopt: more than %d long options",
			    CLI_LONGOPTS_MAX);
		all[n] = longopts[n];
	}
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	all[n++] = (struct option){"version", no_argument, NULL, 'V'};
	all[n] = (struct option){NULL, 0, NULL, 0};
	return (getopt_long(argc, argv, optstring, all, NULL));
}

/* cli_option - the options every program shares */

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

/* cli_config - the master configuration, or exit 1 */

void
cli_config(const char *path, struct config *conf)
{
	if (config_load_default(path, path != NULL, conf) < 0)
		fatalx("%s: configuration errors, see above",
		    path ? path : CONFIG_DEFAULT_PATH);
}

/* cli_finish_stdout - flush stdout; CLI_EXIT_FAIL if any write failed */

int
cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("error writing standard output");
		return (CLI_EXIT_FAIL);
	}
	return (CLI_EXIT_OK);
}
