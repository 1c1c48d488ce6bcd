/*
 * NAME
 *	test_record - unit tests for record.c
 * DESCRIPTION
 *	Codec round trips and rejections, state at an injected time,
 *	the merge rule, the expiry rule.
 */

#include "testlib.h"

#include "record.h"

#define S(x)	((int64_t)(x) * 1000000)

static void
test_roundtrip(void **state)
{
	static const struct greyrec rows[] = {
		{0, 0, 0, 0, 0, 0},
		{S(1795235937) + 173611, S(1795235939), S(1795235940) + 731036,
		    1, RECORD_F_FIRST_INFERRED, 0},
		{S(1795235940), S(1795235000), S(1795235001), 7, 0, 0},
		{RECORD_TIME_MAX, 0, RECORD_TIME_MAX, UINT32_MAX, 0, 0},
		{0, RECORD_TIME_MAX, RECORD_TIME_MAX, 0, 0, 0},
		/* Version 2: the first pass known. */
		{S(1795235937), S(1795235939), S(1795236000), 2, 0,
		    S(1795235950) + 17},
		{S(1795235937), S(1795235939), S(1795236000), 2, 0,
		    S(1795235000)},	/* before first-seen: merged data */
		{0, 0, 0, 1, 0, RECORD_TIME_MAX},
	};
	unsigned char buf[RECORD_MAX];
	struct greyrec d;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		char name[16];

		snprintf(name, sizeof(name), "row %zu", i);
		ROW_CHECK(name, record_encode(&rows[i], buf, sizeof(buf),
		    &len) == 0);
		/* Version 1 when there is no pass time: what an older
		 * greyspf reads, byte for byte as before. */
		ROW_CHECK(name, buf[0] == (rows[i].pass_us ? 2 : 1));
		ROW_CHECK(name, record_decode(buf, len, &d) == 0);
		ROW_CHECK(name, memcmp(&d, &rows[i], sizeof(d)) == 0);
	}
	/* A typical record is small: the point of the delta layout. */
	assert_int_equal(record_encode(&rows[1], buf, sizeof(buf), &len), 0);
	assert_true(len <= 20);
}

static void
test_reject(void **state)
{
	struct greyrec r = {S(1795235937), S(1795235939), S(1795235940), 1, 0,
	    0};
	struct greyrec d;
	unsigned char buf[RECORD_MAX], bad[RECORD_MAX + 2];
	size_t len;

	(void)state;
	assert_int_equal(record_encode(&r, buf, sizeof(buf), &len), 0);
	memcpy(bad, buf, len);
	bad[0] = 3;		/* a version from the future */
	assert_int_equal(record_decode(bad, len, &d), -1);
	bad[0] = 0;
	assert_int_equal(record_decode(bad, len, &d), -1);
	assert_int_equal(record_decode(buf, len - 1, &d), -1);	/* short */
	memcpy(bad, buf, len);
	bad[len] = 0;		/* trailing byte */
	assert_int_equal(record_decode(bad, len + 1, &d), -1);
	assert_int_equal(record_decode(buf, 0, &d), -1);
	/* Unknown flag bit. */
	r.flags = 1u << 5;
	assert_int_equal(record_encode(&r, buf, sizeof(buf), &len), -1);
	{
		unsigned char f[] = {1, 0, 0, 0, 0, 0x20};

		assert_int_equal(record_decode(f, sizeof(f), &d), -1);
	}
	/* Redundant varint byte (0x80 0x00 for zero). */
	{
		unsigned char f[] = {1, 0x80, 0x00, 0, 0, 0, 0};

		assert_int_equal(record_decode(f, sizeof(f), &d), -1);
	}
	/* An 11-byte varint, and a time past the maximum. */
	{
		unsigned char f[] = {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0};
		/* 2^63 - 1: past RECORD_TIME_MAX (about 2^57.8). */
		unsigned char g[] = {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0x7f, 0, 0, 0, 0};

		assert_int_equal(record_decode(f, sizeof(f), &d), -1);
		assert_int_equal(record_decode(g, sizeof(g), &d), -1);
	}
	/* Version 2 with a pass time of 0 (its one spelling is v1). */
	{
		unsigned char f[] = {2, 0, 0, 0, 0, 0, 0};

		assert_int_equal(record_decode(f, sizeof(f), &d), -1);
	}
	/* Version 2 without its pass field, and a negative pass time. */
	{
		unsigned char f[] = {2, 0, 0, 0, 0, 0};
		unsigned char g[] = {2, 10, 0, 0, 0, 0, 0x17};

		assert_int_equal(record_decode(f, sizeof(f), &d), -1);
		assert_int_equal(record_decode(g, sizeof(g), &d), -1);
	}
	/* A negative time is refused by the encoder. */
	r.flags = 0;
	r.first_us = -1;
	assert_int_equal(record_encode(&r, buf, sizeof(buf), &len), -1);
}

