/*
 * NAME
 *	test_dumpfmt - unit tests for dumpfmt.c
 * DESCRIPTION
 *	Every line the formatter writes parses back to the same bytes;
 *	every deviation from that form is refused with a reason.
 */

#include "testlib.h"

#include "dumpfmt.h"

static const char *const good[] = {
	"triplet 203.0.113.0/24 alice@example.com bob@example.org "
	    "1795235937.173611 1795235939.000000 1795235940.731036 1 inferred",
	"triplet 2001:db8::/64 <> bob@example.org 0.000000 0.000000 "
	    "0.000000 0 -",
	"triplet ::/0 %2eleading@x %C3%A9@y 1.000001 2.000000 3.000000 "
	    "4294967295 -",
	"iponly 198.51.100.7/32 1795235937.000000 1795239537.000000 "
	    "1795235937.000000 0 -",
	/* The optional first-pass time (record version 2). */
	"triplet 203.0.113.0/24 alice@example.com bob@example.org "
	    "1795235937.173611 1795235939.000000 1795235940.731036 1 - "
	    "1795235940.000001",
	"iponly 198.51.100.7/32 1795235937.000000 1795239537.000000 "
	    "1795239600.000000 2 - 1795239540.000000",
	/* An auto-whitelist entry. */
	"awl 203.0.113.0/24 1795235937.000000 1795249537.500000 5",
	"awl 2001:db8::1/128 0.000000 0.000000 0",
};

static const char *const good_counters[] = {
	"counters hour 1795849200 requests=12,greylist_new=3,delay_le_600=1,"
	    "spf_helo_permerror=18446744073709551615",
	"counters day 1795824000 -",
	"counters total 0 requests=1,c63=7",
};

static void
test_roundtrip(void **state)
{
	char line[DUMPFMT_LINE_MAX], out[DUMPFMT_LINE_MAX];
	struct greykey k;
	struct greyrec r;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(good); i++) {
		strcpy(line, good[i]);
		if (dumpfmt_parse(line, &k, &r, &why) < 0)
			ROW_FAIL(good[i], "refused: %s", why);
		ROW_CHECK(good[i], dumpfmt_format(&k, &r, out, sizeof(out))
		    == 0);
		if (strcmp(out, good[i]) != 0)
			ROW_FAIL(good[i], "formatted as %s", out);
	}
}

static void
test_counters(void **state)
{
	static const struct {
		const char *line, *why;
	} rows[] = {
		{"counters hour 1795849201 requests=1", "start of its period"},
		{"counters day 1795849200 requests=1", "start of its period"},
		{"counters total 3600 requests=1", "start of its period"},
		{"counters week 0 requests=1", "period"},
		{"counters hour 01 requests=1", "bad start"},
		{"counters hour 99999999999999999999 requests=1", "bad start"},
		{"counters hour 3600 requests=0", "bad count"},
		{"counters hour 3600 requests=01", "bad count"},
		{"counters hour 3600 requests=18446744073709551616", "count"},
		{"counters hour 3600 greylist_new=1,requests=1", "order"},
		{"counters hour 3600 requests=1,requests=1", "order"},
		{"counters hour 3600 nonesuch=1", "unknown counter"},
		{"counters hour 3600 requests", "NAME=COUNT"},
		{"counters hour 3600 requests=1 x", "expected"},
		{"counters hour 3600", "expected"},
		{"counters hour 3600 ,", "NAME=COUNT"},
		/* Found by fuzz_dump_line: an empty item was skipped. */
		{"counters hour 3600 ,requests=1", "NAME=COUNT"},
		{"counters hour 3600 requests=1,", "NAME=COUNT"},
		{"counters hour 3600 requests=1,,pass_first=1", "NAME=COUNT"},
	};
	char line[DUMPFMT_LINE_MAX], out[DUMPFMT_LINE_MAX];
	struct counter_key k;
	struct counter_set c;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(good_counters); i++) {
		strcpy(line, good_counters[i]);
		ROW_CHECK(good_counters[i], dumpfmt_is_counters(line));
		if (dumpfmt_counters_parse(line, &k, &c, &why) < 0)
			ROW_FAIL(good_counters[i], "refused: %s", why);
		ROW_CHECK(good_counters[i], dumpfmt_counters_format(&k, &c,
		    out, sizeof(out)) == 0);
		if (strcmp(out, good_counters[i]) != 0)
			ROW_FAIL(good_counters[i], "formatted as %s", out);
	}
	for (i = 0; i < NROWS(rows); i++) {
		strcpy(line, rows[i].line);
		if (dumpfmt_counters_parse(line, &k, &c, &why) == 0)
			ROW_FAIL(rows[i].line, "accepted");
		if (strstr(why, rows[i].why) == NULL)
			ROW_FAIL(rows[i].line, "reason \"%s\"", why);
	}
	assert_false(dumpfmt_is_counters("triplet 1 2"));
}

