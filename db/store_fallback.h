/*	store_fallback.h - a shared store with a local one behind it */
#ifndef GREYSPF_STORE_FALLBACK_H
#define GREYSPF_STORE_FALLBACK_H

#include "store.h"

int	store_fallback_open(struct store **, const char *, const char *,
	    const struct store_opts *);
const char *store_fallback_why(const struct store *);

#endif
