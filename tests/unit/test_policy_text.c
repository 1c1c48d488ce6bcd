/*
 * NAME
 *	test_policy_text - unit tests for template.c and policy_text.c,
 *	and the X-Greylist header's place (policy_state_finish())
 * DESCRIPTION
 *	Templates: which are accepted, what they expand to, and that
 *	nothing from the client reaches a reply unfiltered. The greylist
 *	reply: the defaults leave the original's reply untouched; the
 *	action and the text as configured; seconds left rounded up. The
 *	X-Greylist header: postgrey's form; a first pass's delay
 *	(policy_greylist()); one header per message, on its first request
 *	with nothing else to say.
 */

#include "testlib.h"

#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "policy.h"
#include "policy_text.h"
#include "template.h"

#define S(s)	((int64_t)(s) * 1000000)
#define T0	((int64_t)1795852800 * 1000000)	/* 2026-11-28 08:00 UTC */

static const struct {
	const char *tmpl, *letters;
	int	ok;
} check_rows[] = {
	{"Greylisted, see http://x/%r.html", "sr", 1},
	{"%s seconds, %r, %a, %h, 100%%", CONFIG_TEXT_VARS, 1},
	{"", "s", 1},
	{"%x", "sr", 0},
	{"trailing %", "sr", 0},
	{"tab\there", "sr", 0},
	{"newline\n", "sr", 0},
	{"\xc3\xa9", "sr", 0},
	{"%t %v %h %d", CONFIG_HEADER_VARS, 1},
	{"%s", CONFIG_HEADER_VARS, 0},
};

static void
test_check(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(check_rows); i++)
		ROW_CHECK(check_rows[i].tmpl, (template_check(
		    check_rows[i].tmpl, check_rows[i].letters) == 0)
		    == check_rows[i].ok);
}

static const struct {
	const char *tmpl, *s, *r;
	size_t	size;
	const char *want;
} expand_rows[] = {
	{"a %s b %r c", "30", "example.org", 64, "a 30 b example.org c"},
	{"%r%r", "1", "x", 64, "xx"},			/* every one */
	{"100%% %s", "5", "x", 64, "100% 5"},
	{"%s", NULL, "x", 64, ""},			/* no value */
	{"%q", "1", "x", 64, ""},			/* no such variable */
	{"end %", "1", "x", 64, "end %"},
	{"%r", "1", "a\r\nX-Evil: 1", 64, "a??X-Evil: 1"},
	{"%r", "1", "tab\there\x7f\xff", 64, "tab?here??"},
	{"abcdef", "1", "x", 4, "abc"},			/* cut to the buffer */
	{"%r!", "1", "abcdef", 5, "abcd"},
	{"x", "1", "x", 1, ""},
};

