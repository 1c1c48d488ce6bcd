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
 *	into an empty database in one store_load() (as greyspf-import and
 *	greyspf-load do; the LMDB backend appends). Then times lookups of
 *	random existing keys, each one as the service does it: a
 *	store_get(), a record decode. Prints one line of key=value
 *	figures.
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

static enum store_action
fill_one(const void *old, size_t oldlen, void *new_r, size_t *newlen_r,
    int64_t *expire_r, void *ctx)
{
	struct greyrec *rec = ctx;

	(void)old;
	(void)oldlen;
	(void)expire_r;
	rec->first_us += 1000;
	record_encode(rec, new_r, RECORD_MAX, newlen_r);
	return (STORE_WRITE);
}

static int
fill_fn(struct store_batch *b, void *ctx)
{
	struct fill *f = ctx;
	struct greyrec rec = {1795235937000000LL, 1795235939000000LL,
	    1795235940731036LL, 1, 0, 0};
	size_t i;
	int rc;

	for (i = f->from; i < f->to; i++) {
		unsigned char *slot = f->keys + i * SLOT;

		if ((rc = store_batch_update(b, slot + 1, slot[0], fill_one,
		    &rec)) != STORE_OK)
			return (rc);
	}
	return (STORE_OK);
}

struct figures {
	size_t	bytes;
	unsigned depth;
};

static void
info_fn(const char *name, const char *value, void *ctx)
{
	struct figures *fig = ctx;

	if (strcmp(name, "Bytes used") == 0)
		fig->bytes = (size_t)strtoull(value, NULL, 10);
	else if (strcmp(name, "Tree depth") == 0)
		fig->depth = (unsigned)strtoul(value, NULL, 10);
}

int
main(int argc, char **argv)
{
	struct store_opts o = {0};
	struct figures fig = {0, 0};
	struct store *st;
	struct fill f;
	unsigned char val[RECORD_MAX];
	struct greyrec rec;
	size_t vlen;
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
	o.create = 1;
	o.nosync = 1;
	o.mapsize = (size_t)64 << 20;
	o.mapsize_max = (size_t)32 << 30;
	if ((rc = store_open(&st, argv[1], &o)) != STORE_OK) {
		fprintf(stderr, "%s\n", store_strerror(NULL, rc));
		return (1);
	}
	t0 = now_s();
	for (f.from = 0; f.from < (size_t)count; f.from = f.to) {
		f.to = f.from + (f.append ? 1000000 : 1000);
		if (f.to > (size_t)count)
			f.to = (size_t)count;
		if ((rc = store_load(st, fill_fn, &f, 0)) != STORE_OK) {
			fprintf(stderr, "fill: %s\n", store_strerror(st, rc));
			return (1);
		}
	}
	store_sync(st);
	load_s = now_s() - t0;
	store_info(st, info_fn, &fig);
	lat = xreallocarray(NULL, (size_t)lookups, sizeof(*lat));
	for (i = 0; i < (size_t)lookups; i++) {
		unsigned char *slot = f.keys + (mix(i ^ 0x5bd1e995)
		    % (uint64_t)count) * SLOT;

		t0 = now_s();
		if (store_get(st, slot + 1, slot[0], val, sizeof(val), &vlen)
		    != STORE_OK || record_decode(val, vlen, &rec) < 0)
			abort();
		lat[i] = now_s() - t0;
	}
	qsort(lat, (size_t)lookups, sizeof(*lat), dcmp);
	printf("entries=%lld order=%s load_s=%.2f bytes=%zu "
	    "MB_per_million=%.1f depth=%u lookup_p50_us=%.2f "
	    "lookup_p99_us=%.2f\n", count, argv[3], load_s,
	    fig.bytes, fig.bytes / 1e6 / (count / 1e6), fig.depth, lat[lookups / 2] * 1e6, lat[lookups * 99 / 100] * 1e6);
	store_close(st);
	free(lat);
	free(f.keys);
	return (0);
}
