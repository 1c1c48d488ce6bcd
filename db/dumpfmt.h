/*	dumpfmt.h - the versioned text dump */
#ifndef GREYSPF_DUMPFMT_H
#define GREYSPF_DUMPFMT_H

#include <stddef.h>

#include "counter.h"
#include "key.h"
#include "record.h"

#define DUMPFMT_VERSION		"1"
#define DUMPFMT_FORMAT		"greyspf-greylist"
/* Two addresses escaped (3 bytes a byte at most), the network, the times. */
#define DUMPFMT_LINE_MAX	(6 * KEY_TEXT_MAX + 256)
_Static_assert(COUNTER_SLOTS * 48 < DUMPFMT_LINE_MAX, "a counters line fits");

int	dumpfmt_format(const struct greykey *, const struct greyrec *,
	    char *, size_t);
int	dumpfmt_parse(char *, struct greykey *, struct greyrec *,
	    const char **);
int	dumpfmt_is_counters(const char *);
int	dumpfmt_counters_format(const struct counter_key *,
	    const struct counter_set *, char *, size_t);
int	dumpfmt_counters_parse(char *, struct counter_key *,
	    struct counter_set *, const char **);

#endif
