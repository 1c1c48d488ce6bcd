/*
 * NAME
 *	counter 3
 * SUMMARY
 *	statistics counters: key and value encoding, names, buckets
 * SYNOPSIS
 *	#include "counter.h"
 *
 *	int	counter_key_encode(key, buf, size, len_r)
 *	int	counter_key_decode(buf, len, key_r)
 *	int	counter_is_key(buf, len)
 *	int	counter_value_encode(set, buf, size, len_r)
 *	int	counter_value_decode(buf, len, set_r)
 *	int	counter_value_merge(old, oldlen, add, buf, size, len_r,
 *		    replaced_r)
 *	void	counter_set_add(into, from)
 *	int	counter_set_empty(set)
 *	const char *counter_name(id, buf, size)
 *	int	counter_id(name)
 *	int	counter_delay_bucket(delay_s)
 *	void	counter_key_at(period, now_us, key_r)
 *	int64_t	counter_key_start_us(key)
 *	int64_t	counter_expires_at(key, keep_us)
 * DESCRIPTION
 *	The service counts what it does (src/counters.c) and adds the
 *	counts to the database, one key a period: an hour, a day (UTC),
 *	and the total since the database began. The key, version 1 of
 *	key.c's layout with 'C' where an entry has its address family:
 *
 * .nf
 *	offset	size	field
 *	0	1	key format version (1)
 *	1	1	'C': a counter key
 *	2	1	period: 'H' hour, 'D' day, 'T' total
 *	3	4	bucket, big-endian: hours or days since the
 *			epoch; 0 for the total
 * .fi
 *
 *	so that counter keys sort after every greylist entry (whose byte 1
 *	is 4 or 6), by period, then in time order: a period's range is one
 *	range scan. The value:
 *
 * .nf
 *	byte 0	counter value version (1)
 *	then, for each counter that is not zero, in increasing id order:
 *	varint	id (below COUNTER_SLOTS)
 *	varint	count
 * .fi
 *
 *	Ids are enum counter_id, fixed for ever; an id this greyspf does
 *	not know (a later one's) is kept and shown as "cN", so an older
 *	tool neither drops nor rejects a newer database's counters.
 *	counter_value_decode() validates: strict varints, ids increasing
 *	and in range, no zero count, no trailing byte.
 *
 *	counter_value_merge() encodes a stored value (old, NULL for
 *	none) plus a set: a stored value that does not decode counts as
 *	none, and *replaced_r says so (1), for a warning. It is the one
 *	rule of adding counts, which every writer of counters follows
 *	(store.c's store_add_counts(), the service's carried writes);
 *	store_redis.c's script does the same on the server.
 *
 *	counter_name() gives an id's name (the dump, stat, JSON and
 *	Prometheus use it); counter_id() the id of a name, or -1.
 *	counter_delay_bucket() gives the delay bucket (an index from
 *	CTR_DELAY_0) of a delay to the first pass: the first whose bound
 *	in counter_delay_le[] it does not exceed. counter_key_at() names
 *	the bucket of a period holding a time; counter_key_start_us() is
 *	when it begins; counter_expires_at() when greyspf-clean may drop
 *	it: keep_us after it ends (counterDays); the total never.
 * DIAGNOSTICS
 *	The codecs return 0, or -1 when the input does not fit the layout.
 */

#include <stdio.h>
#include <string.h>

#include "counter.h"
#include "key.h"
#include "record.h"

#define COUNTER_KEY_TAG		'C'
#define COUNTER_VALUE_VERSION	1

const int64_t counter_delay_le[COUNTER_DELAYS] = {
	300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400, INT64_MAX
};

