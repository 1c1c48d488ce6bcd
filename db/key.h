/*	key.h - greylist database keys */
#ifndef GREYSPF_KEY_H
#define GREYSPF_KEY_H

#include <stddef.h>

#include "addr.h"

#define KEY_VERSION	1
#define KEY_MAX		511	/* LMDB's default maximum key size */
#define KEY_ADDR_MAX	490	/* sender + recipient bytes kept whole */
#define KEY_TEXT_MAX	2047	/* one address, at most (a request line) */
#define KEY_PREFIX_MAX	200	/* bytes of each kept before a digest */
#define KEY_DIGEST_LEN	32	/* SHA-256 of sender NUL recipient */

enum key_kind {
	KEY_AWL = 'A',		/* an auto-whitelist entry: the client */
	KEY_IPONLY = 'I',	/* greylistByIPOnly: the client alone */
	KEY_TRIPLET = 'T'	/* client, sender, recipient */
};

struct greykey {
	enum key_kind kind;
	struct netaddr client;	/* a host (/32, /128) or a network */
	char	sender[KEY_TEXT_MAX + 1];	/* "" for the null sender */
	char	recipient[KEY_TEXT_MAX + 1];
	/* Set by key_decode() for a key whose addresses were too long: the
	 * two fields then hold prefixes, and the record the whole text
	 * (db/entry.c). */
	int	digested;
	unsigned char digest[KEY_DIGEST_LEN];
};

int	key_set(struct greykey *, enum key_kind, const struct netaddr *,
	    const char *, const char *);
int	key_encode(const struct greykey *, unsigned char *, size_t, size_t *);
int	key_decode(const unsigned char *, size_t, struct greykey *);
int	key_compare(const unsigned char *, size_t, const unsigned char *,
	    size_t);

#endif
