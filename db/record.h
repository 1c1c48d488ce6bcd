/*	record.h - greylist records */
#ifndef GREYSPF_RECORD_H
#define GREYSPF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "timefmt.h"

#define RECORD_VERSION	2	/* the latest; version 1 is still read */
#define RECORD_MAX	64	/* bytes; an encoded record is far smaller */

/* Times are microseconds since the epoch, UTC. */
struct greyrec {
	int64_t	first_us;	/* first seen */
	int64_t	allow_us;	/* acceptable from this time on */
	int64_t	last_us;	/* most recent request */
	uint32_t passes;	/* requests seen at or after allow_us */
	uint32_t flags;
	int64_t	pass_us;	/* the first pass; 0: unknown (version 1) */
};

#define RECORD_F_FIRST_INFERRED	(1u << 0) /* first_us guessed (legacy) */
#define RECORD_F_KNOWN		(RECORD_F_FIRST_INFERRED)

/* Largest time accepted: year 10000, well inside int64 microseconds. */
#define RECORD_TIME_MAX	TIMEFMT_US_MAX

enum record_state {
	RECORD_PENDING,		/* now < allow_us */
	RECORD_UNRETRIED,	/* allowed, but no request since allow_us */
	RECORD_PASSED		/* a request came at or after allow_us */
};

int	record_encode(const struct greyrec *, unsigned char *, size_t,
	    size_t *);
int	record_decode(const unsigned char *, size_t, struct greyrec *);
int	record_decode_prefix(const unsigned char *, size_t, struct greyrec *,
	    size_t *);
enum record_state record_state(const struct greyrec *, int64_t);
const char *record_state_name(enum record_state);
void	record_merge(struct greyrec *, const struct greyrec *);
int	record_equal(const struct greyrec *, const struct greyrec *);
int64_t	record_expires_at(const struct greyrec *, int64_t);
size_t	record_put_varint(unsigned char *, uint64_t);
int	record_get_varint(const unsigned char *, size_t, size_t *, uint64_t *);

#define RECORD_UNRETRIED_LIFE_US ((int64_t)12 * 3600 * 1000000)

#endif
