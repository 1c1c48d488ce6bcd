/*
 * NAME
 *	test_key - unit tests for key.c
 * DESCRIPTION
 *	Encode/decode round trips, the sort order the layout promises,
 *	and rejection of every malformed stored key.
 */

#include "testlib.h"

#include "entry.h"
#include "key.h"

static void
mk(struct greykey *k, enum key_kind kind, const char *net, const char *s,
    const char *r)
{
	struct netaddr a;

	assert_int_equal(addr_parse_net(net, &a), 0);
	assert_int_equal(key_set(k, kind, &a, s, r), 0);
}

static size_t
enc(const struct greykey *k, unsigned char *buf)
{
	size_t len;

	assert_int_equal(key_encode(k, buf, KEY_MAX, &len), 0);
	return (len);
}

static const struct {
	const char *name;
	enum key_kind kind;
	const char *net, *s, *r;
} rt_rows[] = {
	{"v4 host triplet", KEY_TRIPLET, "203.0.113.5/32", "a@x", "b@y"},
	{"v4 /24 triplet", KEY_TRIPLET, "203.0.113.0/24", "a@x", "b@y"},
	{"v6 /64 triplet", KEY_TRIPLET, "2001:db8::/64", "a@x", "b@y"},
	{"collapsed v6", KEY_TRIPLET, "::/0", "a@x", "b@y"},
	{"null sender", KEY_TRIPLET, "203.0.113.5/32", "", "b@y"},
	{"odd bytes", KEY_TRIPLET, "203.0.113.5/32", "\"a b\"@x\xc3\xa9",
	    "%/=#@y"},
	{"ip only v4", KEY_IPONLY, "203.0.113.0/24", "", ""},
	{"ip only v6", KEY_IPONLY, "2001:db8::1/128", "", ""},
	{"auto-whitelist v4", KEY_AWL, "203.0.113.0/24", "", ""},
	{"auto-whitelist v6", KEY_AWL, "2001:db8::1/128", "", ""},
};

static void
test_roundtrip(void **state)
{
	unsigned char buf[KEY_MAX];
	struct greykey k, d;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(rt_rows); i++) {
		mk(&k, rt_rows[i].kind, rt_rows[i].net, rt_rows[i].s,
		    rt_rows[i].r);
		len = enc(&k, buf);
		ROW_CHECK(rt_rows[i].name, key_decode(buf, len, &d) == 0);
		ROW_CHECK(rt_rows[i].name, d.kind == k.kind);
		ROW_CHECK(rt_rows[i].name, addr_equal(&d.client, &k.client));
		ROW_CHECK(rt_rows[i].name, strcmp(d.sender, k.sender) == 0);
		ROW_CHECK(rt_rows[i].name,
		    strcmp(d.recipient, k.recipient) == 0);
	}
}

static int
keycmp(const struct greykey *a, const struct greykey *b)
{
	unsigned char x[KEY_MAX], y[KEY_MAX];
	size_t xl = enc(a, x), yl = enc(b, y);

	return (key_compare(x, xl, y, yl));
}

static void
test_order(void **state)
{
	struct greykey a, b;

	(void)state;
	/* IPv4 before IPv6; numeric, not textual, address order. */
	mk(&a, KEY_TRIPLET, "203.0.113.5/32", "a@x", "b@y");
	mk(&b, KEY_TRIPLET, "2001:db8::1/128", "a@x", "b@y");
	assert_true(keycmp(&a, &b) < 0);
	mk(&a, KEY_TRIPLET, "9.0.0.1/32", "a@x", "b@y");
	mk(&b, KEY_TRIPLET, "10.0.0.1/32", "a@x", "b@y");
	assert_true(keycmp(&a, &b) < 0);
	/* A network sorts before its hosts' ... */
	mk(&a, KEY_TRIPLET, "10.0.0.0/24", "z@x", "b@y");
	mk(&b, KEY_TRIPLET, "10.0.0.0/32", "a@x", "b@y");
	assert_true(keycmp(&a, &b) < 0);
	/* ... then by sender, then recipient. */
	mk(&a, KEY_TRIPLET, "10.0.0.0/24", "a@x", "z@y");
	mk(&b, KEY_TRIPLET, "10.0.0.0/24", "b@x", "a@y");
	assert_true(keycmp(&a, &b) < 0);
	/* The NUL separator: "a" < "ab" whatever the recipient. */
	mk(&a, KEY_TRIPLET, "10.0.0.0/24", "a", "zzz");
	mk(&b, KEY_TRIPLET, "10.0.0.0/24", "ab", "a");
	assert_true(keycmp(&a, &b) < 0);
	/* A client's auto-whitelist entry comes with its other entries. */
	mk(&a, KEY_AWL, "10.0.0.0/24", "", "");
	mk(&b, KEY_IPONLY, "10.0.0.0/24", "", "");
	assert_true(keycmp(&a, &b) < 0);
	mk(&b, KEY_TRIPLET, "10.0.0.0/24", "", "");
	assert_true(keycmp(&a, &b) < 0);
	mk(&b, KEY_TRIPLET, "10.0.0.1/32", "a@x", "b@y");
	assert_true(keycmp(&a, &b) < 0);
	/* Counter keys (counter.c) after every entry, and not entries. */
	{
		static const unsigned char ck[] = {KEY_VERSION, 'C', 'H', 0,
		    0, 0, 1};
		unsigned char x[KEY_MAX];
		size_t xl;

		mk(&a, KEY_TRIPLET, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
		    "/128", "\xff", "\xff");
		xl = enc(&a, x);
		assert_true(key_compare(x, xl, ck, sizeof(ck)) < 0);
		assert_int_equal(key_decode(ck, sizeof(ck), &b), -1);
	}
}

