/*
 * NAME
 *	test_legacy - unit tests for legacy.c
 * DESCRIPTION
 *	quoteAddress escaping (the spec's table, byte for byte), the path
 *	grammar of both layouts with every client spelling the original
 *	wrote, the reverse path, and the timestamp rules.
 */

#include "testlib.h"

#include "legacy.h"
#include "quote.h"

static const struct {
	const char *raw, *esc;
} esc_rows[] = {
	{"alice@example.com", "alice@example.com"},
	{"user+tag@example.com", "user+tag@example.com"},
	{"a_b-c.d@x", "a_b-c.d@x"},
	{"%", "%25"}, {"/", "%2F"}, {" ", "%20"}, {"\"", "%22"},
	{"=", "%3D"}, {"#", "%23"}, {"'", "%27"}, {"!", "%21"},
	{"$", "%24"}, {"&", "%26"}, {"*", "%2A"}, {"~", "%7E"},
	{"\xc3\xa9quipe@ex\xc3\xa4mple.com", "%C3%A9quipe@ex%C3%A4mple.com"},
	{".leading@x", "%2eleading@x"},
	{"..", "%2e."},
	{"a.b.", "a.b."},
	{"", ""},
	{"\x01\x7f\xff", "%01%7F%FF"},
	{"tilde~user@example.com", "tilde%7Euser@example.com"},
};

static void
test_escape(void **state)
{
	char buf[256], back[256];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(esc_rows); i++) {
		ROW_CHECK(esc_rows[i].esc, quote_address(esc_rows[i].raw, buf,
		    sizeof(buf)) == 0);
		if (strcmp(buf, esc_rows[i].esc) != 0)
			ROW_FAIL(esc_rows[i].esc, "escaped to %s", buf);
		ROW_CHECK(esc_rows[i].esc, unquote_address(buf, back,
		    sizeof(back)) == 0);
		ROW_CHECK(esc_rows[i].esc, strcmp(back, esc_rows[i].raw) == 0);
	}
	/* Buffer too small is refused, not truncated. */
	assert_int_equal(quote_address("%%%", buf, 9), -1);
	assert_int_equal(quote_address("%%%", buf, 10), 0);
	assert_int_equal(quote_address(".", buf, 3), -1);
}

