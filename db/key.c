/*
 * NAME
 *	key 3
 * SUMMARY
 *	greylist key encoding
 * SYNOPSIS
 *	#include "key.h"
 *
 *	int	key_set(key_r, kind, client, sender, recipient)
 *	int	key_encode(key, buf, size, len_r)
 *	int	key_decode(buf, len, key_r)
 *	int	key_compare(a, alen, b, blen)
 * DESCRIPTION
 *	One LMDB key per greylist entry. The layout, version 1:
 *
 * .nf
 *	offset	size	field
 *	0	1	key format version (1)
 *	1	1	address family: 4 or 6
 *	2	4|16	client address or network, network byte order,
 *			host bits zero
 *	6|18	1	prefix length (32 or 128 for a single host)
 *	7|19	1	kind: 'I' (IP only), 'T' (triplet) or 'A'
 *			(auto-whitelist)
 *	8|20	n	triplet only: sender, 0x00, recipient
 * .fi
 *
 *	Why this shape: LMDB compares keys as byte strings, so this order
 *	sorts by family, then numerically by address (all of one network
 *	together, a /24 before its hosts), then by kind, sender and
 *	recipient. A dump or stat listing is therefore grouped by client,
 *	and a walk over one network is a range scan. IPv4 takes 4 bytes,
 *	not 16, because most keys are IPv4 and a million keys times 12
 *	bytes is 12 MB. The version byte comes first so that a later
 *	layout can live beside this one and be converted lazily.
 *
 *	An auto-whitelist entry (autoWhitelistClients) has the IP-only
 *	layout with kind 'A': it sorts with its client's other entries. A
 *	counter key (counter.c) has 'C' in the family's place, so that
 *	counter keys sort after every entry; key_decode() refuses it.
 *
 *	Sender and recipient are the raw (lower-cased) addresses, not the
 *	legacy %XX escapes: escaping is a property of the old file names.
 *	They may not contain NUL (the separator). An empty sender is the
 *	null sender (<>).
 *
 *	Long addresses. When sender and recipient together exceed
 *	KEY_ADDR_MAX bytes, the key cannot hold them within LMDB's 511-byte
 *	limit; the triplet part is then
 *
 * .nf
 *	sender[..200] 0x00 recipient[..200] 0x00 SHA-256(sender 0x00 recipient)
 * .fi
 *
 *	the first KEY_PREFIX_MAX bytes of each (so keys still sort by
 *	sender), a second NUL (which no whole-address key has), and the
 *	32-byte digest of the whole pair. Every triplet has a key, whatever
 *	its length: a sender cannot skip greylisting with a long address,
 *	and SHA-256 keeps two triplets from sharing a key on purpose. The
 *	whole addresses are kept after the record (db/entry.c), so dump,
 *	stat and the legacy export show them; key_decode() gives the
 *	prefixes, with digested set and the digest.
 *
 *	key_set() fills a key and checks those limits. key_decode()
 *	validates every field of a stored key. key_compare() is LMDB's
 *	default order for encoded keys (bytes, then length), for callers
 *	that sort keys before appending them.
 * DIAGNOSTICS
 *	All return 0, or -1 when the input does not fit the layout.
 */

#include <string.h>

#include "key.h"
#include "sha256.h"

/* key_set - fill and check a key */

int
key_set(struct greykey *key_r, enum key_kind kind,
    const struct netaddr *client, const char *sender, const char *recipient)
{
	struct netaddr copy = *client;	/* client may point into key_r */
	size_t slen, rlen;

	if (kind != KEY_IPONLY && kind != KEY_TRIPLET && kind != KEY_AWL)
		return (-1);
	slen = kind == KEY_TRIPLET ? strlen(sender) : 0;
	rlen = kind == KEY_TRIPLET ? strlen(recipient) : 0;
	if (slen > KEY_TEXT_MAX || rlen > KEY_TEXT_MAX)
		return (-1);
	/* No memset: sender and recipient may already be key_r's own. */
	key_r->kind = kind;
	key_r->digested = 0;
	key_r->client = copy;
	if (kind != KEY_TRIPLET) {
		key_r->sender[0] = key_r->recipient[0] = 0;
		return (0);
	}
	memmove(key_r->sender, sender, slen + 1);
	memmove(key_r->recipient, recipient, rlen + 1);
	return (0);
}

/* key_encode_long - prefixes and the digest; the new offset, or 0 */