static const char *const counter_names[CTR_KNOWN] = {
	[CTR_REQUESTS] = "requests",
	[CTR_GREYLIST_NEW] = "greylist_new",
	[CTR_GREYLIST_EARLY] = "greylist_early",
	[CTR_PASS_FIRST] = "pass_first",
	[CTR_PASS_KNOWN] = "pass_known",
	[CTR_TRAINING] = "training",
	[CTR_NO_KEY] = "no_key",
	[CTR_WL_ENTITY] = "whitelist_entity",
	[CTR_WL_FILE] = "whitelist_file",
	[CTR_WL_AWL] = "whitelist_auto",
	[CTR_WL_SPF_PASS] = "whitelist_spf_pass",
	[CTR_WL_TRUSTED] = "whitelist_trusted",
	[CTR_STORE_ERROR] = "store_error",
	[CTR_BLACKHOLE] = "blackhole",
	[CTR_DELAY_0] = "delay_le_300",
	[CTR_DELAY_0 + 1] = "delay_le_600",
	[CTR_DELAY_0 + 2] = "delay_le_900",
	[CTR_DELAY_0 + 3] = "delay_le_1800",
	[CTR_DELAY_0 + 4] = "delay_le_3600",
	[CTR_DELAY_0 + 5] = "delay_le_7200",
	[CTR_DELAY_0 + 6] = "delay_le_14400",
	[CTR_DELAY_0 + 7] = "delay_le_43200",
	[CTR_DELAY_0 + 8] = "delay_le_86400",
	[CTR_DELAY_LAST] = "delay_le_inf",
	[CTR_DELAY_SUM_S] = "delay_sum_s",
	[CTR_SPF_MAILFROM_0] = "spf_mailfrom_none",
	[CTR_SPF_MAILFROM_0 + 1] = "spf_mailfrom_neutral",
	[CTR_SPF_MAILFROM_0 + 2] = "spf_mailfrom_pass",
	[CTR_SPF_MAILFROM_0 + 3] = "spf_mailfrom_fail",
	[CTR_SPF_MAILFROM_0 + 4] = "spf_mailfrom_softfail",
	[CTR_SPF_MAILFROM_0 + 5] = "spf_mailfrom_temperror",
	[CTR_SPF_MAILFROM_0 + 6] = "spf_mailfrom_permerror",
	[CTR_SPF_HELO_0] = "spf_helo_none",
	[CTR_SPF_HELO_0 + 1] = "spf_helo_neutral",
	[CTR_SPF_HELO_0 + 2] = "spf_helo_pass",
	[CTR_SPF_HELO_0 + 3] = "spf_helo_fail",
	[CTR_SPF_HELO_0 + 4] = "spf_helo_softfail",
	[CTR_SPF_HELO_0 + 5] = "spf_helo_temperror",
	[CTR_SPF_HELO_0 + 6] = "spf_helo_permerror",
};

_Static_assert(CTR_KNOWN <= COUNTER_SLOTS, "every id fits a value");
_Static_assert(CTR_DELAY_LAST - CTR_DELAY_0 + 1 == COUNTER_DELAYS,
    "one id a delay bucket");

/* counter_key_encode - serialize a counter key */

int
counter_key_encode(const struct counter_key *key, unsigned char *buf,
    size_t size, size_t *len_r)
{
	if (size < COUNTER_KEY_LEN || (key->period != COUNTER_HOUR
	    && key->period != COUNTER_DAY && key->period != COUNTER_TOTAL)
	    || (key->period == COUNTER_TOTAL && key->bucket != 0))
		return (-1);
	buf[0] = KEY_VERSION;
	buf[1] = COUNTER_KEY_TAG;
	buf[2] = (unsigned char)key->period;
	buf[3] = (unsigned char)(key->bucket >> 24);
	buf[4] = (unsigned char)(key->bucket >> 16);
	buf[5] = (unsigned char)(key->bucket >> 8);
	buf[6] = (unsigned char)key->bucket;
	*len_r = COUNTER_KEY_LEN;
	return (0);
}

/* counter_is_key - is this a counter key (valid or not)? */

int
counter_is_key(const unsigned char *buf, size_t len)
{
	return (len >= 2 && buf[0] == KEY_VERSION && buf[1] == COUNTER_KEY_TAG);
}

/* counter_key_decode - parse and validate a counter key */

int
counter_key_decode(const unsigned char *buf, size_t len,
    struct counter_key *key_r)
{
	struct counter_key k;

	if (len != COUNTER_KEY_LEN || !counter_is_key(buf, len))
		return (-1);
	k.period = (enum counter_period)buf[2];
	k.bucket = (uint32_t)buf[3] << 24 | (uint32_t)buf[4] << 16
	    | (uint32_t)buf[5] << 8 | buf[6];
	if (k.period != COUNTER_HOUR && k.period != COUNTER_DAY
	    && (k.period != COUNTER_TOTAL || k.bucket != 0))
		return (-1);
	*key_r = k;
	return (0);
}

/* counter_value_encode - the non-zero counters, in id order */

int
counter_value_encode(const struct counter_set *set, unsigned char *buf,
    size_t size, size_t *len_r)
{
	unsigned char tmp[COUNTER_VALUE_MAX];
	size_t n = 0;
	int i;

	tmp[n++] = COUNTER_VALUE_VERSION;
	for (i = 0; i < COUNTER_SLOTS; i++) {
		if (set->v[i] == 0)
			continue;
		n += record_put_varint(tmp + n, (uint64_t)i);
		n += record_put_varint(tmp + n, set->v[i]);
	}
	if (n > size)
		return (-1);
	memcpy(buf, tmp, n);
	*len_r = n;
	return (0);
}

