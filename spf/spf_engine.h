/*	spf_engine.h - one SPF check through libspf2, hardened (internal) */
#ifndef GREYSPF_SPF_ENGINE_H
#define GREYSPF_SPF_ENGINE_H

#include "spf.h"
#include "spf_macro.h"

int	spf_identity_domain_ok(const char *);
void	spf_engine_init(const char *, const char *, const struct spf_limits *);
void	spf_engine_check(const struct spf_query *, struct spf_outcome *);

#endif
