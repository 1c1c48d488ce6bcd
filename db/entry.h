/*	entry.h - a greylist entry as the store keeps it */
#ifndef GREYSPF_ENTRY_H
#define GREYSPF_ENTRY_H

#include <stddef.h>

#include "key.h"
#include "record.h"

/* The largest value: a record and two whole addresses with lengths. */
#define ENTRY_VALUE_MAX	(RECORD_MAX + 2 * (KEY_TEXT_MAX + 2))

int	entry_value(const struct greykey *, const struct greyrec *,
	    unsigned char *, size_t, size_t *);
int	entry_decode(const unsigned char *, size_t, const unsigned char *,
	    size_t, struct greykey *, struct greyrec *);
int	entry_record(const unsigned char *, size_t, struct greyrec *);
int	entry_recognise(const void *, size_t, const void *, size_t);

#endif
