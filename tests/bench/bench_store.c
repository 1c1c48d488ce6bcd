/*
 * NAME
 *	bench_store - size and lookup latency of the greylist store
 * SYNOPSIS
 *	bench_store dir count random|append lookups
 * DESCRIPTION
 *	Fills a new database at dir with count distinct triplets shaped
 *	like real traffic (85% IPv4 hosts, 15% IPv6 /64; senders and
 *	recipients of 20 to 30 bytes), either in random order in write
 *	transactions of 1000 (as the live service adds them) or sorted
 *	with MDB_APPEND (as greyspf-import and greyspf-load do). Then
 *	times lookups of random existing keys, each one as the service
 *	does it: a read transaction, a get, a record decode. Prints one
 *	line of key=value figures.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchlib.h"
#include "key.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define SLOT	96

struct fill {
	unsigned char *keys;	/* count slots of SLOT bytes: len, key */
	size_t	from, to;
	int	append;
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (x);
}

/* make_key - the i-th triplet, deterministic */

static void
make_key(uint64_t i, unsigned char *slot)
{
	struct greykey k;
	struct netaddr a;
	char s[64], r[64];
	uint64_t h = mix(i + 1), h2 = mix(h);
	size_t len;

	memset(&a, 0, sizeof(a));
	if (h % 100 < 85) {
		a.family = 4;
		a.plen = 32;
		memcpy(a.bytes, &h2, 4);
	} else {
		a.family = 6;
		a.plen = 64;
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		memcpy(a.bytes + 2, &h2, 6);
	}
	snprintf(s, sizeof(s), "user%" PRIu64 "@dom%u.example", i,
	    (unsigned)(h2 >> 40) % 50000);
	snprintf(r, sizeof(r), "rcpt%u@example.org", (unsigned)(h >> 20) % 20000);
	if (key_set(&k, KEY_TRIPLET, &a, s, r) < 0
	    || key_encode(&k, slot + 1, SLOT - 1, &len) < 0 || len > SLOT - 1)
		abort();
	slot[0] = (unsigned char)len;
}

static int
slotcmp(const void *a, const void *b)
{
	const unsigned char *x = a, *y = b;
	size_t n = x[0] < y[0] ? x[0] : y[0];
	int c = memcmp(x + 1, y + 1, n);

	return (c ? c : (int)x[0] - (int)y[0]);
}

static int
fill_fn(struct store_txn *txn, void *ctx)
{
	struct fill *f = ctx;
	struct greyrec rec = {1795235937000000LL, 1795235939000000LL,
	    1795235940731036LL, 1, 0};
	unsigned char val[RECORD_MAX];
	size_t i, vlen;
	int rc;

	for (i = f->from; i < f->to; i++) {
		unsigned char *slot = f->keys + i * SLOT;

		rec.first_us += 1000;
		record_encode(&rec, val, sizeof(val), &vlen);
		rc = f->append ? store_txn_append(txn, slot + 1, slot[0], val,
		    vlen) : store_txn_put(txn, slot + 1, slot[0], val, vlen);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

struct lookup {
	unsigned char *slot;
	int	found;
};

static int
lookup_fn(struct store_txn *txn, void *ctx)
{
	struct lookup *l = ctx;
	struct greyrec rec;
	const void *v;
	size_t vlen;

	l->found = store_txn_get(txn, l->slot + 1, l->slot[0], &v, &vlen) == 0
	    && record_decode(v, vlen, &rec) == 0;
	return (0);
}

int
main(int argc, char **argv)
{
	struct store_opts o = {0};
	struct store_info info;
	struct store *st;
	struct fill f;
	struct lookup l;
	long long count, lookups;
	double t0, load_s, *lat;
	size_t i;
	int rc;

	if (argc != 5 || strnum_ll(argv[2], 1, 100000000, &count) < 0
	    || strnum_ll(argv[4], 1, 10000000, &lookups) < 0) {
		fprintf(stderr, "usage: bench_store dir count random|append "
		    "lookups\n");
		return (2);
	}
	f.append = strcmp(argv[3], "append") == 0;
	f.keys = xreallocarray(NULL, (size_t)count, SLOT);
	for (i = 0; i < (size_t)count; i++)
		make_key(i, f.keys + i * SLOT);
	if (f.append)
		qsort(f.keys, (size_t)count, SLOT, slotcmp);
	o.path = argv[1];
	o.create = 1;
	o.nosync = 1;
	o.mapsize = (size_t)64 << 20;
	o.mapsize_max = (size_t)32 << 30;
	if ((rc = store_open(&st, &o)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], store_strerror(rc));
		return (1);
	}
	t0 = now_s();
	for (f.from = 0; f.from < (size_t)count; f.from = f.to) {
		f.to = f.from + (f.append ? 1000000 : 1000);
		if (f.to > (size_t)count)
			f.to = (size_t)count;
		if ((rc = store_write(st, fill_fn, &f)) != 0) {
			fprintf(stderr, "fill: %s\n", store_strerror(rc));
			return (1);
		}
	}
	store_sync(st);
	load_s = now_s() - t0;
	store_info(st, &info);
	lat = xreallocarray(NULL, (size_t)lookups, sizeof(*lat));
	for (i = 0; i < (size_t)lookups; i++) {
		l.slot = f.keys + (mix(i ^ 0x5bd1e995) % (uint64_t)count) * SLOT;
		t0 = now_s();
		store_read(st, lookup_fn, &l);
		lat[i] = now_s() - t0;
		if (!l.found)
			abort();
	}
	qsort(lat, (size_t)lookups, sizeof(*lat), dcmp);
	printf("entries=%lld order=%s load_s=%.2f bytes=%zu "
	    "MB_per_million=%.1f depth=%u lookup_p50_us=%.2f "
	    "lookup_p99_us=%.2f\n", count, argv[3], load_s,
	    info.pages_used * info.pagesize,
	    info.pages_used * info.pagesize / 1e6 / (count / 1e6),
	    info.depth, lat[lookups / 2] * 1e6, lat[lookups * 99 / 100] * 1e6);
	store_close(st);
	free(lat);
	free(f.keys);
	return (0);
}
