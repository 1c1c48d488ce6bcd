/*
 * NAME
 *	test_log - unit tests for log.c's filter of untrusted text
 * DESCRIPTION
 *	log_safe() lets through printable ASCII and well-formed UTF-8, and
 *	shows as "?" every control: C0, DEL, C1 as raw bytes (0x9b is CSI
 *	on an 8-bit terminal) or as UTF-8, and bytes that are not UTF-8;
 *	it cuts at LOG_SAFE_MAX bytes, never inside a character.
 */

#include "testlib.h"

#include "log.h"

static const struct {
	const char *in;
	const char *out;
} rows[] = {
	{"alice@example.org", "alice@example.org"},
	{"a\x1b[31mb", "a?[31mb"},
	{"a\x7f" "b", "a?b"},
	{"a\x9b" "31mb", "a?31mb"},			/* raw C1 CSI */
	{"a\xc2\x9b" "31mb", "a??31mb"},		/* C1 as UTF-8 */
	{"j\xc3\xbcrgen@b\xc3\xbc" "cher.de", "j\xc3\xbcrgen@b\xc3\xbc" "cher.de"},
	{"\xe2\x82\xac", "\xe2\x82\xac"},		/* euro sign */
	{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},	/* 4 bytes */
	{"\xc0\xaf", "??"},				/* overlong "/" */
	{"\xed\xa0\x80", "???"},			/* a surrogate */
	{"\xe2\x82", "??"},				/* cut short */
	{"\xff\xfe", "??"},
};

static void
test_filter(void **state)
{
	char buf[LOG_SAFE_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		ROW_CHECK(rows[i].in, strcmp(log_safe(rows[i].in, buf,
		    sizeof(buf)), rows[i].out) == 0);
	assert_string_equal(log_safe(NULL, buf, sizeof(buf)), "<UNKNOWN>");
}

static void
test_bounds(void **state)
{
	char in[3 * LOG_SAFE_MAX], buf[LOG_SAFE_MAX + 1], small[5];
	size_t i;

	(void)state;
	/* 2-byte characters: the cut falls between two, not inside one. */
	for (i = 0; i + 2 < sizeof(in); i += 2) {
		in[i] = (char)0xc3;
		in[i + 1] = (char)0xa9;
	}
	in[i] = 0;
	log_safe(in, buf, sizeof(buf));
	assert_true(strlen(buf) <= LOG_SAFE_MAX);
	assert_int_equal(strlen(buf) % 2, 0);
	log_safe("\xc3\xa9\xc3\xa9\xc3\xa9", small, sizeof(small));
	assert_string_equal(small, "\xc3\xa9\xc3\xa9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_bounds),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
