/*	entry.h - is a stored key and value a greylist entry? */
#ifndef GREYSPF_ENTRY_H
#define GREYSPF_ENTRY_H

#include <stddef.h>

int	entry_recognise(const void *, size_t, const void *, size_t);

#endif