static void
test_expand(void **state)
{
	struct template_var v[2];
	char buf[128], big[600];
	size_t i, n;

	(void)state;
	for (i = 0; i < NROWS(expand_rows); i++) {
		v[0].letter = 's', v[0].value = expand_rows[i].s;
		v[1].letter = 'r', v[1].value = expand_rows[i].r;
		n = template_expand(expand_rows[i].tmpl, v, 2, buf,
		    expand_rows[i].size);
		if (strcmp(buf, expand_rows[i].want) != 0 || n != strlen(buf))
			ROW_FAIL(expand_rows[i].tmpl, "got \"%s\" (%zu)", buf,
			    n);
	}
	/* A value is cut to TEMPLATE_VALUE_MAX bytes. */
	memset(big, 'd', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	v[1].value = big;
	n = template_expand("<%r>", v, 2, big + 0, 0);
	assert_int_equal(n, 0);
	{
		char out[1024];

		n = template_expand("<%r>", v, 2, out, sizeof(out));
		assert_int_equal(n, TEMPLATE_VALUE_MAX + 2);
		assert_int_equal(out[TEMPLATE_VALUE_MAX + 1], '>');
	}
}

static void
test_defer(void **state)
{
	struct policy_result r;
	struct config conf;

	(void)state;
	config_defaults(&conf);
	/* Defaults: the original's reply, untouched. */
	policy_set(&r, POLICY_DEFER, POLICY_TEXT_NEW);
	policy_text_defer(&conf, S(600), "b@example.org", "192.0.2.1",
	    "mx.test", &r);
	assert_int_equal(r.value, POLICY_DEFER);
	assert_string_equal(r.text, POLICY_TEXT_NEW);
	/* The action alone: the original's text after it. */
	strcpy(conf.greylist_action, "450 4.7.1");
	policy_text_defer(&conf, S(600), "b@example.org", "192.0.2.1",
	    "mx.test", &r);
	assert_int_equal(r.value, POLICY_RAW);
	assert_string_equal(r.text, "450 4.7.1 " POLICY_TEXT_NEW);
	/* postgrey's text; seconds rounded up; the last @'s domain. */
	strcpy(conf.greylist_action, "DEFER_IF_PERMIT");
	strcpy(conf.greylist_text, "Greylisted, see "
	    "http://postgrey.schweikert.ch/help/%r.html (%s s, %a at %h)");
	policy_set(&r, POLICY_DEFER, POLICY_TEXT_PENDING);
	policy_text_defer(&conf, S(295) - 1, "\"a@b\"@Example.ORG",
	    "2001:db8::1", "mx.test", &r);
	assert_string_equal(r.text, "DEFER_IF_PERMIT Greylisted, see "
	    "http://postgrey.schweikert.ch/help/Example.ORG.html (295 s, "
	    "2001:db8::1 at mx.test)");
	/* No recipient: no domain. */
	strcpy(conf.greylist_text, "[%r]");
	policy_set(&r, POLICY_DEFER, POLICY_TEXT_PENDING);
	policy_text_defer(&conf, S(1), NULL, NULL, "mx.test", &r);
	assert_string_equal(r.text, "DEFER_IF_PERMIT []");
	/* Only a defer is touched. */
	policy_set(&r, POLICY_REJECT, "550 x");
	policy_text_defer(&conf, S(1), "b@x", "192.0.2.1", "mx.test", &r);
	assert_int_equal(r.value, POLICY_REJECT);
	assert_string_equal(r.text, "550 x");
}

static void
test_header(void **state)
{
	struct config conf;
	char buf[POLICY_TEXT_MAX];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	config_defaults(&conf);
	policy_text_header(&conf, S(605) + 999999, T0 + S(3600), "mx.test",
	    buf, sizeof(buf));
	assert_string_equal(buf, "X-Greylist: delayed 605 seconds by greyspf-"
	    GREYSPF_VERSION " at mx.test; Sat, 28 Nov 2026 09:00:00 +0000");
	strcpy(conf.x_greylist_format, "X-Delay: %t");
	policy_text_header(&conf, S(7), T0, "mx.test", buf, sizeof(buf));
	assert_string_equal(buf, "X-Delay: 7");
}

/* policy_greylist(): seconds left, and the first pass's delay. */
static void
test_decision(void **state)
{
	struct grey_facts f;
	struct grey_decision d;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.now = T0;
	f.greylist_us = S(300);
	policy_greylist(&f, &d);
	assert_true(d.left_us == S(300) && !d.first_pass);
	f.have = 1;
	f.old = d.rec;
	f.now = T0 + S(100);
	policy_greylist(&f, &d);
	assert_true(d.event == GREY_PENDING && d.left_us == S(200));
	f.now = T0 + S(400);
	policy_greylist(&f, &d);
	assert_true(d.event == GREY_ALLOWED && d.first_pass
	    && d.delay_us == S(400));
	f.old = d.rec;
	f.now = T0 + S(500);
	policy_greylist(&f, &d);
	assert_true(d.event == GREY_ALLOWED && !d.first_pass);
}

/*
 * Where the X-Greylist header goes: each row is one request, in order,
 * on one connection. spf: the chain's reply is the SPF header; defer:
 * it is a defer; xg: this request is a first pass. want: the reply.
 */
static const struct {
	const char *name, *instance;
	int	spf, defer, xg;
	const char *want;	/* "X", "SPF", "defer" or "dunno" */
} place_rows[] = {
	{"alone: on the pass", "m1", 0, 0, 1, "X"},
	{"once a message", "m1", 0, 0, 1, "dunno"},
	{"not again on the next recipient", "m1", 0, 0, 0, "dunno"},
	{"SPF first", "m2", 1, 0, 1, "SPF"},
	{"then X on the next recipient", "m2", 1, 0, 0, "X"},
	{"and nothing more", "m2", 0, 0, 0, "dunno"},
	{"a defer keeps it waiting", "m3", 0, 1, 1, "defer"},
	{"the SPF header first, X still waits", "m3", 1, 0, 0, "SPF"},
	{"SPF header again is dropped, X given", "m3", 1, 0, 0, "X"},
	{"SPF on a single-recipient message", "m4", 1, 0, 1, "SPF"},
	{"next message: m4's is lost", "m5", 0, 0, 0, "dunno"},
	{"no instance: on the pass", NULL, 0, 0, 1, "X"},
	{"no instance, with SPF: lost", NULL, 1, 0, 1, "SPF"},
	{"no instance after: nothing waits", NULL, 0, 0, 0, "dunno"},
};

static void
test_place(void **state)
{
	struct policy_result spf, defer, none;
	struct policy_state st;
	struct policy_seen seen;
	struct config conf;
	const char *got;
	size_t i;

	(void)state;
	config_defaults(&conf);
	memset(&seen, 0, sizeof(seen));
	policy_set(&spf, POLICY_PREPEND, "Received-SPF: pass");
	policy_set(&defer, POLICY_DEFER, "grey");
	policy_set(&none, POLICY_NONE, "");
	for (i = 0; i < NROWS(place_rows); i++) {
		policy_state_init(&st, &conf, 0);
		policy_state_add(&st, CHECKER_SPF, place_rows[i].spf ? &spf
		    : &none, POLICY_SPF_OTHER);
		policy_state_add(&st, CHECKER_GREYLIST, place_rows[i].defer
		    ? &defer : &none, POLICY_SPF_UNCHECKED);
		if (place_rows[i].xg)
			strcpy(st.xgrey, "X-Greylist: delayed 1 seconds");
		policy_state_finish(&st, &seen, place_rows[i].instance);
		got = st.cur.value == POLICY_DEFER ? "defer"
		    : st.cur.value == POLICY_NONE ? "dunno"
		    : strncmp(st.cur.text, "X-Greylist", 10) == 0 ? "X"
		    : "SPF";
		if (strcmp(got, place_rows[i].want) != 0)
			ROW_FAIL(place_rows[i].name, "got %s", got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_defer),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_place),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
