/*	cli.h - what every greyspf tool does the same way */
#ifndef GREYSPF_CLI_H
#define GREYSPF_CLI_H

#include <stddef.h>

#include "config.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

#define CLI_LONGOPTS_MAX	16	/* a program's own long options */

struct option;

struct cli_opts {
	const char *cpath;	/* -c */
	const char *dbpath;	/* -d */
};

void	cli_init(const char *);
int	cli_getopt(int, char **, const char *, const struct option *);
int	cli_option(int, struct cli_opts *, void (*)(int));
void	cli_config(const char *, struct config *);
int	cli_finish_stdout(void);

#endif
