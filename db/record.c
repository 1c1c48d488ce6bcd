/*
 * NAME
 *	record 3
 * SUMMARY
 *	greylist record encoding, state and expiry
 * SYNOPSIS
 *	#include "record.h"
 *
 *	int	record_encode(rec, buf, size, len_r)
 *	int	record_decode(buf, len, rec_r)
 *	enum record_state record_state(rec, now_us)
 *	void	record_merge(into, from)
 *	int	record_equal(a, b)
 *	int	record_decode_prefix(buf, len, rec_r, used_r)
 *	int64_t	record_expires_at(rec, expire_us)
 *	size_t	record_put_varint(buf, v)
 *	int	record_get_varint(buf, len, off, v_r)
 * DESCRIPTION
 *	The value stored under each key. Layout, version 1:
 *
 * .nf
 *	byte 0	record format version (1)
 *	varint	first_us, unsigned
 *	varint	allow_us - first_us, zigzag signed
 *	varint	last_us - first_us, zigzag signed
 *	varint	passes
 *	varint	flags (bit 0: first_us was inferred from legacy data)
 * .fi
 *
 *	Version 2 is version 1 (with byte 0 = 2) and one more field:
 *
 * .nf
 *	varint	pass_us - first_us, zigzag signed
 * .fi
 *
 *	pass_us, the time of the first pass, makes the delay to the first
 *	pass exact (the statistics' delay buckets). A record whose first
 *	pass is unknown (none yet, or imported from data that never kept
 *	it) has pass_us 0 and is written in version 1, byte for byte as
 *	before: an older greyspf still reads every record that carries no
 *	more than it knows, and both versions are read here.
 *
 *	A varint is LEB128: seven bits a byte, low bits first, the high
 *	bit set on every byte but the last, at most ten bytes, no
 *	redundant trailing zero byte. Why: the three times are close to
 *	one another, so storing two of them as differences from the first
 *	makes a typical record 15 to 20 bytes instead of 33, and with
 *	microseconds kept (legacy times carry microseconds) a fixed
 *	layout would need 8 bytes a time. The version byte lets a later
 *	layout be read beside this one; an unknown version is rejected,
 *	never guessed at.
 *
 *	record_decode() validates every field: each varint well formed,
 *	every time within [0, RECORD_TIME_MAX], no unknown flag, no
 *	trailing byte. The caller deletes a record it rejects.
 *
 *	record_state() classifies a record at time now_us: pending before
 *	allow_us; "unretried" when allowed but no request came at or after
 *	allow_us; passed otherwise.
 *
 *	record_merge() unites what two records know of one entry: the
 *	earliest first-seen, allow-at and known first pass, the latest
 *	last-seen, the larger pass count. It is idempotent, so importing
 *	the same data twice changes nothing.
 *
 *	record_put_varint() and record_get_varint() are the varint
 *	codec, for the other values kept in the store (counter.c).
 *
 *	record_expires_at() is tumgreyspf-clean's rule, done right: an
 *	entry expires expire_us after it was last seen, and an entry that
 *	became acceptable but was never retried expires 12 hours after
 *	its allow time, whichever comes first.
 */

#include <string.h>

#include "record.h"

/* record_put_varint - LEB128; buf must have 10 bytes */

