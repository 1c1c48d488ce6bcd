/*
 * NAME
 *	test_policy - unit tests for the pure decision core
 * DESCRIPTION
 *	Every greylist transition at an injected time (no sleep), the
 *	write policy, CHECKERS parsing, tumgreyspf's chain rule, the key
 *	(grouping, IP-only, bounces), and the reply texts byte for byte.
 *	The rules service.c once held: the checker chain's state (an SPF
 *	pass skipping greylisting, SPFSEEDONLY, a store error), the header
 *	once per message, and the spf checker's plan (its skips, HELO
 *	first, stopping after a HELO reject or defer, the stand-in HELO).
 */

#include "testlib.h"

#include "policy.h"
#include "policy_plan.h"

#define S(x)	((int64_t)(x) * 1000000)
#define T0	S(1795235937)

static struct grey_decision
grey_window(int have, struct greyrec old, int64_t now, int64_t gl,
    int64_t window)
{
	struct grey_facts f = {have, old, now, gl, 0, window, 0};
	struct grey_decision d;

	policy_greylist(&f, &d);
	return (d);
}

static struct grey_decision
grey(int have, struct greyrec old, int64_t now, int64_t gl, int seed)
{
	struct grey_facts f = {have, old, now, gl, seed, 0, 0};
	struct grey_decision d;

	policy_greylist(&f, &d);
	return (d);
}

