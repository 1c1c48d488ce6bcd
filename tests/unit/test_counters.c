/*
 * NAME
 *	test_counters - unit tests for src/counters.c
 * DESCRIPTION
 *	The process's counts at an injected clock: off with counterDays
 *	0, a first pass's bucket and delay sum, what is pending, when a
 *	write carries the counts and when a flush is due, forgotten once
 *	written. The store side (fill and
 *	flush) is covered by tests/tools/test_counters.sh.
 */

#include "testlib.h"

#include "counters.h"

#define S(x)	((int64_t)(x) * 1000000)
#define T0	S(1795849200)	/* an hour's start */

static void
test_off(void **state)
{
	(void)state;
	counters_init(0);
	counters_begin(T0);
	counters_add(CTR_REQUESTS);
	counters_pass(S(100));
	assert_false(counters_pending());
	assert_false(counters_due(T0 + S(10)));
}

static void
test_counts(void **state)
{
	(void)state;
	counters_init(400);
	assert_false(counters_pending());
	counters_begin(T0);
	counters_add(CTR_REQUESTS);
	assert_true(counters_pending());
	/* Written: forgotten; due again only with new counts. */
	counters_written(T0);
	assert_false(counters_pending());
	assert_false(counters_due(T0 + S(5)));
	counters_add(CTR_GREYLIST_NEW);
	assert_false(counters_due(T0 + S(1) - 1));	/* within a second */
	assert_true(counters_due(T0 + S(1)));
	assert_true(counters_due(T0 - 1));	/* a clock set back */
	/* A write that happens anyway carries them: the process's first,
	 * then one a second. */
	counters_init(400);
	counters_begin(T0);
	assert_true(counters_carry(STORE_CAP_ATOMIC_LOAD));
	counters_written(T0);
	counters_begin(T0 + S(1) - 1);
	assert_false(counters_carry(STORE_CAP_ATOMIC_LOAD));
	counters_begin(T0 + S(1));
	assert_true(counters_carry(STORE_CAP_ATOMIC_LOAD));
	counters_begin(T0 - 1);		/* a clock set back */
	assert_true(counters_carry(STORE_CAP_ATOMIC_LOAD));
	/* Never on a store whose write is not one unit (Redis). */
	assert_false(counters_carry(STORE_CAP_ORDERED | STORE_CAP_EXPIRY));
	counters_init(0);
	assert_false(counters_carry(STORE_CAP_ATOMIC_LOAD));
	counters_add((enum counter_id)COUNTER_SLOTS);	/* ignored */
	counters_add((enum counter_id)-1);
}

static void
test_pass_set(void **state)
{
	static const struct {
		int64_t	delay_us;
		int	bucket;
		uint64_t sum;
	} rows[] = {
		{S(299), 0, 299}, {S(301), 1, 301}, {S(90370), 9, 90370},
		{-S(5), 0, 0},	/* a clock set back: no negative delay */
	};
	struct counter_set set;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&set, 0, sizeof(set));
		counters_pass_set(&set, rows[i].delay_us);
		assert_int_equal(set.v[CTR_PASS_FIRST], 1);
		assert_int_equal(set.v[CTR_DELAY_0 + rows[i].bucket], 1);
		assert_int_equal(set.v[CTR_DELAY_SUM_S], rows[i].sum);
	}
	counters_pass_set(&set, S(301));	/* adds */
	assert_int_equal(set.v[CTR_PASS_FIRST], 2);
	assert_int_equal(set.v[CTR_DELAY_SUM_S], 0 + 301);
}

static void
test_hours(void **state)
{
	(void)state;
	counters_init(400);
	/* Counts of three hours, none written: still pending (the oldest
	 * merged into the next: counters.c); written, all forgotten. */
	counters_begin(T0);
	counters_add(CTR_REQUESTS);
	counters_begin(T0 + S(3600));
	counters_add(CTR_REQUESTS);
	counters_begin(T0 + S(7200));
	counters_add(CTR_REQUESTS);
	assert_true(counters_pending());
	counters_written(T0 + S(7200));
	assert_false(counters_pending());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_pass_set),
		cmocka_unit_test(test_hours),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
