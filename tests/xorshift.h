/*	xorshift.h - the tests' pseudo-random numbers: xorshift64, a state
 *	of the caller's own (never 0), the same sequence for the same seed */
#ifndef GREYSPF_XORSHIFT_H
#define GREYSPF_XORSHIFT_H

#include <stdint.h>

static inline uint64_t
xorshift_next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (*state);
}

#endif
