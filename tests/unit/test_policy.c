/*
 * NAME
 *	test_policy - unit tests for the pure decision core
 * DESCRIPTION
 *	Every greylist transition at an injected time (no sleep), the
 *	write policy, CHECKERS parsing, tumgreyspf's chain rule, the key
 *	(grouping, IP-only, bounces), and the reply texts byte for byte.
 */

#include "testlib.h"

#include "policy.h"

#define S(x)	((int64_t)(x) * 1000000)
#define T0	S(1795235937)

static struct grey_decision
grey(int have, struct greyrec old, int64_t now, int64_t gl, int seed)
{
	struct grey_facts f = {have, old, now, gl, seed};
	struct grey_decision d;

	policy_greylist(&f, &d);
	return (d);
}

static void
test_greylist(void **state)
{
	struct greyrec none = {0, 0, 0, 0, 0}, r;
	struct grey_decision d;

	(void)state;
	/* New entry: deferred with the long text, written. */
	d = grey(0, none, T0, S(600), 0);
	assert_int_equal(d.event, GREY_INITIAL);
	assert_int_equal(d.result.value, POLICY_DEFER);
	assert_string_equal(d.result.text, POLICY_TEXT_NEW);
	assert_true(d.write && d.rec.first_us == T0 && d.rec.last_us == T0
	    && d.rec.allow_us == T0 + S(600) && d.rec.passes == 0);
	r = d.rec;
	/* Half a minute later: pending, nothing to write. */
	d = grey(1, r, T0 + S(30), S(1), 0);
	assert_int_equal(d.event, GREY_PENDING);
	assert_string_equal(d.result.text, POLICY_TEXT_PENDING);
	assert_false(d.write);
	/* One microsecond before the allow time: still pending. */
	d = grey(1, r, T0 + S(600) - 1, S(1), 0);
	assert_int_equal(d.event, GREY_PENDING);
	assert_int_equal(d.rec.passes, 0);
	/* Pending, a minute after the last write: last-seen refreshed. */
	d = grey(1, r, T0 + S(60), S(1), 0);
	assert_true(d.write && d.rec.last_us == T0 + S(60)
	    && d.rec.allow_us == r.allow_us && d.rec.passes == 0);
	/* At the allow time exactly: allowed, first pass written. */
	d = grey(1, r, T0 + S(600), S(1), 0);
	assert_int_equal(d.event, GREY_ALLOWED);
	assert_int_equal(d.result.value, POLICY_NONE);
	assert_true(d.write && d.rec.passes == 1
	    && d.rec.last_us == T0 + S(600));
	/* GREYLISTTIME changes never move an existing entry. */
	assert_true(d.rec.allow_us == T0 + S(600));
	r = d.rec;
	/* Allowed again within the minute: no write. */
	d = grey(1, r, T0 + S(630), S(1), 0);
	assert_int_equal(d.event, GREY_ALLOWED);
	assert_false(d.write);
	/* ... and after it: refresh and count. */
	d = grey(1, r, T0 + S(700), S(1), 0);
	assert_true(d.write && d.rec.passes == 2);
	/* Training (defaultSeedOnly): recorded, never deferred. */
	d = grey(0, none, T0, S(600), 1);
	assert_int_equal(d.event, GREY_TRAINING);
	assert_int_equal(d.result.value, POLICY_NONE);
	assert_true(d.write);
	d = grey(1, d.rec, T0 + S(1), S(600), 1);
	assert_int_equal(d.event, GREY_TRAINING);
	assert_int_equal(d.result.value, POLICY_NONE);
	/* A clock that went backwards never moves last-seen back. */
	r.last_us = T0 + S(1000);
	d = grey(1, r, T0 + S(2000), S(1), 0);
	d = grey(1, r, T0 + S(900), S(1), 0);
	assert_true(d.rec.last_us == T0 + S(1000));
}

static void
test_checkers(void **state)
{
	enum checker c[POLICY_CHECKERS_MAX];

	(void)state;
	assert_int_equal(policy_checkers("spf,greylist", c, 16), 2);
	assert_true(c[0] == CHECKER_SPF && c[1] == CHECKER_GREYLIST);
	assert_int_equal(policy_checkers(" greylist , blackhole ,", c, 16), 2);
	assert_true(c[0] == CHECKER_GREYLIST && c[1] == CHECKER_BLACKHOLE);
	/* The original matched exact names only. */
	assert_int_equal(policy_checkers("\"greylist\"", c, 16), 0);
	assert_int_equal(policy_checkers("GREYLIST,Spf,grey list", c, 16), 0);
	assert_int_equal(policy_checkers("", c, 16), 0);
	assert_int_equal(policy_checkers(",,,", c, 16), 0);
	assert_int_equal(policy_checkers("greylist,greylist,greylist", c, 2),
	    2);
}