static void
test_greylist(void **state)
{
	struct greyrec none = {0, 0, 0, 0, 0, 0}, r;
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
	/* The first pass, and its time kept (record version 2). */
	assert_true(d.first_pass && d.rec.pass_us == T0 + S(600));
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
	/* Later passes keep the first one's time. */
	assert_true(!d.first_pass && d.rec.pass_us == T0 + S(600));
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

static void
test_reply_max(void **state)
{
	static const struct {
		enum policy_value value;
		const char *prefix;
	} rows[] = {
		{POLICY_REJECT, POLICY_PREFIX_REJECT},
		{POLICY_DEFER, POLICY_PREFIX_DEFER},
		{POLICY_PREPEND, POLICY_PREFIX_PREPEND},
		{POLICY_RAW, ""},
	};
	char text[POLICY_TEXT_MAX], buf[POLICY_ACTION_MAX];
	struct policy_result r;
	size_t i;

	(void)state;
	/* The longest text after each prefix fits whole. */
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	for (i = 0; i < NROWS(rows); i++) {
		policy_set(&r, rows[i].value, text);
		policy_reply(&r, buf, sizeof(buf));
		ROW_CHECK(rows[i].prefix, strlen(buf) == strlen(rows[i].prefix)
		    + sizeof(text) - 1);
		ROW_CHECK(rows[i].prefix, buf[strlen(buf) - 1] == 'x');
	}
}

/*
 * The chain's state, row by row: each checker's canned result (spf's
 * with what it checked), the checkers that ran, and the reply.
 */
#define STORE_ERROR	(-1)

static const struct {
	const char *name, *checkers;
	int	seed_only, pass_skips;
	enum policy_spf_outcome spf;
	int	spf_value, grey_value, bh_value;
	const char *ran, *reply;
} state_rows[] = {
	{"spf header survives greylisting's no decision", "spf,greylist",
	    0, 0, POLICY_SPF_OTHER, POLICY_PREPEND, POLICY_NONE, 0,
	    "spf,greylist", "prepend spf"},
	{"greylisting defers after an spf header", "spf,greylist", 0, 0,
	    POLICY_SPF_OTHER, POLICY_PREPEND, POLICY_DEFER, 0,
	    "spf,greylist", "defer_if_permit grey"},
	{"spfPassSkipsGreylist: a pass skips greylisting", "spf,greylist",
	    0, 1, POLICY_SPF_PASSED, POLICY_PREPEND, POLICY_DEFER, 0, "spf",
	    "prepend spf"},
	{"a pass without spfPassSkipsGreylist is greylisted",
	    "spf,greylist", 0, 0, POLICY_SPF_PASSED, POLICY_PREPEND,
	    POLICY_DEFER, 0, "spf,greylist", "defer_if_permit grey"},
	{"spfPassSkipsGreylist: no pass, greylisted", "spf,greylist", 0, 1,
	    POLICY_SPF_OTHER, POLICY_PREPEND, POLICY_DEFER, 0, "spf,greylist",
	    "defer_if_permit grey"},
	{"spfPassSkipsGreylist: nothing checked, greylisted",
	    "spf,greylist", 0, 1, POLICY_SPF_UNCHECKED, POLICY_NONE,
	    POLICY_DEFER, 0, "spf,greylist", "defer_if_permit grey"},
	{"spfPassSkipsGreylist: greylist first is not skipped",
	    "greylist,spf", 0, 1, POLICY_SPF_PASSED, POLICY_PREPEND,
	    POLICY_DEFER, 0, "greylist", "defer_if_permit grey"},
	{"SPFSEEDONLY clears the pass", "spf,greylist", 1, 1,
	    POLICY_SPF_PASSED, POLICY_PREPEND, POLICY_DEFER, 0,
	    "spf,greylist", "defer_if_permit grey"},
	{"SPFSEEDONLY: an spf reject decides nothing", "spf,greylist", 1, 0,
	    POLICY_SPF_OTHER, POLICY_REJECT, POLICY_NONE, 0, "spf,greylist",
	    "dunno"},
	{"an spf reject ends the chain", "spf,greylist", 0, 0,
	    POLICY_SPF_OTHER, POLICY_REJECT, POLICY_DEFER, 0, "spf",
	    "550 spf"},
	{"a store error ends the chain with storeErrorAction",
	    "spf,greylist,blackhole", 0, 0, POLICY_SPF_OTHER, POLICY_PREPEND,
	    STORE_ERROR, POLICY_REJECT, "spf,greylist", "store error"},
	{"a store error first", "greylist,spf", 0, 0, POLICY_SPF_PASSED,
	    POLICY_PREPEND, STORE_ERROR, 0, "greylist", "store error"},
	{"a blackhole reject ends the chain", "blackhole,greylist", 0, 0,
	    POLICY_SPF_OTHER, POLICY_NONE, POLICY_DEFER, POLICY_REJECT,
	    "blackhole", "550 bh"},
	{"no checkers: no decision", "", 0, 0, POLICY_SPF_OTHER,
	    POLICY_REJECT, POLICY_REJECT, POLICY_REJECT, "", "dunno"},
};

static void
test_state(void **state)
{
	enum checker c[POLICY_CHECKERS_MAX];
	static const char *const names[] = {"greylist", "spf", "blackhole"};
	struct policy_result res;
	struct policy_state st;
	struct policy_seen seen;
	struct config conf;
	char ran[128], reply[POLICY_ACTION_MAX];
	size_t i;
	int j, n, value;

	(void)state;
	for (i = 0; i < NROWS(state_rows); i++) {
		config_defaults(&conf);
		conf.spf_pass_skips_greylist = state_rows[i].pass_skips;
		memset(&seen, 0, sizeof(seen));
		ran[0] = 0;
		n = policy_checkers(state_rows[i].checkers, c,
		    POLICY_CHECKERS_MAX);
		policy_state_init(&st, &conf, state_rows[i].seed_only);
		for (j = 0; j < n && !st.done; j++) {
			policy_set(&res, POLICY_NONE, "");
			if (!policy_state_runs(&st, c[j])) {
				policy_state_add(&st, c[j], &res,
				    POLICY_SPF_UNCHECKED);
				continue;
			}
			snprintf(ran + strlen(ran), sizeof(ran) - strlen(ran),
			    "%s%s", ran[0] ? "," : "", names[c[j]]);
			value = c[j] == CHECKER_SPF ? state_rows[i].spf_value
			    : c[j] == CHECKER_GREYLIST
			    ? state_rows[i].grey_value : state_rows[i].bh_value;
			if (value == STORE_ERROR) {
				policy_state_fail(&st, "store error");
				continue;
			}
			policy_set(&res, (enum policy_value)value,
			    c[j] == CHECKER_SPF ? "spf" : c[j] == CHECKER_GREYLIST
			    ? "grey" : "bh");
			policy_state_add(&st, c[j], &res, c[j] == CHECKER_SPF
			    ? state_rows[i].spf : POLICY_SPF_UNCHECKED);
		}
		policy_state_finish(&st, &seen, NULL);
		policy_reply(&st.cur, reply, sizeof(reply));
		if (strcmp(ran, state_rows[i].ran) != 0)
			ROW_FAIL(state_rows[i].name, "ran \"%s\"", ran);
		if (strcmp(reply, state_rows[i].reply) != 0)
			ROW_FAIL(state_rows[i].name, "reply \"%s\"", reply);
	}
}

static void
test_header_once(void **state)
{
	struct policy_state st;
	struct policy_seen seen;
	struct config conf;
	struct policy_result hdr;
	char inst[80];
	int i;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	/* No instance, or one too long to remember: always a header. */
	assert_int_equal(policy_header_once(&seen, NULL), 1);
	assert_int_equal(policy_header_once(&seen, NULL), 1);
	assert_int_equal(policy_header_once(&seen, ""), 1);
	assert_int_equal(policy_header_once(&seen, ""), 1);
	memset(inst, 'i', sizeof(inst));
	inst[POLICY_INSTANCE_MAX] = 0;
	assert_int_equal(policy_header_once(&seen, inst), 1);
	assert_int_equal(policy_header_once(&seen, inst), 1);
	inst[POLICY_INSTANCE_MAX - 1] = 0;
	assert_int_equal(policy_header_once(&seen, inst), 1);
	assert_int_equal(policy_header_once(&seen, inst), 0);
	/* One header per message; messages apart. */
	assert_int_equal(policy_header_once(&seen, "m1"), 1);
	assert_int_equal(policy_header_once(&seen, "m1"), 0);
	assert_int_equal(policy_header_once(&seen, "m2"), 1);
	assert_int_equal(policy_header_once(&seen, "m1"), 0);
	/* Bounded: POLICY_INSTANCES later messages push m1 out. */
	for (i = 0; i < POLICY_INSTANCES; i++) {
		snprintf(inst, sizeof(inst), "n%d", i);
		assert_int_equal(policy_header_once(&seen, inst), 1);
	}
	assert_int_equal(policy_header_once(&seen, "n1"), 0);
	assert_int_equal(policy_header_once(&seen, "m1"), 1);
	/* The chain's end: a header dropped for a message that had one;
	 * another reply leaves the memory alone. */
	config_defaults(&conf);
	memset(&seen, 0, sizeof(seen));
	policy_set(&hdr, POLICY_PREPEND, "Received-SPF: pass");
	policy_state_init(&st, &conf, 0);
	policy_state_add(&st, CHECKER_SPF, &hdr, POLICY_SPF_PASSED);
	policy_state_finish(&st, &seen, "m1");
	assert_int_equal(st.cur.value, POLICY_PREPEND);
	policy_state_init(&st, &conf, 0);
	policy_state_add(&st, CHECKER_SPF, &hdr, POLICY_SPF_PASSED);
	policy_state_finish(&st, &seen, "m1");
	assert_int_equal(st.cur.value, POLICY_NONE);
	policy_state_fail(&st, "defer_if_permit x");
	policy_state_finish(&st, &seen, "m3");
	assert_int_equal(st.cur.value, POLICY_RAW);
	assert_int_equal(policy_header_once(&seen, "m3"), 1);
}

/*
 * The spf checker's plan: each query as "identity sender helo", the
 * client as checked.
 */
static const struct {
	const char *name, *client, *sender, *helo;
	int	helo_check;
	const char *trusted, *ent_trusted;
	enum policy_plan_skip skip;
	const char *q0, *q1, *client_text;
} plan_rows[] = {
	{"no client", NULL, "u@a.example", "mx.b.example", 0, "", "",
	    PLAN_NO_CLIENT, NULL, NULL, NULL},
	{"empty client", "", "u@a.example", "mx.b.example", 0, "", "",
	    PLAN_NO_CLIENT, NULL, NULL, NULL},
	{"client not an address", "mx.example", "u@a.example", NULL, 0, "",
	    "", PLAN_NO_CLIENT, NULL, NULL, NULL},
	{"loopback IPv4", "127.0.0.2", "u@a.example", NULL, 0, "", "",
	    PLAN_LOOPBACK, NULL, NULL, NULL},
	{"loopback IPv6", "::1", "u@a.example", NULL, 0, "", "",
	    PLAN_LOOPBACK, NULL, NULL, NULL},
	{"loopback before trust", "127.0.0.1", "u@a.example", NULL, 0,
	    "127.0.0.0/8", "", PLAN_LOOPBACK, NULL, NULL, NULL},
	{"spfTrustedRelays", "192.0.2.9", "u@a.example", NULL, 0,
	    "198.51.100.1, 192.0.2.0/24", "", PLAN_TRUSTED, NULL, NULL, NULL},
	{"SPFTRUSTEDRELAYS, IPv6", "2001:db8:77::1", "u@a.example", NULL, 0,
	    "", "2001:db8:77::/48", PLAN_TRUSTED, NULL, NULL, NULL},
	{"trusted relays elsewhere: checked", "203.0.113.5", "u@a.example",
	    NULL, 0, "192.0.2.0/24", "2001:db8:77::/48", PLAN_CHECK,
	    "mailfrom u@a.example a.example", NULL, "203.0.113.5"},
	{"no sender, no HELO", "203.0.113.5", "", NULL, 0, "", "",
	    PLAN_NO_IDENTITY, NULL, NULL, NULL},
	{"no sender attribute, empty HELO", "203.0.113.5", NULL, "", 1, "",
	    "", PLAN_NO_IDENTITY, NULL, NULL, NULL},
	{"sender only: its domain stands in for HELO", "203.0.113.5",
	    "u@a.example", NULL, 0, "", "", PLAN_CHECK,
	    "mailfrom u@a.example a.example", NULL, "203.0.113.5"},
	{"sender without @: unknown stands in", "203.0.113.5", "nodomain",
	    "", 0, "", "", PLAN_CHECK, "mailfrom nodomain unknown", NULL,
	    "203.0.113.5"},
	{"sender and HELO: MAIL FROM only", "203.0.113.5", "u@a.example",
	    "mx.b.example", 0, "", "", PLAN_CHECK,
	    "mailfrom u@a.example mx.b.example", NULL, "203.0.113.5"},
	{"spfHeloCheck: HELO first, then MAIL FROM", "2001:db8:5::9",
	    "u@a.example", "mx.b.example", 1, "", "", PLAN_CHECK,
	    "helo postmaster@mx.b.example mx.b.example",
	    "mailfrom u@a.example mx.b.example", "2001:db8:5::9"},
	{"spfHeloCheck without HELO: MAIL FROM, stand-in", "203.0.113.5",
	    "u@a.example", NULL, 1, "", "", PLAN_CHECK,
	    "mailfrom u@a.example a.example", NULL, "203.0.113.5"},
	{"null sender: HELO alone", "203.0.113.5", "", "mx.b.example", 0, "",
	    "", PLAN_CHECK, "helo postmaster@mx.b.example mx.b.example", NULL,
	    "203.0.113.5"},
	{"null sender, spfHeloCheck: HELO alone", "203.0.113.5", NULL,
	    "mx.b.example", 1, "", "", PLAN_CHECK,
	    "helo postmaster@mx.b.example mx.b.example", NULL, "203.0.113.5"},
	{"IPv4-mapped client: checked as IPv4", "::ffff:203.0.113.5",
	    "u@a.example", NULL, 0, "", "", PLAN_CHECK,
	    "mailfrom u@a.example a.example", NULL, "203.0.113.5"},
};

/* plan_query - "identity sender helo" */

static void
plan_query(const struct spf_query *q, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s %s", q->identity == SPF_ID_HELO ? "helo"
	    : "mailfrom", q->sender, q->helo);
}