static size_t
key_encode_long(const struct greykey *key, unsigned char *buf, size_t size,
    size_t off)
{
	unsigned char pair[2 * KEY_TEXT_MAX + 1];
	size_t slen = strlen(key->sender), rlen = strlen(key->recipient);
	size_t sp = slen < KEY_PREFIX_MAX ? slen : KEY_PREFIX_MAX;
	size_t rp = rlen < KEY_PREFIX_MAX ? rlen : KEY_PREFIX_MAX;

	if (slen > KEY_TEXT_MAX || rlen > KEY_TEXT_MAX
	    || off + sp + 1 + rp + 1 + KEY_DIGEST_LEN > size)
		return (0);
	memcpy(pair, key->sender, slen);
	pair[slen] = 0;
	memcpy(pair + slen + 1, key->recipient, rlen);
	memcpy(buf + off, key->sender, sp);
	off += sp;
	buf[off++] = 0;
	memcpy(buf + off, key->recipient, rp);
	off += rp;
	buf[off++] = 0;
	sha256(pair, slen + 1 + rlen, buf + off);
	return (off + KEY_DIGEST_LEN);
}

/* key_encode - serialize; len_r gets the key length */

int
key_encode(const struct greykey *key, unsigned char *buf, size_t size,
    size_t *len_r)
{
	size_t alen = addr_len(&key->client), off = 0, slen, rlen;

	if (key->client.family != 4 && key->client.family != 6)
		return (-1);
	if (size < 4 + alen)
		return (-1);
	buf[off++] = KEY_VERSION;
	buf[off++] = key->client.family;
	memcpy(buf + off, key->client.bytes, alen);
	off += alen;
	buf[off++] = key->client.plen;
	buf[off++] = (unsigned char)key->kind;
	if (key->kind == KEY_TRIPLET) {
		if (key->digested)
			return (-1);	/* prefixes only: not a whole key */
		slen = strlen(key->sender);
		rlen = strlen(key->recipient);
		if (slen + rlen <= KEY_ADDR_MAX) {
			if (off + slen + 1 + rlen > size)
				return (-1);
			memcpy(buf + off, key->sender, slen);
			off += slen;
			buf[off++] = 0;
			memcpy(buf + off, key->recipient, rlen);
			off += rlen;
		} else if ((off = key_encode_long(key, buf, size, off)) == 0)
			return (-1);
	}
	*len_r = off;
	return (0);
}

/* key_decode - parse and validate a stored key */

int
key_decode(const unsigned char *buf, size_t len, struct greykey *key_r)
{
	size_t alen, off = 0, slen, rlen;
	const unsigned char *nul, *nul2;

	/* Field by field: the address buffers are large, and a walk decodes
	 * every key of the database. */
	memset(&key_r->client, 0, sizeof(key_r->client));
	key_r->sender[0] = key_r->recipient[0] = 0;
	key_r->digested = 0;
	if (len < 2 || buf[0] != KEY_VERSION)
		return (-1);
	if (buf[1] != 4 && buf[1] != 6)
		return (-1);
	key_r->client.family = buf[1];
	alen = addr_len(&key_r->client);
	off = 2;
	if (len < off + alen + 2)
		return (-1);
	memcpy(key_r->client.bytes, buf + off, alen);
	off += alen;
	key_r->client.plen = buf[off++];
	if (key_r->client.plen > alen * 8
	    || !addr_host_bits_clear(&key_r->client))
		return (-1);
	key_r->kind = (enum key_kind)buf[off++];
	if (key_r->kind == KEY_IPONLY || key_r->kind == KEY_AWL)
		return (off == len ? 0 : -1);
	if (key_r->kind != KEY_TRIPLET)
		return (-1);
	nul = memchr(buf + off, 0, len - off);
	if (nul == NULL)
		return (-1);
	slen = (size_t)(nul - (buf + off));
	rlen = len - off - slen - 1;
	nul2 = memchr(nul + 1, 0, rlen);
	if (nul2 != NULL) {
		/* The long form: prefixes, NUL, the digest. */
		rlen = (size_t)(nul2 - (nul + 1));
		if (slen > KEY_PREFIX_MAX || rlen > KEY_PREFIX_MAX
		    || (size_t)(buf + len - (nul2 + 1)) != KEY_DIGEST_LEN)
			return (-1);
		key_r->digested = 1;
		memcpy(key_r->digest, nul2 + 1, KEY_DIGEST_LEN);
	} else if (slen + rlen > KEY_ADDR_MAX)
		return (-1);
	memcpy(key_r->sender, buf + off, slen);
	key_r->sender[slen] = 0;
	memcpy(key_r->recipient, nul + 1, rlen);
	key_r->recipient[rlen] = 0;
	return (0);
}

/* key_compare - LMDB's order of two encoded keys */

int
key_compare(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}