static void
test_unescape(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(unquote_address("%2E%2e%c3%A9", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "..\xc3\xa9");
	assert_int_equal(unquote_address("%zz", buf, sizeof(buf)), -1);
	assert_int_equal(unquote_address("abc%2", buf, sizeof(buf)), -1);
	assert_int_equal(unquote_address("abc%", buf, sizeof(buf)), -1);
	assert_int_equal(unquote_address("a%00b", buf, sizeof(buf)), -1);
	assert_int_equal(unquote_address("abcdef", buf, 6), -1);
}

static const struct {
	const char *path;
	int	ok;
	const char *net;	/* expected client, or reason fragment */
	enum key_kind kind;
	enum legacy_form form;
	const char *s, *r;
	int	noncanon;
} path_rows[] = {
	{"client_address/203/0/113/5/greylist/alice@example.com/bob@example.org",
	    1, "203.0.113.5/32", KEY_TRIPLET, LEGACY_V4_HOST,
	    "alice@example.com", "bob@example.org", 0},
	{"client_address/203/0/113/greylist/%2eleading@example.com/bob@x",
	    1, "203.0.113.0/24", KEY_TRIPLET, LEGACY_V4_NET24,
	    ".leading@example.com", "bob@x", 0},
	{"client_address/203/0/113/greylist/%C3%A9quipe@ex%C3%A4mple.com/b@x",
	    1, "203.0.113.0/24", KEY_TRIPLET, LEGACY_V4_NET24,
	    "\xc3\xa9quipe@ex\xc3\xa4mple.com", "b@x", 0},
	{"client_address/2001:db8::1/greylist/a@x/b@y", 1, "2001:db8::1/128",
	    KEY_TRIPLET, LEGACY_V6_HOST, "a@x", "b@y", 0},
	{"client_address/2001:db8:0:0:0:0:0:1/greylist/a@x/b@y", 1,
	    "2001:db8::1/128", KEY_TRIPLET, LEGACY_V6_HOST, "a@x", "b@y", 0},
	{"client_address/::ffff:203/0/113/50/greylist/a@x/b@y", 1,
	    "203.0.113.50/32", KEY_TRIPLET, LEGACY_MAPPED, "a@x", "b@y", 0},
	{"client_address/::ffff:203/0/113/greylist/a@x/b@y", 1,
	    "203.0.113.0/24", KEY_TRIPLET, LEGACY_MAPPED, "a@x", "b@y", 0},
	{"client_address/greylist/zed@example.com/bob@example.org", 1, "::/0",
	    KEY_TRIPLET, LEGACY_V6_COLLAPSED, "zed@example.com",
	    "bob@example.org", 0},
	{"client_address/::1/greylist/a@x/b@y", 1, "::1/128", KEY_TRIPLET,
	    LEGACY_V6_HOST, "a@x", "b@y", 0},
	{"client_address/203/0/113/greylist/greylist/b@y", 1, "203.0.113.0/24",
	    KEY_TRIPLET, LEGACY_V4_NET24, "greylist", "b@y", 0},
	{"client_address/203/0/113/greylist/mailer-daemon/b@y", 1,
	    "203.0.113.0/24", KEY_TRIPLET, LEGACY_V4_NET24, "mailer-daemon",
	    "b@y", 0},
	{"client_address/1/2/3/greylist/Alice@X/b@y", 1, "1.2.3.0/24",
	    KEY_TRIPLET, LEGACY_V4_NET24, "alice@x", "b@y", 1},
	{"client_address/1/2/3/greylist/tilde~user@x/b@y", 1, "1.2.3.0/24",
	    KEY_TRIPLET, LEGACY_V4_NET24, "tilde~user@x", "b@y", 1},
	{"203/0/113/check_file", 1, "203.0.113.0/24", KEY_IPONLY,
	    LEGACY_V4_NET24, "", "", 0},
	{"203/0/113/5/check_file", 1, "203.0.113.5/32", KEY_IPONLY,
	    LEGACY_V4_HOST, "", "", 0},
	{"::ffff:203/0/113/check_file", 1, "203.0.113.0/24", KEY_IPONLY,
	    LEGACY_MAPPED, "", "", 0},
	{"check_file", 1, "::/0", KEY_IPONLY, LEGACY_V6_COLLAPSED, "", "", 0},
	{"2001:db8::25/check_file", 1, "2001:db8::25/128", KEY_IPONLY,
	    LEGACY_V6_HOST, "", "", 0},
	{"64:ff9b::1/2/3/4/check_file", 1, "64:ff9b::102:304/128", KEY_IPONLY,
	    LEGACY_V6_DOTTED, "", "", 0},
	/* Refused. */
	{"client_address/203/0/113/5/greylist/a@x", 0, "not a tumgreyspf", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/256/0/113/greylist/a@x/b@y", 0, "octet", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/203/00/113/greylist/a@x/b@y", 0, "octet", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/203/0/greylist/a@x/b@y", 0, "3 or 4", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/1/2/3/4/5/greylist/a@x/b@y", 0, "3 or 4", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/2001:db8::zz/greylist/a@x/b@y", 0, "IPv6", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/1/2/3/greylist/a%zz@x/b@y", 0, "escape", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/1/2/3/greylist/a%00@x/b@y", 0, "escape", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/1/2/3/greylist/.hidden/b@y", 0, "hidden", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/1/2/3/greylist/../b@y", 0, "dot-dot", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"203/0/113/notes.txt", 0, "not a tumgreyspf", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"client_address/check_file", 0, "not a tumgreyspf", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"a/b/c/check_file", 0, "octet", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
	{"1/2/3/4/5/6/7/8/9/10/11/12/13/check_file", 0, "deep", KEY_TRIPLET, LEGACY_V4_HOST, "", "", 0},
};

static int
split(char *path, char **comps)
{
	int n = 0;
	char *p;

	for (p = strtok(path, "/"); p && n < 40; p = strtok(NULL, "/"))
		comps[n++] = p;
	return (n);
}

static void
test_parse_path(void **state)
{
	struct legacy_entry e;
	char buf[512], net[ADDR_TEXT_MAX], *comps[40];
	const char *why;
	size_t i;
	int n, rc;

	(void)state;
	for (i = 0; i < NROWS(path_rows); i++) {
		const char *row = path_rows[i].path;

		strcpy(buf, row);
		n = split(buf, comps);
		rc = legacy_parse_path(comps, n, &e, &why);
		ROW_CHECK(row, (rc == 0) == path_rows[i].ok);
		if (rc != 0) {
			if (strstr(why, path_rows[i].net) == NULL)
				ROW_FAIL(row, "reason \"%s\"", why);
			continue;
		}
		addr_format_net(&e.key.client, net, sizeof(net));
		if (strcmp(net, path_rows[i].net) != 0)
			ROW_FAIL(row, "client %s", net);
		ROW_CHECK(row, e.key.kind == path_rows[i].kind);
		ROW_CHECK(row, e.form == path_rows[i].form);
		ROW_CHECK(row, strcmp(e.key.sender, path_rows[i].s) == 0);
		ROW_CHECK(row, strcmp(e.key.recipient, path_rows[i].r) == 0);
		ROW_CHECK(row, e.noncanonical == path_rows[i].noncanon);
	}
}

static void
test_format_path(void **state)
{
	static const char *const same[] = {
		"client_address/203/0/113/5/greylist/alice@example.com/b@x",
		"client_address/203/0/113/greylist/%2eleading@x/%C3%A9@y",
		"client_address/2001:db8::1/greylist/a@x/b@y",
		"client_address/greylist/zed@example.com/bob@example.org",
		"203/0/113/check_file",
		"check_file",
		"64:ff9b::102:304/check_file",
	};
	struct legacy_entry e;
	struct greykey k;
	struct netaddr a;
	char buf[512], out[LEGACY_PATH_MAX], *comps[40];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(same); i++) {
		strcpy(buf, same[i]);
		ROW_CHECK(same[i], legacy_parse_path(comps, split(buf, comps),
		    &e, &why) == 0);
		ROW_CHECK(same[i], legacy_format_path(&e.key, out, sizeof(out),
		    &why) == 0);
		if (strcmp(out, same[i]) != 0)
			ROW_FAIL(same[i], "formatted as %s", out);
	}
	/* No legacy form: a /64, a /16, the null sender. */
	assert_int_equal(addr_parse_net("2001:db8::/64", &a), 0);
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, "a@x", "b@y"), 0);
	assert_int_equal(legacy_format_path(&k, out, sizeof(out), &why), -1);
	assert_non_null(strstr(why, "no tumgreyspf form"));
	assert_int_equal(addr_parse_net("10.1.0.0/16", &a), 0);
	assert_int_equal(key_set(&k, KEY_IPONLY, &a, "", ""), 0);
	assert_int_equal(legacy_format_path(&k, out, sizeof(out), &why), -1);
	assert_int_equal(addr_parse_net("10.1.2.3/32", &a), 0);
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, "", "b@y"), 0);
	assert_int_equal(legacy_format_path(&k, out, sizeof(out), &why), -1);
}

