/*	tool.h - what the tools share above the store */
#ifndef GREYSPF_TOOL_H
#define GREYSPF_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cli.h"
#include "config.h"
#include "counter.h"
#include "entity.h"
#include "key.h"
#include "record.h"
#include "store.h"

struct store *tool_open_store(const struct config *, const char *, int);
void	tool_server_opts(const struct config *, struct store_opts *);
void	tool_guarantees(const struct store *, char *, size_t);
void	tool_warn_unguaranteed(const struct store *, unsigned, const char *);
void	tool_entity_client(const struct netaddr *, char *, size_t);
void	tool_entity(const struct config *, const struct greykey *,
	    struct entity_conf *);
int64_t	tool_expires_at(const struct config *, const struct greykey *,
	    const struct greyrec *);
int	tool_counters(const void *, size_t, const void *, size_t,
	    struct counter_key *, struct counter_set *);

#endif
