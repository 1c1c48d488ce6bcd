/*	cli.h - what every greyspf tool does the same way */
#ifndef GREYSPF_CLI_H
#define GREYSPF_CLI_H

#include <stddef.h>

#include "addr.h"
#include "config.h"
#include "entity.h"
#include "key.h"
#include "record.h"
#include "store.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

struct cli_opts {
	const char *cpath;	/* -c */
	const char *dbpath;	/* -d */
};

void	cli_init(const char *);
int	cli_option(int, struct cli_opts *, void (*)(int));
void	cli_config(const char *, struct config *);
struct store *cli_open_store(const struct config *, const char *, int);
int	cli_finish_stdout(void);
void	cli_entity_client(const struct netaddr *, char *, size_t);
void	cli_entity(const struct config *, const struct greykey *,
	    struct entity_conf *);
int64_t	cli_expires_at(const struct config *, const struct greykey *,
	    const struct greyrec *);

#endif