#define S(x)	((int64_t)(x) * 1000000)

static void
test_times(void **state)
{
	struct greyrec r;

	(void)state;
	/* Never re-checked: mtime keeps its fraction; pending. */
	legacy_to_record(S(1795239537) + 554229, S(1795235937) + 554229,
	    S(3600), &r);
	assert_true(r.allow_us == S(1795239537) + 554229);
	assert_true(r.last_us == S(1795235937) + 554229);
	assert_true(r.first_us == S(1795235937) + 554229);
	assert_int_equal(r.passes, 0);
	assert_int_equal(r.flags, RECORD_F_FIRST_INFERRED);
	/* Re-checked after the allow time: passed. */
	legacy_to_record(S(1795235939), S(1795235940) + 733530, S(2), &r);
	assert_int_equal(r.passes, 1);
	assert_true(r.first_us == S(1795235937));
	/* A GREYLISTTIME longer than the config says: clamp to last. */
	legacy_to_record(S(2000), S(1000), S(600), &r);
	assert_true(r.first_us == S(1000));
}

/* test_unretried - the record when access times are ignored (-a) */

static void
test_unretried(void **state)
{
	struct greyrec r;

	(void)state;
	legacy_to_record_unretried(S(1795239537) + 554229, S(3600), &r);
	assert_true(r.first_us == S(1795235937) + 554229);
	assert_true(r.allow_us == S(1795239537) + 554229);
	assert_true(r.last_us == r.first_us);
	assert_int_equal(r.passes, 0);
	assert_int_equal(r.flags, RECORD_F_FIRST_INFERRED);
	/* GREYLISTTIME 0: allowed at once, still not retried. */
	legacy_to_record_unretried(S(1000), 0, &r);
	assert_true(r.first_us == S(1000) && r.last_us == S(1000));
	assert_int_equal(r.passes, 0);
	/* No time before the epoch. */
	legacy_to_record_unretried(S(100), S(600), &r);
	assert_true(r.first_us == 0 && r.last_us == 0);
}

