/*
 * NAME
 *	test_policy_awl - unit tests for policy_awl.c
 * DESCRIPTION
 *	Auto-whitelisting at an injected clock, one table row a case: the
 *	count, once an hour at most, the threshold, the refresh while
 *	listed, lapsing after the maximum age.
 */

#include "testlib.h"

#include "policy_awl.h"

#define S(x)	((int64_t)(x) * 1000000)
#define H(x)	S((int64_t)(x) * 3600)
#define T0	S(1795235937)
#define AGE	S(35 * 86400)

/* An entry: first counted pass at T0, the last at T0 + last. */
#define REC(last, passes) {T0, T0, T0 + (last), (passes), 0, 0}

static void
test_count(void **state)
{
	static const struct {
		const char *name;
		int	have;
		struct greyrec old;
		int64_t	now;
		int	write;
		uint32_t passes;
		int64_t	last;
	} rows[] = {
		{"no entry: a count of 1", 0, REC(0, 0), T0, 1, 1, T0},
		{"within the hour: not counted", 1, REC(0, 1), T0 + H(1) - 1,
		    0, 1, T0},
		{"an hour later: counted", 1, REC(0, 1), T0 + H(1), 1, 2,
		    T0 + H(1)},
		{"clock backwards: nothing", 1, REC(H(5), 3), T0, 0, 3,
		    T0 + H(5)},
		{"lapsed: starts again", 1, REC(0, 9), T0 + AGE, 1, 1,
		    T0 + AGE},
		{"a second before lapsing: counted", 1, REC(0, 9),
		    T0 + AGE - S(1), 1, 10, T0 + AGE - S(1)},
		{"saturates", 1, REC(0, UINT32_MAX), T0 + H(2), 1,
		    UINT32_MAX, T0 + H(2)},
	};
	struct awl_facts f;
	struct awl_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&f, 0, sizeof(f));
		f.have = rows[i].have;
		f.old = rows[i].old;
		f.now = rows[i].now;
		f.clients = 5;
		f.max_age_us = AGE;
		policy_awl_count(&f, &d);
		ROW_CHECK(rows[i].name, d.write == rows[i].write);
		ROW_CHECK(rows[i].name, d.rec.passes == rows[i].passes);
		ROW_CHECK(rows[i].name, d.rec.last_us == rows[i].last);
		ROW_CHECK(rows[i].name, d.expires_us == rows[i].last + AGE);
		ROW_CHECK(rows[i].name, !d.listed);
	}
	/* A new count starts its first-seen now. */
	f.have = 0;
	f.now = T0 + H(100);
	policy_awl_count(&f, &d);
	assert_true(d.rec.first_us == T0 + H(100)
	    && d.rec.allow_us == d.rec.first_us && d.rec.pass_us == 0);
}

static void
test_listed(void **state)
{
	static const struct {
		const char *name;
		int	have;
		struct greyrec old;
		int64_t	now;
		uint32_t clients;
		int	listed, write;
	} rows[] = {
		{"no entry", 0, REC(0, 0), T0, 5, 0, 0},
		{"4 of 5", 1, REC(0, 4), T0 + S(1), 5, 0, 0},
		{"5 of 5", 1, REC(0, 5), T0 + S(1), 5, 1, 0},
		{"5 of 5, an hour on: refreshed", 1, REC(0, 5), T0 + H(1), 5,
		    1, 1},
		{"off (0)", 1, REC(0, 50), T0 + S(1), 0, 0, 0},
		{"threshold lowered", 1, REC(0, 2), T0 + S(1), 2, 1, 0},
		{"lapsed", 1, REC(0, 50), T0 + AGE, 5, 0, 0},
		{"a second before lapsing", 1, REC(0, 50), T0 + AGE - S(1),
		    5, 1, 1},
	};
	struct awl_facts f;
	struct awl_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&f, 0, sizeof(f));
		f.have = rows[i].have;
		f.old = rows[i].old;
		f.now = rows[i].now;
		f.clients = rows[i].clients;
		f.max_age_us = AGE;
		policy_awl_listed(&f, &d);
		ROW_CHECK(rows[i].name, d.listed == rows[i].listed);
		ROW_CHECK(rows[i].name, d.write == rows[i].write);
		/* A refresh moves last-seen, never the count. */
		ROW_CHECK(rows[i].name, d.rec.passes == rows[i].old.passes);
		if (d.write)
			ROW_CHECK(rows[i].name, d.rec.last_us == rows[i].now
			    && d.expires_us == rows[i].now + AGE);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_listed),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