static const struct {
	const char *line, *why;
} bad[] = {
	{"triplet 203.0.113.5/24 a@x b@y 1.000000 2.000000 3.000000 0 -",
	    "client network"},
	{"triplet 2001:DB8::/64 a@x b@y 1.000000 2.000000 3.000000 0 -",
	    "canonical"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0",
	    "expected"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0 - x",
	    "first-pass"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0 - "
	    "0.000000", "first-pass"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0 - "
	    "4.000000 x", "expected"},
	{"triplet 203.0.113.0/24  a@x b@y 1.000000 2.000000 3.000000 0 -",
	    "empty field"},
	{"triplet 203.0.113.0/24 a%7e@x b@y 1.000000 2.000000 3.000000 0 -",
	    "escape"},
	{"triplet 203.0.113.0/24 a~@x b@y 1.000000 2.000000 3.000000 0 -",
	    "escape"},
	{"triplet 203.0.113.0/24 a%zz b@y 1.000000 2.000000 3.000000 0 -",
	    "escape"},
	/* The service lower-cases addresses: these could never match. */
	{"triplet 203.0.113.0/24 A@b.org b@y 1.000000 2.000000 3.000000 0 -",
	    "upper case"},
	{"triplet 203.0.113.0/24 a@b.org b@Y 1.000000 2.000000 3.000000 0 -",
	    "upper case"},
	{"triplet 203.0.113.0/24 a@x b@y 1.5 2.000000 3.000000 0 -", "time"},
	{"triplet 203.0.113.0/24 a@x b@y -1.000000 2.000000 3.000000 0 -",
	    "time"},
	{"triplet 203.0.113.0/24 a@x b@y 01.000000 2.000000 3.000000 0 -",
	    "time"},
	{"triplet 203.0.113.0/24 a@x b@y 99999999999999.000000 2.000000 "
	    "3.000000 0 -", "time"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 -1 -",
	    "pass count"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 01 -",
	    "pass count"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 "
	    "4294967296 -", "pass count"},
	{"triplet 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0 new",
	    "flags"},
	{"iponly 203.0.113.0/24 a@x 1.000000 2.000000 3.000000 0 -",
	    "time"},
	{"iponly 203.0.113.0/24 a@x b@y 1.000000 2.000000 3.000000 0 -",
	    "expected"},
	{"grey 203.0.113.0/24 1.000000 2.000000 3.000000 0 -", "expected"},
	{"awl 203.0.113.0/24 1.000000 2.000000 01", "pass count"},
	{"awl 203.0.113.0/24 1.000000 2.0 1", "time"},
	{"awl 203.0.113.0/24 1.000000 2.000000 1 -", "expected"},
	{"", "empty field"},
};

static void
test_reject(void **state)
{
	char line[DUMPFMT_LINE_MAX];
	struct greykey k;
	struct greyrec r;
	const char *why = "";
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		strcpy(line, bad[i].line);
		ROW_CHECK(bad[i].line, dumpfmt_parse(line, &k, &r, &why) < 0);
		if (strstr(why, bad[i].why) == NULL)
			ROW_FAIL(bad[i].line, "reason \"%s\"", why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_reject),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
