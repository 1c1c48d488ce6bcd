/*	dumpfmt.h - the versioned text dump */
#ifndef GREYSPF_DUMPFMT_H
#define GREYSPF_DUMPFMT_H

#include <stddef.h>

#include "key.h"
#include "record.h"

#define DUMPFMT_VERSION		"1"
#define DUMPFMT_FORMAT		"greyspf-greylist"
#define DUMPFMT_LINE_MAX	2048

int	dumpfmt_format(const struct greykey *, const struct greyrec *,
	    char *, size_t);
int	dumpfmt_parse(char *, struct greykey *, struct greyrec *,
	    const char **);

#endif