/* test_times_reset - when a tree's access times look reset */

static void
test_times_reset(void **state)
{
	static const struct {
		int	n;
		int64_t	mtime[4], atime[4];
		enum legacy_reset why;
	} t[] = {
		/* One entry tells nothing. */
		{ 1, { S(1000) }, { S(5000) }, LEGACY_ATIME_REAL },
		/* Pending and passed entries, as a live tree has. */
		{ 3, { S(1000), S(2000), S(3000) },
		    { S(1500), S(1900), S(2500) }, LEGACY_ATIME_REAL },
		/* The fixtures: a short run, all within seconds. */
		{ 3, { S(1000), S(1004), S(1008) },
		    { S(1001), S(1003), S(1009) }, LEGACY_ATIME_REAL },
		/* touch -a, or a copy that set one time. */
		{ 3, { S(1000), S(2000), S(3000) },
		    { S(7000), S(7000), S(7000) }, LEGACY_ATIME_SAME },
		/* tar or rsync after the service stopped. */
		{ 3, { S(1000), S(2000), S(3000) },
		    { S(3001), S(3002), S(3003) }, LEGACY_ATIME_LATER },
		/* A copy beside a live tree: pending entries' allow times
		 * after the copy; allow times over days. */
		{ 4, { S(1000), S(200000), S(300000), S(300100) },
		    { S(300000), S(300010), S(300020), S(300030) },
		    LEGACY_ATIME_CLUSTERED },
		/* Within an hour, but so are the allow times. */
		{ 3, { S(1000), S(2000), S(3000) },
		    { S(2900), S(2950), S(3500) }, LEGACY_ATIME_REAL },
	};
	struct legacy_times lt;
	size_t i;
	int j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&lt, 0, sizeof(lt));
		for (j = 0; j < t[i].n; j++)
			legacy_times_add(&lt, t[i].mtime[j], t[i].atime[j]);
		if (legacy_times_reset(&lt) != t[i].why)
			fail_msg("row %zu: got %d, want %d", i,
			    (int)legacy_times_reset(&lt), (int)t[i].why);
	}
}

/* test_ts_to_us - file times to microseconds, in range or refused */

static void
test_ts_to_us(void **state)
{
	static const struct {
		int64_t	sec;
		long	nsec;
		int	rc;
		int64_t	us;
	} t[] = {
		/* Rounding of nanoseconds to microseconds. */
		{ 1795235940, 731343999, 0, S(1795235940) + 731344 },
		{ 1795235940, 731344499, 0, S(1795235940) + 731344 },
		{ 0, 0, 0, 0 },
		{ 253402300800LL, 0, 0, RECORD_TIME_MAX },
		/* Times no record can hold (btrfs allows them): refused
		 * before any arithmetic that could overflow. */
		{ 253402300800LL, 999999999, -1, 0 },
		{ 253402300801LL, 0, -1, 0 },
		{ INT64_MAX, 999999999, -1, 0 },
		{ INT64_MAX / 1000000 + 1, 0, -1, 0 },
		{ -1, 0, -1, 0 },
		{ INT64_MIN, 0, -1, 0 },
	};
	size_t i;
	int64_t us;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		us = 42;
		if (legacy_ts_to_us(t[i].sec, t[i].nsec, &us) != t[i].rc
		    || us != (t[i].rc == 0 ? t[i].us : 42))
			fail_msg("row %zu: %lld.%09ld", i, (long long)t[i].sec,
			    t[i].nsec);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_parse_path),
		cmocka_unit_test(test_format_path),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_ts_to_us),
		cmocka_unit_test(test_unretried),
		cmocka_unit_test(test_times_reset),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