static void
test_plan(void **state)
{
	struct policy_plan plan;
	struct entity_conf ent;
	struct config conf;
	char buf[1024], long_sender[SPF_SENDER_MAX + 1];
	char long_helo[SPF_HELO_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(plan_rows); i++) {
		config_defaults(&conf);
		conf.spf_helo_check = plan_rows[i].helo_check;
		conf.spf_ntrusted = addr_parse_list(plan_rows[i].trusted,
		    conf.spf_trusted, CONFIG_NETS_MAX);
		memset(&ent, 0, sizeof(ent));
		ent.ntrusted = addr_parse_list(plan_rows[i].ent_trusted,
		    ent.trusted, ENTITY_NETS_MAX);
		ROW_CHECK(plan_rows[i].name, conf.spf_ntrusted >= 0
		    && ent.ntrusted >= 0);
		ROW_CHECK(plan_rows[i].name, policy_plan_spf(&conf, &ent,
		    plan_rows[i].client, plan_rows[i].sender,
		    plan_rows[i].helo, &plan) == plan_rows[i].skip);
		ROW_CHECK(plan_rows[i].name, plan.skip == plan_rows[i].skip);
		ROW_CHECK(plan_rows[i].name, plan.n == (plan_rows[i].q0 != NULL)
		    + (plan_rows[i].q1 != NULL));
		if (plan.n > 0) {
			plan_query(&plan.q[0], buf, sizeof(buf));
			if (strcmp(buf, plan_rows[i].q0) != 0)
				ROW_FAIL(plan_rows[i].name, "q0 \"%s\"", buf);
			addr_format(&plan.q[0].client, buf, sizeof(buf));
			if (strcmp(buf, plan_rows[i].client_text) != 0)
				ROW_FAIL(plan_rows[i].name, "client %s", buf);
		}
		if (plan.n > 1) {
			plan_query(&plan.q[1], buf, sizeof(buf));
			if (strcmp(buf, plan_rows[i].q1) != 0)
				ROW_FAIL(plan_rows[i].name, "q1 \"%s\"", buf);
		}
	}
	/* Lengths: what a query holds is checked, one byte more is not. */
	config_defaults(&conf);
	memset(&ent, 0, sizeof(ent));
	memset(long_sender, 'a', sizeof(long_sender));
	long_sender[0] = '@';
	long_sender[SPF_SENDER_MAX - 1] = 0;
	assert_int_equal(policy_plan_spf(&conf, &ent, "203.0.113.5",
	    long_sender, NULL, &plan), PLAN_CHECK);
	long_sender[SPF_SENDER_MAX - 1] = 'a';
	long_sender[SPF_SENDER_MAX] = 0;
	assert_int_equal(policy_plan_spf(&conf, &ent, "203.0.113.5",
	    long_sender, NULL, &plan), PLAN_TOO_LONG);
	memset(long_helo, 'h', sizeof(long_helo));
	long_helo[SPF_HELO_MAX - 1] = 0;
	conf.spf_helo_check = 1;
	assert_int_equal(policy_plan_spf(&conf, &ent, "203.0.113.5", "",
	    long_helo, &plan), PLAN_CHECK);
	assert_true(strncmp(plan.q[0].sender, "postmaster@hhh", 14) == 0
	    && strlen(plan.q[0].sender) == 11 + SPF_HELO_MAX - 1);
	long_helo[SPF_HELO_MAX - 1] = 'h';
	long_helo[SPF_HELO_MAX] = 0;
	assert_int_equal(policy_plan_spf(&conf, &ent, "203.0.113.5", "",
	    long_helo, &plan), PLAN_TOO_LONG);
}