static void
test_limits(void **state)
{
	char big[KEY_ADDR_MAX + 2];
	struct greykey k;
	struct netaddr a;
	unsigned char buf[KEY_MAX];
	size_t len;

	(void)state;
	assert_int_equal(addr_parse("2001:db8::1", &a), 0);
	memset(big, 'x', sizeof(big));
	big[KEY_ADDR_MAX - 3] = 0;
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, big, "abc"), 0);
	assert_int_equal(key_encode(&k, buf, sizeof(buf), &len), 0);
	assert_true(len <= KEY_MAX);
	assert_int_equal(key_set(&k, 'X', &a, "", ""), -1);
}

/*
 * Addresses too long for a key whole: every triplet still gets a key
 * (before, key_set refused them and the request went ungreylisted),
 * its own, and the value keeps the whole text.
 */
static void
test_long(void **state)
{
	static char s1[KEY_TEXT_MAX + 2], s2[KEY_TEXT_MAX + 2];
	struct greykey k, d;
	struct greyrec rec = {1795235937000000LL, 1795235939000000LL,
	    1795235940000000LL, 0, 0, 0}, r;
	struct netaddr a;
	unsigned char k1[KEY_MAX], k2[KEY_MAX], v[ENTRY_VALUE_MAX];
	size_t l1, l2, vl;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.51", &a), 0);
	memset(s1, 's', sizeof(s1));
	s1[1990] = 0;
	memcpy(s2, s1, sizeof(s2));
	s2[1500] = 't';			/* same 200-byte prefix */
	/* 1990 + 13 bytes: past KEY_ADDR_MAX, inside KEY_TEXT_MAX. */
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, s1, "b@example.org"),
	    0);
	assert_int_equal(key_encode(&k, k1, sizeof(k1), &l1), 0);
	assert_true(l1 <= KEY_MAX);
	assert_int_equal(key_encode(&k, k2, sizeof(k2), &l2), 0);
	assert_true(l1 == l2 && memcmp(k1, k2, l1) == 0);   /* stable */
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, s2, "b@example.org"),
	    0);
	assert_int_equal(key_encode(&k, k2, sizeof(k2), &l2), 0);
	assert_false(l1 == l2 && memcmp(k1, k2, l1) == 0);   /* distinct */
	/* The key decodes to prefixes and the digest ... */
	assert_int_equal(key_decode(k2, l2, &d), 0);
	assert_true(d.digested);
	assert_int_equal(strlen(d.sender), KEY_PREFIX_MAX);
	assert_string_equal(d.recipient, "b@example.org");
	assert_int_equal(key_encode(&d, k1, sizeof(k1), &l1), -1);
	/* ... and the entry to the whole text again. */
	assert_int_equal(entry_value(&k, &rec, v, sizeof(v), &vl), 0);
	assert_int_equal(entry_decode(k2, l2, v, vl, &d, &r), 0);
	assert_false(d.digested);
	assert_string_equal(d.sender, s2);
	assert_true(record_equal(&r, &rec));
	assert_int_equal(entry_record(v, vl, &r), 0);
	/* A value naming another triplet than its key is refused. */
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, s1, "b@example.org"),
	    0);
	assert_int_equal(entry_value(&k, &rec, v, sizeof(v), &vl), 0);
	assert_int_equal(entry_decode(k2, l2, v, vl, &d, &r), -1);
	/* A short key's value is the record alone. */
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, "a@x", "b@y"), 0);
	assert_int_equal(entry_value(&k, &rec, v, sizeof(v), &vl), 0);
	assert_int_equal(key_encode(&k, k1, sizeof(k1), &l1), 0);
	assert_int_equal(entry_decode(k1, l1, v, vl, &d, &r), 0);
	v[vl] = 1;
	assert_int_equal(entry_decode(k1, l1, v, vl + 1, &d, &r), -1);
	/* Longer than any request line: refused. */
	s1[1990] = 's';
	s1[KEY_TEXT_MAX + 1] = 0;
	assert_int_equal(key_set(&k, KEY_TRIPLET, &a, s1, "b@y"), -1);
}

static void
test_reject(void **state)
{
	struct greykey k, d;
	unsigned char buf[KEY_MAX], bad[KEY_MAX];
	size_t len;

	(void)state;
	mk(&k, KEY_TRIPLET, "203.0.113.0/24", "a@x", "b@y");
	len = enc(&k, buf);
	assert_int_equal(key_decode(buf, len, &d), 0);
#define MUTATE(off, val) do { memcpy(bad, buf, len); bad[off] = (val); \
	assert_int_equal(key_decode(bad, len, &d), -1); } while (0)
	MUTATE(0, 2);		/* unknown key version */
	MUTATE(0, 0);
	MUTATE(1, 5);		/* unknown family */
	MUTATE(6, 33);		/* prefix longer than IPv4 */
	MUTATE(5, 1);		/* host bit below /24 */
	MUTATE(7, 'Q');		/* unknown kind */
	MUTATE(12, 0);		/* second NUL (offset 11 is the first) */
	assert_int_equal(key_decode(buf, 0, &d), -1);
	assert_int_equal(key_decode(buf, 7, &d), -1);	/* truncated */
	assert_int_equal(key_decode(buf, 8, &d), -1);	/* no NUL */
	/* IP-only with trailing bytes. */
	mk(&k, KEY_IPONLY, "203.0.113.0/24", "", "");
	len = enc(&k, buf);
	assert_int_equal(len, 8);
	buf[len] = 'x';
	assert_int_equal(key_decode(buf, len + 1, &d), -1);
	assert_int_equal(key_decode(buf, len, &d), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_reject),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