/* counter_value_decode - parse and validate a counter value */

int
counter_value_decode(const unsigned char *buf, size_t len,
    struct counter_set *set_r)
{
	uint64_t id, v;
	size_t off = 1;
	int64_t prev = -1;

	memset(set_r, 0, sizeof(*set_r));
	if (len < 1 || buf[0] != COUNTER_VALUE_VERSION)
		return (-1);
	while (off < len) {
		if (record_get_varint(buf, len, &off, &id) < 0
		    || record_get_varint(buf, len, &off, &v) < 0
		    || id >= COUNTER_SLOTS || (int64_t)id <= prev || v == 0)
			return (-1);
		set_r->v[id] = v;
		prev = (int64_t)id;
	}
	return (0);
}

/* counter_value_merge - a stored value (or none) plus a set, encoded */

int
counter_value_merge(const void *old, size_t oldlen,
    const struct counter_set *add, unsigned char *buf, size_t size,
    size_t *len_r, int *replaced_r)
{
	struct counter_set set;

	*replaced_r = 0;
	if (old == NULL || counter_value_decode(old, oldlen, &set) < 0) {
		memset(&set, 0, sizeof(set));
		*replaced_r = old != NULL;
	}
	counter_set_add(&set, add);
	return (counter_value_encode(&set, buf, size, len_r));
}

/* counter_set_add - into += from, saturating */

void
counter_set_add(struct counter_set *into, const struct counter_set *from)
{
	int i;

	for (i = 0; i < COUNTER_SLOTS; i++)
		into->v[i] = into->v[i] + from->v[i] < into->v[i] ? UINT64_MAX
		    : into->v[i] + from->v[i];
}

/* counter_set_empty - 1 when every counter is zero */

int
counter_set_empty(const struct counter_set *set)
{
	int i;

	for (i = 0; i < COUNTER_SLOTS; i++)
		if (set->v[i])
			return (0);
	return (1);
}

/* counter_name - an id's name; "cN" for one this greyspf does not know */

const char *
counter_name(int id, char *buf, size_t size)
{
	if (id >= 0 && id < CTR_KNOWN && counter_names[id] != NULL)
		return (counter_names[id]);
	snprintf(buf, size, "c%d", id);
	return (buf);
}

/* counter_id - the id of a name; -1 if none */

int
counter_id(const char *name)
{
	char buf[16];
	int i;

	for (i = 0; i < COUNTER_SLOTS; i++)
		if (strcmp(counter_name(i, buf, sizeof(buf)), name) == 0)
			return (i);
	return (-1);
}

/* counter_delay_bucket - the delay bucket of a first pass's delay */

int
counter_delay_bucket(int64_t delay_s)
{
	int i;

	for (i = 0; i < COUNTER_DELAYS - 1; i++)
		if (delay_s <= counter_delay_le[i])
			break;
	return (i);
}

/* counter_key_at - the bucket of a period that holds a time */

void
counter_key_at(enum counter_period period, int64_t now_us,
    struct counter_key *key_r)
{
	int64_t s = now_us < 0 ? 0 : now_us / 1000000;

	key_r->period = period;
	if (period == COUNTER_HOUR)
		key_r->bucket = (uint32_t)(s / COUNTER_HOUR_S);
	else if (period == COUNTER_DAY)
		key_r->bucket = (uint32_t)(s / COUNTER_DAY_S);
	else
		key_r->bucket = 0;
}

/* counter_key_start_us - when a bucket begins */

int64_t
counter_key_start_us(const struct counter_key *key)
{
	int64_t len = key->period == COUNTER_HOUR ? COUNTER_HOUR_S
	    : key->period == COUNTER_DAY ? COUNTER_DAY_S : 0;

	return ((int64_t)key->bucket * len * 1000000);
}

/* counter_expires_at - when clean may drop a bucket; the total never */

int64_t
counter_expires_at(const struct counter_key *key, int64_t keep_us)
{
	int64_t len = key->period == COUNTER_HOUR ? COUNTER_HOUR_S
	    : COUNTER_DAY_S;

	if (key->period == COUNTER_TOTAL)
		return (INT64_MAX);
	return (counter_key_start_us(key) + len * 1000000 + keep_us);
}