static const struct {
	const char *name;
	int	helo_softfail;	/* spfHeloSoftfail, or -1: default */
	int	null_sender;
	int	i;
	enum spf_result r;
	int	next;
} next_rows[] = {
	{"HELO fail rejects: stop", -1, 0, 0, SPF_R_FAIL, 0},
	{"HELO temperror defers: stop", -1, 0, 0, SPF_R_TEMPERROR, 0},
	{"HELO softfail adds a header: go on", -1, 0, 0, SPF_R_SOFTFAIL, 1},
	{"HELO pass: go on", -1, 0, 0, SPF_R_PASS, 1},
	{"HELO none decides nothing: go on", -1, 0, 0, SPF_R_NONE, 1},
	{"spfHeloSoftfail = defer: stop", SPF_ACT_DEFER, 0, 0,
	    SPF_R_SOFTFAIL, 0},
	{"spfHeloSoftfail = dunno: go on", SPF_ACT_DUNNO, 0, 0,
	    SPF_R_SOFTFAIL, 1},
	{"after MAIL FROM: the end", -1, 0, 1, SPF_R_PASS, 0},
	{"null sender: HELO is the end", -1, 1, 0, SPF_R_PASS, 0},
};

static void
test_plan_next(void **state)
{
	struct policy_plan plan;
	struct entity_conf ent;
	struct config conf;
	size_t i;

	(void)state;
	memset(&ent, 0, sizeof(ent));
	for (i = 0; i < NROWS(next_rows); i++) {
		config_defaults(&conf);
		conf.spf_helo_check = 1;
		if (next_rows[i].helo_softfail >= 0)
			conf.spf_action[SPF_ID_HELO][SPF_R_SOFTFAIL] =
			    next_rows[i].helo_softfail;
		ROW_CHECK(next_rows[i].name, policy_plan_spf(&conf, &ent,
		    "192.0.2.9", next_rows[i].null_sender ? "" : "u@a.example",
		    "mx.b.example", &plan) == PLAN_CHECK);
		ROW_CHECK(next_rows[i].name, policy_plan_next(&conf, &plan,
		    next_rows[i].i, next_rows[i].r) == next_rows[i].next);
	}
}