size_t
record_put_varint(unsigned char *buf, uint64_t v)
{
	size_t n = 0;

	do {
		buf[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			buf[n] |= 0x80;
		n++;
	} while (v);
	return (n);
}

/* record_get_varint - LEB128 at *off; strict */

int
record_get_varint(const unsigned char *buf, size_t len, size_t *off,
    uint64_t *v_r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i = *off;
	unsigned char b;

	for (;;) {
		if (i >= len || shift > 63)
			return (-1);
		b = buf[i++];
		if (shift == 63 && (b & 0x7e))
			return (-1);		/* overflow */
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
	}
	if (b == 0 && i - *off > 1)
		return (-1);			/* redundant zero byte */
	*off = i;
	*v_r = v;
	return (0);
}

static uint64_t
zigzag(int64_t v)
{
	return (((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int64_t
unzigzag(uint64_t v)
{
	return ((int64_t)(v >> 1) ^ -(int64_t)(v & 1));
}

static int
record_time_ok(int64_t t)
{
	return (t >= 0 && t <= RECORD_TIME_MAX);
}

/* record_encode - serialize a valid record */

int
record_encode(const struct greyrec *rec, unsigned char *buf, size_t size,
    size_t *len_r)
{
	unsigned char tmp[1 + 6 * 10];
	size_t n = 0;

	if (!record_time_ok(rec->first_us) || !record_time_ok(rec->allow_us)
	    || !record_time_ok(rec->last_us) || !record_time_ok(rec->pass_us)
	    || (rec->flags & ~RECORD_F_KNOWN))
		return (-1);
	tmp[n++] = rec->pass_us != 0 ? RECORD_VERSION : 1;
	n += record_put_varint(tmp + n, (uint64_t)rec->first_us);
	n += record_put_varint(tmp + n, zigzag(rec->allow_us - rec->first_us));
	n += record_put_varint(tmp + n, zigzag(rec->last_us - rec->first_us));
	n += record_put_varint(tmp + n, rec->passes);
	n += record_put_varint(tmp + n, rec->flags);
	if (rec->pass_us != 0)
		n += record_put_varint(tmp + n, zigzag(rec->pass_us
		    - rec->first_us));
	if (n > size)
		return (-1);
	memcpy(buf, tmp, n);
	*len_r = n;
	return (0);
}

/* record_decode - parse and validate a value that is one record */

int
record_decode(const unsigned char *buf, size_t len, struct greyrec *rec_r)
{
	size_t used;

	if (record_decode_prefix(buf, len, rec_r, &used) < 0 || used != len)
		return (-1);
	return (0);
}

/* record_decode_prefix - a record at the start of buf; its length */

int
record_decode_prefix(const unsigned char *buf, size_t len,
    struct greyrec *rec_r, size_t *used_r)
{
	struct greyrec rec;
	uint64_t first, dallow, dlast, passes, flags, dpass = 0;
	size_t off = 1;

	if (len < 1 || (buf[0] != 1 && buf[0] != 2))
		return (-1);
	if (record_get_varint(buf, len, &off, &first) < 0
	    || record_get_varint(buf, len, &off, &dallow) < 0
	    || record_get_varint(buf, len, &off, &dlast) < 0
	    || record_get_varint(buf, len, &off, &passes) < 0
	    || record_get_varint(buf, len, &off, &flags) < 0
	    || (buf[0] == 2 && record_get_varint(buf, len, &off, &dpass) < 0))
		return (-1);
	if (first > (uint64_t)RECORD_TIME_MAX || passes > UINT32_MAX
	    || (flags & ~(uint64_t)RECORD_F_KNOWN))
		return (-1);
	rec.first_us = (int64_t)first;
	/* Differences are bounded before adding, so nothing overflows. */
	if (unzigzag(dallow) < -RECORD_TIME_MAX
	    || unzigzag(dallow) > RECORD_TIME_MAX
	    || unzigzag(dlast) < -RECORD_TIME_MAX
	    || unzigzag(dlast) > RECORD_TIME_MAX
	    || unzigzag(dpass) < -RECORD_TIME_MAX
	    || unzigzag(dpass) > RECORD_TIME_MAX)
		return (-1);
	rec.allow_us = rec.first_us + unzigzag(dallow);
	rec.last_us = rec.first_us + unzigzag(dlast);
	rec.pass_us = buf[0] == 2 ? rec.first_us + unzigzag(dpass) : 0;
	if (!record_time_ok(rec.allow_us) || !record_time_ok(rec.last_us)
	    || !record_time_ok(rec.pass_us))
		return (-1);
	/* Version 2 exists to carry a pass time: one spelling only. */
	if (buf[0] == 2 && rec.pass_us == 0)
		return (-1);
	rec.passes = (uint32_t)passes;
	rec.flags = (uint32_t)flags;
	*rec_r = rec;
	*used_r = off;
	return (0);
}

/* record_state - pending, allowed but not retried, or passed */

enum record_state
record_state(const struct greyrec *rec, int64_t now_us)
{
	if (rec->passes > 0)
		return (RECORD_PASSED);
	if (now_us < rec->allow_us)
		return (RECORD_PENDING);
	return (RECORD_UNRETRIED);
}

const char *
record_state_name(enum record_state state)
{
	switch (state) {
	case RECORD_PENDING:
		return ("pending");
	case RECORD_UNRETRIED:
		return ("unretried");
	case RECORD_PASSED:
		return ("passed");
	}
	return ("?");
}

/* record_merge - union of two records of one entry */

void
record_merge(struct greyrec *into, const struct greyrec *from)
{
	if (from->first_us < into->first_us) {
		into->first_us = from->first_us;
		into->flags = (into->flags & ~RECORD_F_FIRST_INFERRED)
		    | (from->flags & RECORD_F_FIRST_INFERRED);
	}
	if (from->allow_us < into->allow_us)
		into->allow_us = from->allow_us;
	if (from->last_us > into->last_us)
		into->last_us = from->last_us;
	if (from->passes > into->passes)
		into->passes = from->passes;
	if (from->pass_us != 0 && (into->pass_us == 0
	    || from->pass_us < into->pass_us))
		into->pass_us = from->pass_us;
}

/* record_equal - the same record, field by field */

int
record_equal(const struct greyrec *a, const struct greyrec *b)
{
	return (a->first_us == b->first_us && a->allow_us == b->allow_us
	    && a->last_us == b->last_us && a->passes == b->passes
	    && a->flags == b->flags && a->pass_us == b->pass_us);
}

/* record_expires_at - when clean may drop this entry */

int64_t
record_expires_at(const struct greyrec *rec, int64_t expire_us)
{
	int64_t at = rec->last_us + expire_us;

	if (rec->passes == 0 && rec->allow_us + RECORD_UNRETRIED_LIFE_US < at)
		at = rec->allow_us + RECORD_UNRETRIED_LIFE_US;
	return (at);
}
