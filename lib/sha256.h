/*	sha256.h - SHA-256 of a buffer */
#ifndef GREYSPF_SHA256_H
#define GREYSPF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* bytes */

void	sha256(const void *, size_t, unsigned char[SHA256_LEN]);

#endif
