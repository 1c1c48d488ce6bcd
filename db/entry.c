/*
 * NAME
 *	entry 3
 * SUMMARY
 *	is a stored key and value a greylist entry?
 * SYNOPSIS
 *	#include "entry.h"
 *
 *	int	entry_recognise(key, klen, val, vlen)
 * DESCRIPTION
 *	The store (store.c) is bytes-only; to tell a greyspf database made
 *	before the marker from another program's, it asks its caller.
 *	entry_recognise() is that question for greylist entries: the key
 *	and the record both decode (key.c, record.c).
 * DIAGNOSTICS
 *	1 for a greylist entry, 0 for anything else.
 */

#include "entry.h"
#include "key.h"
#include "record.h"

int
entry_recognise(const void *key, size_t klen, const void *val, size_t vlen)
{
	struct greykey k;
	struct greyrec r;

	return (key_decode(key, klen, &k) == 0
	    && record_decode(val, vlen, &r) == 0);
}
