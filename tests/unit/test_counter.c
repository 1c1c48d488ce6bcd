/*
 * NAME
 *	test_counter - unit tests for counter.c
 * DESCRIPTION
 *	Key and value round trips and rejections, names both ways, the
 *	delay buckets, periods and their expiry.
 */

#include "testlib.h"

#include "counter.h"

#define S(x)	((int64_t)(x) * 1000000)

static void
test_key(void **state)
{
	static const struct {
		const char *name;
		struct counter_key k;
	} rows[] = {
		{"hour", {COUNTER_HOUR, 498676}},
		{"day", {COUNTER_DAY, 20785}},
		{"total", {COUNTER_TOTAL, 0}},
		{"hour max", {COUNTER_HOUR, UINT32_MAX}},
	};
	unsigned char buf[COUNTER_KEY_LEN], b2[COUNTER_KEY_LEN];
	struct counter_key d, t = {COUNTER_TOTAL, 1};
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		ROW_CHECK(rows[i].name, counter_key_encode(&rows[i].k, buf,
		    sizeof(buf), &len) == 0 && len == COUNTER_KEY_LEN);
		ROW_CHECK(rows[i].name, counter_is_key(buf, len));
		ROW_CHECK(rows[i].name, counter_key_decode(buf, len, &d) == 0);
		ROW_CHECK(rows[i].name, d.period == rows[i].k.period
		    && d.bucket == rows[i].k.bucket);
	}
	/* Hours sort in time order. */
	assert_int_equal(counter_key_encode(&rows[0].k, buf, sizeof(buf),
	    &len), 0);
	d = rows[0].k;
	d.bucket++;
	assert_int_equal(counter_key_encode(&d, b2, sizeof(b2), &len), 0);
	assert_true(memcmp(buf, b2, len) < 0);
	/* Refused: a total with a bucket, a bad period, a short key. */
	assert_int_equal(counter_key_encode(&t, buf, sizeof(buf), &len), -1);
	b2[2] = 'X';
	assert_int_equal(counter_key_decode(b2, sizeof(b2), &d), -1);
	assert_int_equal(counter_key_decode(buf, 6, &d), -1);
	b2[2] = 'T';	/* a total with bucket 498677 */
	assert_int_equal(counter_key_decode(b2, sizeof(b2), &d), -1);
}

static void
test_value(void **state)
{
	struct counter_set a, b;
	unsigned char buf[COUNTER_VALUE_MAX];
	size_t len;
	int i;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(counter_value_encode(&a, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 1);	/* the version byte alone */
	assert_int_equal(counter_value_decode(buf, len, &b), 0);
	assert_true(counter_set_empty(&b));
	for (i = 0; i < COUNTER_SLOTS; i++)
		a.v[i] = (uint64_t)i * 1000 + 1;
	a.v[COUNTER_SLOTS - 1] = UINT64_MAX;
	assert_int_equal(counter_value_encode(&a, buf, sizeof(buf), &len), 0);
	assert_int_equal(counter_value_decode(buf, len, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* Too small a buffer. */
	assert_int_equal(counter_value_encode(&a, buf, 10, &len), -1);
	{
		/* Out of order, a repeated id, a zero count, an id past the
		 * slots, a version from the future, a truncated pair. */
		static const unsigned char bad[][5] = {
			{1, 2, 1, 1, 1}, {1, 2, 1, 2, 1}, {1, 2, 0, 3, 1},
			{1, 64, 1, 0, 0}, {2, 1, 1, 0, 0},
		};
		static const unsigned char trunc[] = {1, 2};

		for (i = 0; i < 3; i++)
			assert_int_equal(counter_value_decode(bad[i], 5, &b),
			    -1);
		assert_int_equal(counter_value_decode(bad[3], 3, &b), -1);
		assert_int_equal(counter_value_decode(bad[4], 3, &b), -1);
		assert_int_equal(counter_value_decode(trunc, 2, &b), -1);
	}
	/* Adding saturates. */
	memset(&b, 0, sizeof(b));
	b.v[0] = 5;
	b.v[COUNTER_SLOTS - 1] = 5;
	counter_set_add(&b, &a);
	assert_true(b.v[0] == 6 && b.v[COUNTER_SLOTS - 1] == UINT64_MAX);
}

static void
test_names(void **state)
{
	char buf[16];
	int i;

	(void)state;
	assert_string_equal(counter_name(CTR_REQUESTS, buf, sizeof(buf)),
	    "requests");
	assert_string_equal(counter_name(CTR_DELAY_LAST, buf, sizeof(buf)),
	    "delay_le_inf");
	assert_string_equal(counter_name(CTR_SPF_HELO_0 + 2, buf,
	    sizeof(buf)), "spf_helo_pass");
	/* A later greyspf's counter: kept, shown by number. */
	assert_string_equal(counter_name(CTR_KNOWN, buf, sizeof(buf)), "c39");
	for (i = 0; i < COUNTER_SLOTS; i++)
		assert_int_equal(counter_id(counter_name(i, buf, sizeof(buf))),
		    i);
	assert_int_equal(counter_id("nonesuch"), -1);
	assert_int_equal(counter_id("c64"), -1);
}

static void
test_buckets(void **state)
{
	static const struct {
		int64_t delay_s;
		int bucket;
	} rows[] = {
		{0, 0}, {300, 0}, {301, 1}, {600, 1}, {3600, 4}, {86400, 8},
		{86401, 9}, {90370, 9},
	};
	struct counter_key k;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		assert_int_equal(counter_delay_bucket(rows[i].delay_s),
		    rows[i].bucket);
	/* 2026-11-28 07:10:00 UTC: hour 07:00, day 2026-11-28. */
	counter_key_at(COUNTER_HOUR, S(1795849800) + 5, &k);
	assert_true(counter_key_start_us(&k) == S(1795849200));
	assert_true(counter_expires_at(&k, S(86400)) == S(1795849200 + 3600
	    + 86400));
	counter_key_at(COUNTER_DAY, S(1795849800), &k);
	assert_true(counter_key_start_us(&k) == S(1795824000));
	assert_true(counter_expires_at(&k, 0) == S(1795824000 + 86400));
	counter_key_at(COUNTER_TOTAL, S(1795849800), &k);
	assert_true(k.bucket == 0 && counter_expires_at(&k, 0) == INT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_buckets),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