/*
 * greylistRetryWindow: a triplet not yet passed whose retry comes more
 * than the window after it was first seen starts over; within it, or
 * once passed, or with no window (0), nothing changes.
 */
static void
test_retry_window(void **state)
{
	struct greyrec r = {T0, T0 + S(300), T0, 0, 0, 0};
	struct grey_decision d;

	(void)state;
	/* No window: a retry days later passes, as before. */
	d = grey_window(1, r, T0 + S(5 * 86400), S(300), 0);
	assert_int_equal(d.event, GREY_ALLOWED);
	assert_int_equal(d.rec.passes, 1);
	/* Within a 2-day window: passes. */
	d = grey_window(1, r, T0 + S(2 * 86400), S(300), S(2 * 86400));
	assert_int_equal(d.event, GREY_ALLOWED);
	/* A microsecond past it: new again, deferred, the clock restarted. */
	d = grey_window(1, r, T0 + S(2 * 86400) + 1, S(300), S(2 * 86400));
	assert_int_equal(d.event, GREY_INITIAL);
	assert_int_equal(d.result.value, POLICY_DEFER);
	assert_string_equal(d.result.text, POLICY_TEXT_NEW);
	assert_true(d.write && d.rec.first_us == T0 + S(2 * 86400) + 1
	    && d.rec.allow_us == d.rec.first_us + S(300)
	    && d.rec.passes == 0);
	/* Still pending when the window ends (window shorter than the
	 * delay): starts over too. */
	d = grey_window(1, r, T0 + S(200), S(300), S(100));
	assert_int_equal(d.event, GREY_INITIAL);
	/* Passed once: the window no longer applies. */
	r.passes = 1;
	d = grey_window(1, r, T0 + S(30 * 86400), S(300), S(2 * 86400));
	assert_int_equal(d.event, GREY_ALLOWED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greylist),
		cmocka_unit_test(test_retry_window),
		cmocka_unit_test(test_checkers),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_max),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_header_once),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_next),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