/* test_v1_read - a version 1 record as an older greyspf wrote it */

static void
test_v1_read(void **state)
{
	/* first 1000 s, allow +600 s, last +0, 1 pass, no flag. */
	static const unsigned char v1[] = {1, 0x80, 0x94, 0xeb, 0xdc, 0x03,
	    0x80, 0x98, 0x9a, 0xbc, 0x04, 0, 1, 0};
	struct greyrec d;
	unsigned char buf[RECORD_MAX];
	size_t len;

	(void)state;
	assert_int_equal(record_decode(v1, sizeof(v1), &d), 0);
	assert_true(d.first_us == S(1000) && d.allow_us == S(1600)
	    && d.last_us == S(1000) && d.passes == 1 && d.pass_us == 0);
	/* Written again, unchanged: still version 1. */
	assert_int_equal(record_encode(&d, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(v1));
	assert_memory_equal(buf, v1, len);
	/* With a pass time it becomes version 2. */
	d.pass_us = S(1700);
	assert_int_equal(record_encode(&d, buf, sizeof(buf), &len), 0);
	assert_int_equal(buf[0], 2);
	assert_int_equal(record_decode(buf, len, &d), 0);
	assert_true(d.pass_us == S(1700));
}

static void
test_state(void **state)
{
	struct greyrec r = {S(1000), S(1600), S(1000), 0, 0, 0};

	(void)state;
	assert_int_equal(record_state(&r, S(1599)), RECORD_PENDING);
	assert_int_equal(record_state(&r, S(1600)), RECORD_UNRETRIED);
	r.passes = 1;
	assert_int_equal(record_state(&r, S(1599)), RECORD_PASSED);
	assert_string_equal(record_state_name(RECORD_UNRETRIED), "unretried");
}

static void
test_merge(void **state)
{
	struct greyrec a = {S(100), S(700), S(800), 0, RECORD_F_FIRST_INFERRED,
	    0};
	struct greyrec b = {S(90), S(800), S(750), 3, 0, 0};
	struct greyrec m = a, again;

	(void)state;
	record_merge(&m, &b);
	assert_true(m.first_us == S(90) && m.allow_us == S(700)
	    && m.last_us == S(800) && m.passes == 3);
	assert_int_equal(m.flags, 0);	/* the earlier first-seen is exact */
	assert_true(m.pass_us == 0);
	b.pass_us = S(760);
	record_merge(&m, &b);
	assert_true(m.pass_us == S(760));	/* known beats unknown */
	b.pass_us = S(900);
	record_merge(&m, &b);
	assert_true(m.pass_us == S(760));	/* the earlier pass */
	again = m;
	record_merge(&again, &b);	/* idempotent */
	assert_memory_equal(&again, &m, sizeof(m));
	record_merge(&again, &a);
	assert_memory_equal(&again, &m, sizeof(m));
}

static void
test_expiry(void **state)
{
	int64_t ten = S(10 * 86400);
	struct greyrec r = {S(1000), S(1600), S(5000), 1, 0, 0};

	(void)state;
	/* Passed: last seen plus the expiry time. */
	assert_true(record_expires_at(&r, ten) == S(5000) + ten);
	/* Never retried: 12 hours after the allow time. */
	r.passes = 0;
	assert_true(record_expires_at(&r, ten) == S(1600) + S(12 * 3600));
	/* ... unless the expiry time is shorter still. */
	assert_true(record_expires_at(&r, S(60)) == S(5060));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_v1_read),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_expiry),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
