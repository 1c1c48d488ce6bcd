/*
 * NAME
 *	countadd - store_add_counts() against counter_value_merge()
 * SYNOPSIS
 *	countadd spec prefix count [seed]
 * DESCRIPTION
 *	Opens the store spec (created if missing; prefix: a Redis key
 *	prefix, "" for none) and count times: stores a value under one to
 *	three counter keys (a valid counter value with small, large,
 *	near-2^53 and near-2^64 counts; bytes that do not decode; or
 *	nothing), adds a random set of counts with store_add_counts(),
 *	reads each key back, and compares it, byte for byte, with what
 *	db/counter.c's counter_value_merge() makes of the same two, and
 *	the replaced count with the values that did not decode. On Redis
 *	that is the server's script against the C rule; on LMDB the
 *	store's own load. Prints "adds N mismatches M" and exits 1 when
 *	M is not 0, 2 on a store error. The same seed, the same run.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "store.h"
#include "xorshift.h"

struct put {
	const unsigned char *val;
	size_t	len;
};

static uint64_t rng = 88172645463325252ULL;

/* next - the file's next pseudo-random number */

static uint64_t
next(void)
{
	return (xorshift_next(&rng));
}

/* count - a count of one of the kinds that matter to the adding */

static uint64_t
count(void)
{
	switch (next() % 6) {
	case 0:
		return (1 + next() % 200);
	case 1:
		return (1 + next() % ((uint64_t)1 << 40));
	case 2:
		return (((uint64_t)1 << 53) - 8 + next() % 16);
	case 3:
		return (UINT64_MAX - next() % 4);
	case 4:
		return ((uint64_t)1 << (7 * (1 + next() % 9)));
	default:
		return (1 + next());
	}
}

/* set - a random set: a few ids, or many */

static void
set(struct counter_set *s)
{
	int i, n = 1 + (int)(next() % (next() % 4 == 0 ? COUNTER_SLOTS : 4));

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		s->v[next() % COUNTER_SLOTS] = count();
}

/* garbage - bytes that mostly do not decode, some near misses */

static size_t
garbage(unsigned char *buf, size_t size)
{
	size_t i, n = 1 + next() % (size < 40 ? size : 40);

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)next();
	if (next() % 2)
		buf[0] = 1;	/* the right version, then anything */
	if (next() % 3 == 0 && n > 3) {
		buf[1] = 5;	/* a redundant zero byte, or 11 digits */
		memset(buf + 2, next() % 2 ? 0x80 : 0xff, n - 3);
		buf[n - 1] = next() % 2 ? 0 : 2;
	}
	return (n);
}

static enum store_action
put(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	const struct put *p = ctx;

	(void)old;
	(void)oldlen;
	*expire_r = 0;
	if (p->val == NULL)
		return (STORE_DELETE);
	memcpy(new_r, p->val, p->len);
	*newlen_r = p->len;
	return (STORE_WRITE);
}

int
main(int argc, char **argv)
{
	struct store_opts opts;
	struct store *st;
	struct store_count keys[3];
	struct counter_key ck;
	struct counter_set a, b;
	struct put p;
	unsigned char kbuf[3][COUNTER_KEY_LEN], old[3][STORE_VALUE_MAX];
	unsigned char add[COUNTER_VALUE_MAX], want[COUNTER_VALUE_MAX];
	unsigned char got[STORE_VALUE_MAX];
	size_t oldlen[3], addlen, wantlen, gotlen, i, k, nk;
	long n, mismatches = 0;
	int rc, replaced, want_replaced, r, have[3];

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: countadd spec prefix count [seed]\n");
		return (2);
	}
	n = atol(argv[3]);
	if (argc == 5)
		rng ^= strtoull(argv[4], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	memset(&opts, 0, sizeof(opts));
	opts.create = 1;
	opts.key_prefix = argv[2];
	opts.command_ms = 10000;
	opts.connect_ms = 10000;
	if ((rc = store_open(&st, argv[1], &opts)) != STORE_OK) {
		fprintf(stderr, "countadd: %s\n", store_strerror(NULL, rc));
		return (2);
	}
	for (i = 0; i < (size_t)n; i++) {
		nk = 1 + next() % 3;
		want_replaced = 0;
		for (k = 0; k < nk; k++) {
			counter_key_at((enum counter_period)(k == 0
			    ? COUNTER_HOUR : k == 1 ? COUNTER_DAY
			    : COUNTER_TOTAL), (int64_t)(next() % 100000)
			    * 3600 * 1000000, &ck);
			if (counter_key_encode(&ck, kbuf[k], sizeof(kbuf[k]),
			    &keys[k].klen) < 0)
				return (2);
			keys[k].key = kbuf[k];
			keys[k].expire_us = next() % 2 ? 0
			    : (int64_t)4102444800 * 1000000;
			switch (next() % 3) {
			case 0:
				have[k] = 0;
				break;
			case 1:
				set(&a);
				if (counter_value_encode(&a, old[k],
				    sizeof(old[k]), &oldlen[k]) < 0)
					return (2);
				have[k] = 1;
				break;
			default:
				oldlen[k] = garbage(old[k], sizeof(old[k]));
				have[k] = 1;
				break;
			}
			p.val = have[k] ? old[k] : NULL;
			p.len = oldlen[k];
			if ((rc = store_update(st, kbuf[k], keys[k].klen, put,
			    &p)) != STORE_OK) {
				fprintf(stderr, "countadd: %s\n",
				    store_strerror(st, rc));
				return (2);
			}
		}
		set(&b);
		if (counter_value_encode(&b, add, sizeof(add), &addlen) < 0)
			return (2);
		if ((rc = store_add_counts(st, keys, nk, add, addlen,
		    &replaced)) != STORE_OK) {
			fprintf(stderr, "countadd: %s\n", store_strerror(st,
			    rc));
			return (2);
		}
		for (k = 0; k < nk; k++) {
			if (counter_value_merge(have[k] ? old[k] : NULL,
			    oldlen[k], &b, want, sizeof(want), &wantlen,
			    &r) < 0)
				return (2);
			want_replaced += r;
			rc = store_get(st, kbuf[k], keys[k].klen, got,
			    sizeof(got), &gotlen);
			if (rc != STORE_OK || gotlen != wantlen
			    || memcmp(got, want, wantlen) != 0) {
				if (mismatches++ < 5)
					fprintf(stderr, "countadd: add %zu key "
					    "%zu: the stored value differs "
					    "(%zu bytes, want %zu)\n", i, k,
					    rc == STORE_OK ? gotlen : 0,
					    wantlen);
			}
		}
		if (replaced != want_replaced && mismatches++ < 5)
			fprintf(stderr, "countadd: add %zu: %d replaced, want "
			    "%d\n", i, replaced, want_replaced);
	}
	store_close(st);
	printf("adds %ld mismatches %ld\n", n, mismatches);
	return (mismatches != 0);
}
