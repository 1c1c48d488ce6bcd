/*	filter.h - which entries a tool lists or deletes */
#ifndef GREYSPF_FILTER_H
#define GREYSPF_FILTER_H

#include <getopt.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "key.h"
#include "record.h"

#define FILTER_ADDR_MAX	KEY_TEXT_MAX

struct filter {
	int	client_set;
	struct netaddr client;	/* a host or a network */
	char	sender[FILTER_ADDR_MAX + 1];	/* "": any */
	char	recipient[FILTER_ADDR_MAX + 1];	/* "": any */
	int	sender_set, recipient_set;
	int	state;		/* enum record_state, or -1: any */
};

/* The options, for a tool's long option table (their letters are the
 * tool's to leave free: l, f, r, t). */
#define FILTER_LONGOPTS \
	{"client", required_argument, NULL, 'l'}, \
	{"sender", required_argument, NULL, 'f'}, \
	{"recipient", required_argument, NULL, 'r'}, \
	{"state", required_argument, NULL, 't'}

void	filter_init(struct filter *);
int	filter_option(struct filter *, int, const char *);
int	filter_client(struct filter *, const char *);
int	filter_address(char *, const char *);
int	filter_state(struct filter *, const char *);
int	filter_any(const struct filter *);
int	filter_match(const struct filter *, const struct greykey *,
	    const struct greyrec *, int64_t);

#endif
