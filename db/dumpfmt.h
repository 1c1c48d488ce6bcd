/*	dumpfmt.h - the versioned text dump */
#ifndef GREYSPF_DUMPFMT_H
#define GREYSPF_DUMPFMT_H

#include <stddef.h>

#include "key.h"
#include "record.h"

#define DUMPFMT_VERSION		"1"
#define DUMPFMT_FORMAT		"greyspf-greylist"
/* Two addresses escaped (3 bytes a byte at most), the network, the times. */
#define DUMPFMT_LINE_MAX	(6 * KEY_TEXT_MAX + 256)

int	dumpfmt_format(const struct greykey *, const struct greyrec *,
	    char *, size_t);
int	dumpfmt_parse(char *, struct greykey *, struct greyrec *,
	    const char **);

#endif