static void
test_chain(void **state)
{
	struct policy_result cur, defer, none, prepend, reject;

	(void)state;
	policy_set(&defer, POLICY_DEFER, "d");
	policy_set(&none, POLICY_NONE, "");
	policy_set(&prepend, POLICY_PREPEND, "Received-SPF: Pass");
	policy_set(&reject, POLICY_REJECT, "r");
	policy_set(&cur, POLICY_NONE, "");
	/* An spf prepend lets the chain go on ... */
	assert_int_equal(policy_chain(&cur, CHECKER_SPF, &prepend, 0), 0);
	/* ... and survives a later "no decision" (the original lost it). */
	assert_int_equal(policy_chain(&cur, CHECKER_GREYLIST, &none, 0), 0);
	assert_int_equal(cur.value, POLICY_PREPEND);
	assert_string_equal(cur.text, "Received-SPF: Pass");
	/* A later decision replaces it. */
	assert_int_equal(policy_chain(&cur, CHECKER_GREYLIST, &defer, 0), 1);
	assert_int_equal(cur.value, POLICY_DEFER);
	/* A decision stops the chain. */
	assert_int_equal(policy_chain(&cur, CHECKER_SPF, &reject, 0), 1);
	assert_int_equal(cur.value, POLICY_REJECT);
	assert_int_equal(policy_chain(&cur, CHECKER_GREYLIST, &defer, 0), 1);
	/* SPFSEEDONLY: the spf result is dropped, the chain goes on. */
	assert_int_equal(policy_chain(&cur, CHECKER_SPF, &reject, 1), 0);
	assert_int_equal(cur.value, POLICY_NONE);
	/* SPFSEEDONLY does not touch other checkers. */
	assert_int_equal(policy_chain(&cur, CHECKER_BLACKHOLE, &reject, 1), 1);
}

static const struct {
	const char *name, *client, *sender, *recipient;
	int	lastbyte, iponly, nullsender, norcpt;
	int	rc;
	const char *net;
} key_rows[] = {
	{"v4 host", "203.0.113.5", "a@x", "b@y", 0, 0, 0, 0, 0,
	    "203.0.113.5/32"},
	{"v4 /24", "203.0.113.5", "a@x", "b@y", 1, 0, 0, 0, 0,
	    "203.0.113.0/24"},
	{"v6 /64, not one shared entry", "2001:db8:1:2:3::9", "a@x", "b@y", 1,
	    0, 0, 0, 0, "2001:db8:1:2::/64"},
	{"v6 host", "2001:DB8::1", "a@x", "b@y", 0, 0, 0, 0, 0,
	    "2001:db8::1/128"},
	{"mapped is IPv4", "::ffff:203.0.113.50", "a@x", "b@y", 1, 0, 0, 0, 0,
	    "203.0.113.0/24"},
	{"ip only", "203.0.113.5", "", "", 1, 1, 0, 0, 0, "203.0.113.0/24"},
	{"bounce: no decision", "203.0.113.5", "", "b@y", 0, 0, 0, 0, 1, NULL},
	{"bounce greylisted on request", "203.0.113.5", "", "b@y", 0, 0, 1, 0,
	    0, "203.0.113.5/32"},
	{"no recipient: no decision", "203.0.113.5", "a@x", "", 0, 0, 0, 0, 1,
	    NULL},
	{"no recipient greylisted on request", "203.0.113.5", "a@x", "", 0, 0,
	    0, 1, 0, "203.0.113.5/32"},
	{"no client", "", "a@x", "b@y", 0, 0, 0, 0, 1, NULL},
	{"client not an address", "../../etc", "a@x", "b@y", 0, 0, 0, 0, 1,
	    NULL},
};

static void
test_key(void **state)
{
	struct config conf;
	struct greykey k;
	char net[ADDR_TEXT_MAX];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(key_rows); i++) {
		config_defaults(&conf);
		conf.ignore_last_byte = key_rows[i].lastbyte;
		conf.greylist_by_ip_only = key_rows[i].iponly;
		conf.greylist_null_sender = key_rows[i].nullsender;
		conf.greylist_no_recipient = key_rows[i].norcpt;
		ROW_CHECK(key_rows[i].name, policy_greylist_key(&conf,
		    key_rows[i].client, key_rows[i].sender,
		    key_rows[i].recipient, &k, &why) == key_rows[i].rc);
		if (key_rows[i].rc)
			continue;
		addr_format_net(&k.client, net, sizeof(net));
		if (strcmp(net, key_rows[i].net) != 0)
			ROW_FAIL(key_rows[i].name, "client %s", net);
		ROW_CHECK(key_rows[i].name, k.kind == (key_rows[i].iponly
		    ? KEY_IPONLY : KEY_TRIPLET));
	}
}

static void
test_reply(void **state)
{
	struct policy_result r;
	char buf[600];

	(void)state;
	policy_set(&r, POLICY_DEFER, POLICY_TEXT_NEW);
	policy_reply(&r, buf, sizeof(buf));
	assert_string_equal(buf, "defer_if_permit Service unavailable, "
	    "greylisted (http://projects.puremagic.com/greylisting/).");
	policy_set(&r, POLICY_REJECT, POLICY_TEXT_BLACKHOLE);
	policy_reply(&r, buf, sizeof(buf));
	assert_string_equal(buf, "550 Service unavailable, blackholed.");
	policy_set(&r, POLICY_NONE, "");
	policy_reply(&r, buf, sizeof(buf));
	assert_string_equal(buf, "dunno");
	policy_set(&r, POLICY_RAW, "defer_if_permit x");
	policy_reply(&r, buf, sizeof(buf));
	assert_string_equal(buf, "defer_if_permit x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greylist),
		cmocka_unit_test(test_checkers),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_reply),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
