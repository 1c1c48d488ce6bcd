/*
 * NAME
 *	test_util - unit tests for util.c
 * DESCRIPTION
 *	strnum_ll and strnum_double accept whole numbers in range only,
 *	and leave the output alone on error.
 */

#include "testlib.h"

#include "util.h"

static const struct {
	const char *in;
	int	ok;
	long long v;
} ll_rows[] = {
	{"600", 1, 600}, {" +5 ", 1, 5}, {"-3", 1, -3}, {"0", 1, 0},
	{"600.0", 0, 0}, {"10m", 0, 0}, {"0x10", 0, 0}, {"", 0, 0},
	{"  ", 0, 0}, {"1 2", 0, 0}, {"99999999999999999999", 0, 0},
	{"1001", 0, 0}, {"-1001", 0, 0}, {"+", 0, 0},
};

static void
test_ll(void **state)
{
	long long v;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(ll_rows); i++) {
		v = 4242;
		ROW_CHECK(ll_rows[i].in, (strnum_ll(ll_rows[i].in, -1000, 1000,
		    &v) == 0) == ll_rows[i].ok);
		ROW_CHECK(ll_rows[i].in, v == (ll_rows[i].ok ? ll_rows[i].v
		    : 4242));
	}
}

static const struct {
	const char *in;
	int	ok;
	double	v;
} d_rows[] = {
	{"10.0", 1, 10.0}, {" 7 ", 1, 7.0}, {"1e1", 1, 10.0}, {".5", 1, 0.5},
	{"nan", 0, 0}, {"inf", 0, 0}, {"0x10", 0, 0}, {"-1", 0, 0},
	{"10 days", 0, 0}, {"", 0, 0}, {"1e999", 0, 0},
};

static void
test_double(void **state)
{
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(d_rows); i++) {
		v = 42.0;
		ROW_CHECK(d_rows[i].in, (strnum_double(d_rows[i].in, 0, 36500,
		    &v) == 0) == d_rows[i].ok);
		ROW_CHECK(d_rows[i].in, v == (d_rows[i].ok ? d_rows[i].v
		    : 42.0));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ll),
		cmocka_unit_test(test_double),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
