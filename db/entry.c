/*
 * NAME
 *	entry 3
 * SUMMARY
 *	a greylist entry as the store keeps it: key bytes and value bytes
 * SYNOPSIS
 *	#include "entry.h"
 *
 *	int	entry_value(key, rec, buf, size, len_r)
 *	int	entry_decode(kbuf, klen, vbuf, vlen, key_r, rec_r)
 *	int	entry_record(vbuf, vlen, rec_r)
 *	int	entry_recognise(key, klen, val, vlen)
 * DESCRIPTION
 *	The key is key.c's encoding; the value is record.c's record,
 *	followed, for a key too long to hold its addresses (key.c: the
 *	digested form), by the whole addresses:
 *
 * .nf
 *	record | varint length, sender | varint length, recipient
 * .fi
 *
 *	so that what the key keeps only as prefixes and a digest can still
 *	be shown (dump, stat, the legacy export) and loaded again.
 *
 *	entry_value() encodes the value for a key. entry_decode() decodes
 *	both, and for a digested key puts the whole addresses back in
 *	key_r after checking them against the key: their digest and
 *	prefixes must match, so a value cannot name another triplet than
 *	its key. entry_record() decodes the record alone (the service
 *	needs nothing more). entry_recognise() says whether a key and a
 *	value are a greylist entry, an auto-whitelist entry or a counter
 *	key (counter.c), for store.c's marker check.
 * DIAGNOSTICS
 *	entry_value(), entry_decode() and entry_record() return 0, or -1
 *	when the input does not fit the layout. entry_recognise() returns
 *	1 or 0.
 */

#include <string.h>

#include "counter.h"
#include "entry.h"
#include "sha256.h"
#include "store.h"

_Static_assert(ENTRY_VALUE_MAX <= STORE_VALUE_MAX, "entry values fit");
_Static_assert(KEY_MAX == STORE_KEY_MAX, "key.h and store.h: one key limit");
_Static_assert(1 + 1 + 16 + 1 + 1 + 2 * (KEY_PREFIX_MAX + 1) + KEY_DIGEST_LEN
    <= KEY_MAX, "a digested key fits");

/* entry_put_len - a varint length; bytes written */

static size_t
entry_put_len(unsigned char *p, size_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return (n);
}

/* entry_get_text - a varint length and that many bytes, as a string */

static int
entry_get_text(const unsigned char *buf, size_t len, size_t *off, char *out)
{
	size_t v = 0, shift = 0, i = *off;
	unsigned char b;

	do {
		if (i >= len || shift > 14)
			return (-1);
		b = buf[i++];
		v |= (size_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (b == 0 && shift > 7)
		return (-1);	/* a redundant byte: one spelling only */
	if (v > KEY_TEXT_MAX || v > len - i || memchr(buf + i, 0, v) != NULL)
		return (-1);
	memcpy(out, buf + i, v);
	out[v] = 0;
	*off = i + v;
	return (0);
}

/* entry_digested - does the key need the addresses after the record? */

static int
entry_digested(const struct greykey *key)
{
	return (key->kind == KEY_TRIPLET && strlen(key->sender)
	    + strlen(key->recipient) > KEY_ADDR_MAX);
}

int
entry_value(const struct greykey *key, const struct greyrec *rec,
    unsigned char *buf, size_t size, size_t *len_r)
{
	size_t n, slen, rlen;

	if (key->digested || size < RECORD_MAX
	    || record_encode(rec, buf, size, &n) < 0)
		return (-1);
	if (entry_digested(key)) {
		slen = strlen(key->sender);
		rlen = strlen(key->recipient);
		if (n + slen + rlen + 6 > size)
			return (-1);
		n += entry_put_len(buf + n, slen);
		memcpy(buf + n, key->sender, slen);
		n += slen;
		n += entry_put_len(buf + n, rlen);
		memcpy(buf + n, key->recipient, rlen);
		n += rlen;
	}
	*len_r = n;
	return (0);
}

int
entry_record(const unsigned char *vbuf, size_t vlen, struct greyrec *rec_r)
{
	size_t used;

	return (record_decode_prefix(vbuf, vlen, rec_r, &used));
}

int
entry_decode(const unsigned char *kbuf, size_t klen, const unsigned char *vbuf,
    size_t vlen, struct greykey *key_r, struct greyrec *rec_r)
{
	char s[KEY_TEXT_MAX + 1], r[KEY_TEXT_MAX + 1];
	unsigned char pair[2 * KEY_TEXT_MAX + 1], d[KEY_DIGEST_LEN];
	size_t off, slen, rlen;

	if (key_decode(kbuf, klen, key_r) < 0
	    || record_decode_prefix(vbuf, vlen, rec_r, &off) < 0)
		return (-1);
	if (!key_r->digested)
		return (off == vlen ? 0 : -1);
	if (entry_get_text(vbuf, vlen, &off, s) < 0
	    || entry_get_text(vbuf, vlen, &off, r) < 0 || off != vlen)
		return (-1);
	slen = strlen(s);
	rlen = strlen(r);
	/* The key's prefixes are exactly these addresses' first bytes. */
	if (slen + rlen <= KEY_ADDR_MAX || strlen(key_r->sender)
	    != (slen < KEY_PREFIX_MAX ? slen : KEY_PREFIX_MAX)
	    || strlen(key_r->recipient)
	    != (rlen < KEY_PREFIX_MAX ? rlen : KEY_PREFIX_MAX)
	    || strncmp(s, key_r->sender, strlen(key_r->sender)) != 0
	    || strncmp(r, key_r->recipient, strlen(key_r->recipient)) != 0)
		return (-1);
	memcpy(pair, s, slen + 1);
	memcpy(pair + slen + 1, r, rlen);
	sha256(pair, slen + 1 + rlen, d);
	if (memcmp(d, key_r->digest, KEY_DIGEST_LEN) != 0)
		return (-1);
	memcpy(key_r->sender, s, slen + 1);
	memcpy(key_r->recipient, r, rlen + 1);
	key_r->digested = 0;	/* whole again: key_encode gives kbuf */
	return (0);
}

int
entry_recognise(const void *key, size_t klen, const void *val, size_t vlen)
{
	struct greykey k;
	struct greyrec r;
	struct counter_key ck;
	struct counter_set cs;

	if (counter_is_key(key, klen))
		return (counter_key_decode(key, klen, &ck) == 0
		    && counter_value_decode(val, vlen, &cs) == 0);
	return (entry_decode(key, klen, val, vlen, &k, &r) == 0);
}
