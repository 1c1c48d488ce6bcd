/*
 * NAME
 *	test_spf - unit tests for greyspf's own SPF parts
 * DESCRIPTION
 *	The RFC 7208 record syntax check (each row a record and whether
 *	it is valid), the record handed to libspf2 for a client, macro
 *	expansion of explanations, which identity names are domains worth
 *	a lookup (RFC 7208 4.3), and the reply and header texts of
 *	policy_spf.c byte for byte; a daemon's worker pool woken with no
 *	outcome to read (spf_pool.c) does not block. The end-to-end
 *	conformance is test_spf_suites.sh.
 */

#include "testlib.h"

#include <sys/socket.h>

#include <signal.h>

#include "spf_engine.h"
#include "spf_macro.h"
#include "policy_spf.h"
#include "spf_record.h"
#include "spf_pool.h"

static struct spf_parsed parsed;

static void
test_parse(void **state)
{
	static const struct {
		const char *rec;
		int ok;
	} rows[] = {
		{"v=spf1", 1}, {"v=spf1 -all", 1}, {"V=SPF1 A MX -ALL", 1},
		{"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all", 1},
		{"v=spf1 ip4:1.1.1.1/0 a/0 mx//0 -all", 1},
		{"v=spf1 a:foo:bar/baz.example.com", 1},
		{"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", 1},
		{"v=spf1 moo.cow-far_out=man:dog/cat -all", 1},
		{"v=spf1 redirect=_spf.example.com", 1},
		{"v=spf1 foo=", 1},
		{"v=spf10", 0}, {"v=spf1 moo", 0}, {"v=spf1 -all.", 0},
		{"v=spf1 a:foo-bar", 0}, {"v=spf1 a:museum", 0},
		{"v=spf1 a:abc.123", 0}, {"v=spf1 a:", 0},
		{"v=spf1 ip4:1.2.3.4/032", 0}, {"v=spf1 ip4:1.2.3.4/33", 0},
		{"v=spf1 a//129", 0}, {"v=spf1 a/24/64", 0},
		{"v=spf1 ptr/0", 0}, {"v=spf1 include", 0},
		{"v=spf1 exp=a.example.com exp=b.example.com", 0},
		{"v=spf1 redirect=a.example.com redirect=a.example.com", 0},
		{"v=spf1 redirect:a.example.com", 0},
		{"v=spf1 exists:%(ir).example.com", 0},
		{"v=spf1 a:%{c}.example.com", 0},
		{"v=spf1 exists:%{d0}.example.com", 0},
		{"v=spf1 1up=foo", 0}, {"v=spf1 =all", 0},
		{"v=spf1 foo=%abc", 0},
	};
	/* NUL where a macro letter or a qualifier goes (found by fuzzing). */
	static const char nul1[] = "v=spf1 exists:%{\0}.example.com";
	static const char nul2[] = "v=spf1 \0all";
	struct netaddr a;
	char why[SPF_WHY_MAX];
	size_t i;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.9", &a), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ROW_CHECK(rows[i].rec, (spf_record_parse(rows[i].rec,
		    strlen(rows[i].rec), &a, &parsed, why, sizeof(why)) == 0)
		    == rows[i].ok);
	assert_int_equal(spf_record_parse(nul1, sizeof(nul1) - 1, &a,
	    &parsed, why, sizeof(why)), -1);
	assert_int_equal(spf_record_parse(nul2, sizeof(nul2) - 1, &a,
	    &parsed, why, sizeof(why)), -1);
}

static void
test_reduce(void **state)
{
	static const struct {
		const char *rec, *client, *want;
	} rows[] = {
		{"v=spf1 ip4:10.0.0.0/8 ip4:192.0.2.0/24 a -all", "192.0.2.9",
		    "v=spf1 all"},
		{"v=spf1 -ip4:192.0.2.0/24 a -all", "192.0.2.9",
		    "v=spf1 -all"},
		{"v=spf1 ip6:2001:db8::/32 a mx/24//64 -all", "192.0.2.9",
		    "v=spf1 a mx/24 -all"},
		{"v=spf1 a mx/24//64 ~all", "2001:db8::1",
		    "v=spf1 a mx//64 ~all"},
		{"v=spf1 ip4:0.0.0.0/0", "192.0.2.9", "v=spf1 all"},
		{"v=spf1 a/0 -all", "192.0.2.9", "v=spf1 exists:%{d} -all"},
		{"v=spf1 a//0 -all", "2001:db8::1",
		    "v=spf1 a:%{d}" SPF_ANY_SUFFIX " -all"},
		{"v=spf1 redirect=r.example.com ip4:1.2.3.4 x=y", "192.0.2.9",
		    "v=spf1 redirect=r.example.com"},
		{"v=spf1 redirect=r.example.com -all", "192.0.2.9",
		    "v=spf1 -all"},
		{"v=spf1 exp=e.example.com ?all", "192.0.2.9",
		    "v=spf1 ?all exp=e.example.com"},
		/* A match ends the record: redirect= is not reached. */
		{"v=spf1 ip4:192.0.2.0/24 a redirect=r.example.com",
		    "192.0.2.9", "v=spf1 all"},
		/* The 11th DNS-querying term is a permerror: none after it. */
		{"v=spf1 a mx ptr exists:%{i}.x.example include:i.example a a a "
		    "a a a:b.example ip4:192.0.2.9 -all redirect=r.example",
		    "192.0.2.9", "v=spf1 a mx ptr exists:%{i}.x.example "
		    "include:i.example a a a a a a:b.example"},
		{"v=spf1 a a a a a a a a a a -all redirect=r.example",
		    "192.0.2.9", "v=spf1 a a a a a a a a a a -all"},
	};
	struct netaddr a;
	char why[SPF_WHY_MAX], out[512];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(addr_parse(rows[i].client, &a), 0);
		assert_int_equal(spf_record_parse(rows[i].rec,
		    strlen(rows[i].rec), &a, &parsed, why, sizeof(why)), 0);
		assert_int_equal(spf_record_reduce(&parsed, &a, NULL, NULL,
		    out, sizeof(out), &n), 0);
		ROW_CHECK(rows[i].rec, strcmp(out, rows[i].want) == 0);
	}
}

struct names {
	char	log[512];	/* the specs asked for, "spec/any " each */
	int	n, none;	/* names given; none: give none */
};

/* test_name - a spf_name_fn: "nN", and a log of what it was asked */

static const char *
test_name(void *arg, const char *spec, size_t len, int any)
{
	static char name[16];
	struct names *nm = arg;
	size_t used = strlen(nm->log);

	snprintf(nm->log + used, sizeof(nm->log) - used, "%.*s/%d ",
	    (int)len, spec, any);
	if (nm->none)
		return (NULL);
	snprintf(name, sizeof(name), "n%d", nm->n++);
	return (name);
}

/* test_reduce_names - which domain-specs go by another name, and how */

static void
test_reduce_names(void **state)
{
	static const struct {
		const char *rec, *client, *want, *log;
		int none;
	} rows[] = {
		{"v=spf1 include:i.example a:a.example/24 mx:m.example "
		    "exists:%{i}.e.example ptr:p.example -all", "192.0.2.9",
		    "v=spf1 include:n0 a:n1/24 mx:n2 exists:n3 ptr:p.example "
		    "-all",
		    "i.example/0 a.example/0 m.example/0 %{i}.e.example/0 ", 0},
		{"v=spf1 a a/24 mx//64 -all", "2001:db8::1",
		    "v=spf1 a a mx//64 -all", "", 0},
		{"v=spf1 a/0 mx:m.example/0 -all", "192.0.2.9",
		    "v=spf1 exists:n0 mx:n1 -all", "%{d}/0 m.example/1 ", 0},
		{"v=spf1 a//0 -all", "2001:db8::1", "v=spf1 a:n0 -all",
		    "%{d}/1 ", 0},
		{"v=spf1 ip4:198.51.100.1 redirect=r.example exp=e.example",
		    "192.0.2.9", "v=spf1 redirect=n0 exp=e.example",
		    "r.example/0 ", 0},
		/* No name given: the spec as it is. */
		{"v=spf1 include:i.example mx:m.example//0 -all", "2001:db8::1",
		    "v=spf1 include:i.example mx:m.example" SPF_ANY_SUFFIX
		    " -all", "i.example/0 m.example/1 ", 1},
	};
	struct names nm;
	struct netaddr a;
	char why[SPF_WHY_MAX], out[512];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&nm, 0, sizeof(nm));
		nm.none = rows[i].none;
		assert_int_equal(addr_parse(rows[i].client, &a), 0);
		assert_int_equal(spf_record_parse(rows[i].rec,
		    strlen(rows[i].rec), &a, &parsed, why, sizeof(why)), 0);
		assert_int_equal(spf_record_reduce(&parsed, &a, test_name,
		    &nm, out, sizeof(out), &n), 0);
		ROW_CHECK(rows[i].rec, strcmp(out, rows[i].want) == 0);
		ROW_CHECK(rows[i].rec, strcmp(nm.log, rows[i].log) == 0);
	}
}

/*
 * test_record_big - a record as long as a TXT answer can carry: checked
 * whole, and what is kept of it is bounded whatever its length
 */

static void
test_record_big(void **state)
{
	static char rec[SPF_RECORD_MAX + 2];
	struct netaddr a;
	char why[SPF_WHY_MAX], out[512];
	size_t len;
	int n, i;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.9", &a), 0);
	/* Networks to the end, then an include and -all. */
	strcpy(rec, "v=spf1");
	for (i = 0; (len = strlen(rec)) + 60 < SPF_RECORD_MAX; i++)
		snprintf(rec + len, sizeof(rec) - len, " ip4:10.%d.%d.0/24",
		    i / 256 % 256, i % 256);
	snprintf(rec + len, sizeof(rec) - len, " include:i.example -all");
	assert_true(strlen(rec) > SPF_RECORD_MAX - 60);
	assert_int_equal(spf_record_parse(rec, strlen(rec), &a, &parsed,
	    why, sizeof(why)), 0);
	assert_int_equal(parsed.nterms, 2);
	assert_int_equal(spf_record_reduce(&parsed, &a, NULL, NULL, out,
	    sizeof(out), &n), 0);
	assert_string_equal(out, "v=spf1 include:i.example -all");
	/* A syntax error at the very end still counts. */
	rec[strlen(rec) - 4] = '=';
	assert_int_equal(spf_record_parse(rec, strlen(rec), &a, &parsed,
	    why, sizeof(why)), -1);
	/* 30000 "a" terms: eleven kept. */
	strcpy(rec, "v=spf1");
	for (i = 0; i < 30000; i++)
		strcat(rec + 6 + 2 * i, " a");
	assert_int_equal(spf_record_parse(rec, strlen(rec), &a, &parsed,
	    why, sizeof(why)), 0);
	assert_int_equal(parsed.nterms, SPF_TERMS_LIMIT + 1);
	/* Past SPF_RECORD_MAX: a permerror. */
	memset(rec + 6, ' ', SPF_RECORD_MAX - 5);
	rec[SPF_RECORD_MAX + 1] = 0;
	assert_int_equal(spf_record_parse(rec, strlen(rec), &a, &parsed,
	    why, sizeof(why)), -1);
}

static void
test_macro(void **state)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"%{s}", "strong-bad@email.example.com"},
		{"%{o}", "email.example.com"},
		{"%{d}", "email.example.com"},
		{"%{d4}", "email.example.com"},
		{"%{d2}", "example.com"},
		{"%{d1}", "com"},
		{"%{dr}", "com.example.email"},
		{"%{d2r}", "example.email"},
		{"%{l}", "strong-bad"},
		{"%{l-}", "strong.bad"},
		{"%{lr}", "strong-bad"},
		{"%{lr-}", "bad.strong"},
		{"%{l1r-}", "strong"},
		{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{"%{d2}.trusted-domains.example.net",
		    "example.com.trusted-domains.example.net"},
		{"%{S}", "strong-bad%40email.example.com"},
		{"Mail from %{i} %_%% refused", "Mail from 192.0.2.3  % refused"},
		{"%{t}", "1795235937"},
		{"%{r}", "mx.example.org"},
	};
	struct spf_macro_ctx mc;
	struct netaddr a;
	char out[SPF_EXP_MAX], many[420];
	size_t i;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.3", &a), 0);
	memset(&mc, 0, sizeof(mc));
	mc.sender = "strong-bad@email.example.com";
	mc.domain = "email.example.com";
	mc.helo = "mx.example.com";
	mc.receiver = "mx.example.org";
	mc.client = &a;
	mc.now = 1795235937;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(spf_macro_expand(rows[i].in,
		    strlen(rows[i].in), 1, &mc, out, sizeof(out)), 0);
		ROW_CHECK(rows[i].in, strcmp(out, rows[i].want) == 0);
	}
	/* Errors: bad escapes; c/r/t outside an explanation; overflow. */
	assert_int_equal(spf_macro_expand("%x", 2, 1, &mc, out, sizeof(out)),
	    -1);
	assert_int_equal(spf_macro_expand("%{c}", 4, 0, &mc, out, sizeof(out)),
	    -1);
	assert_int_equal(spf_macro_expand("%{s}%{s}", 8, 1, &mc, out, 20), -1);
	/* More than 128 parts: the rightmost still count. */
	for (i = 0; i < 200; i++)
		memcpy(many + 2 * i, "a.", 2);
	strcpy(many + 400, "b@example.com");
	mc.sender = many;
	assert_int_equal(spf_macro_expand("%{s2}", 5, 1, &mc, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "b@example.com");
	assert_int_equal(spf_macro_expand("%{s2r}", 6, 1, &mc, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "a.a");
	/* IPv6 %{i}: dotted nibbles. */
	assert_int_equal(addr_parse("2001:db8::cb01", &a), 0);
	assert_int_equal(spf_macro_expand("%{ir}", 5, 1, &mc, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.8.B.D.0.1.0.0.2");
}

static void
test_truncate(void **state)
{
	char name[600];

	(void)state;
	memset(name, 'a', 300);
	memcpy(name + 100, ".", 1);
	memcpy(name + 200, ".", 1);
	strcpy(name + 290, ".example.com");
	spf_domain_truncate(name);
	/* 302 octets: the first label (100 and its dot) goes, no more. */
	assert_int_equal(strlen(name), 201);
	assert_true(name[0] == 'a');
}

/* test_identity_domain - RFC 7208 4.3: which names are looked up */

static void
test_identity_domain(void **state)
{
	static const struct {
		const char *name;
		int ok;
	} rows[] = {
		{"example.com", 1}, {"mail.example.com.", 1},
		{"_spf.example-1.com", 1}, {"MX1.Example.COM", 1},
		{"a.b", 1}, {"2001.example.com", 1}, {"x.123a", 1},
		{"[192.0.2.5]", 0}, {"192.0.2.5", 0}, {"\"mail\".example.com", 0},
		{"mail server.example.com", 0}, {"mail\texample.com", 0},
		{"localhost", 0}, {"", 0}, {".", 0}, {"example..com", 0},
		{".example.com", 0}, {"example.com..", 0},
		{"caf\xc3\xa9.example", 0}, {"a@b.example", 0},
		{"a/b.example", 0}, {"a(b).example", 0},
	};
	char longlabel[80], longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++)
		ROW_CHECK(rows[i].name,
		    spf_identity_domain_ok(rows[i].name) == rows[i].ok);
	/* 63 octets a label, 253 a name. */
	memset(longlabel, 'a', 63);
	strcpy(longlabel + 63, ".example");
	assert_int_equal(spf_identity_domain_ok(longlabel), 1);
	memset(longlabel, 'a', 64);
	strcpy(longlabel + 64, ".example");
	assert_int_equal(spf_identity_domain_ok(longlabel), 0);
	for (i = 0; i < 253; i++)
		longname[i] = i % 2 ? '.' : 'a';
	longname[253] = 0;
	assert_int_equal(spf_identity_domain_ok(longname), 1);
	longname[253] = 'a';
	longname[254] = 0;
	assert_int_equal(spf_identity_domain_ok(longname), 0);
}

static void
test_replies(void **state)
{
	struct config conf;
	struct policy_result r;
	struct spf_facts f;

	(void)state;
	config_defaults(&conf);
	memset(&f, 0, sizeof(f));
	f.identity = SPF_ID_MAILFROM;
	f.result = SPF_R_FAIL;
	f.client_text = "192.0.2.9";
	f.sender = "u@fail.example";
	f.helo = "h.example";
	f.helo_checked = "h.example";
	f.domain = "fail.example\r\naction=OK";
	f.queue_id = "3Fx'\"";
	f.receiver = "mx.example.org";
	policy_spf_result(&conf, &f, &r);
	assert_int_equal(r.value, POLICY_RAW);
	assert_string_equal(r.text, "550 5.7.23 QUEUE_ID=\"3Fx??\" SPF "
	    "Reports: 'SPF fail - not authorized: fail.example??action?OK "
	    "does not designate 192.0.2.9 as permitted sender'");
	f.result = SPF_R_TEMPERROR;
	f.domain = "t.example";
	f.problem = "DNS lookup failed";
	policy_spf_result(&conf, &f, &r);
	assert_string_equal(r.text, "451 4.4.3 QUEUE_ID=\"3Fx??\" SPF "
	    "Reports: 'SPF Temporary Error: DNS lookups for t.example "
	    "failed (192.0.2.9)'");
	f.result = SPF_R_NONE;
	policy_spf_result(&conf, &f, &r);
	assert_int_equal(r.value, POLICY_NONE);
	f.result = SPF_R_PASS;
	f.problem = NULL;
	policy_spf_result(&conf, &f, &r);
	assert_int_equal(r.value, POLICY_PREPEND);
	assert_string_equal(r.text, "Received-SPF: pass (mx.example.org: "
	    "domain of u@fail.example designates 192.0.2.9 as permitted "
	    "sender) client-ip=192.0.2.9; envelope-from=u@fail.example; "
	    "helo=h.example; receiver=mx.example.org; identity=mailfrom;");
	conf.spf_header_ar = 1;
	strcpy(conf.spf_authserv_id, "auth.example.org");
	policy_spf_result(&conf, &f, &r);
	assert_string_equal(r.text, "Authentication-Results: "
	    "auth.example.org; spf=pass smtp.mailfrom=u@fail.example");
}

/* hdr_value - skip a dot-atom or a closed quoted-string; 0 if neither */

static int
hdr_value(const char **pp)
{
	const char *p = *pp;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == 0)
				return (0);	/* an open quote */
			if (*p == '\\' && *++p == 0)
				return (0);
		}
		*pp = p + 1;
		return (1);
	}
	while (*p != 0 && strchr("; ()\"\\", *p) == NULL)
		p++;
	if (p == *pp || (*p != ';' && *p != 0))
		return (0);
	*pp = p;
	return (1);
}

/* hdr_key - "key=value"; the value must be want unless want is NULL */

static int
hdr_key(const char **pp, const char *key, const char *want)
{
	const char *v;

	if (strncmp(*pp, key, strlen(key)) != 0)
		return (0);
	v = *pp += strlen(key);
	if (!hdr_value(pp))
		return (0);
	return (want == NULL || ((size_t)(*pp - v) == strlen(want)
	    && strncmp(v, want, strlen(want)) == 0));
}

/*
 * received_ok - a complete Received-SPF: the result, an optional
 * comment, every mandatory key in order with a closed value, an optional
 * problem=, nothing after. *comment_r and *problem_r: those were there.
 */

static int
received_ok(const char *h, const struct spf_facts *f, const char *want_from,
    int *comment_r, int *problem_r)
{
	const char *p = h, *id = f->identity == SPF_ID_HELO ? "helo"
	    : "mailfrom";
	char start[64];

	snprintf(start, sizeof(start), "Received-SPF: %s ",
	    spf_result_name(f->result));
	if (strncmp(p, start, strlen(start)) != 0)
		return (0);
	p += strlen(start);
	*comment_r = *p == '(';
	if (*comment_r) {
		p = strchr(p, ')');
		if (p == NULL || p[1] != ' ')
			return (0);
		p += 2;
	}
	if (!hdr_key(&p, "client-ip=", f->client_text)
	    || strncmp(p, "; ", 2) != 0)
		return (0);
	p += 2;
	if (!hdr_key(&p, "envelope-from=", want_from)
	    || strncmp(p, "; ", 2) != 0)
		return (0);
	p += 2;
	if (!hdr_key(&p, "helo=", NULL) || strncmp(p, "; ", 2) != 0)
		return (0);
	p += 2;
	if (!hdr_key(&p, "receiver=", f->receiver)
	    || strncmp(p, "; ", 2) != 0)
		return (0);
	p += 2;
	if (!hdr_key(&p, "identity=", id) || *p++ != ';')
		return (0);
	*problem_r = *p == ' ';
	if (*problem_r && (strncmp(p, " problem=", 9) != 0
	    || (p += 1, !hdr_key(&p, "problem=", NULL)) || *p++ != ';'))
		return (0);
	return (*p == 0);
}

/* ar_ok - a complete Authentication-Results with a closed value */

static int
ar_ok(const char *h, const struct config *conf, const struct spf_facts *f)
{
	char start[600];
	const char *p = h;

	snprintf(start, sizeof(start), "Authentication-Results: %s; spf=%s "
	    "smtp.%s", conf->spf_authserv_id[0] ? conf->spf_authserv_id
	    : f->receiver, spf_result_name(f->result),
	    f->identity == SPF_ID_HELO ? "helo" : "mailfrom");
	if (strncmp(p, start, strlen(start)) != 0)
		return (0);
	p += strlen(start);
	return (hdr_key(&p, "=", NULL) && *p == 0);
}

/*
 * test_header_bounds - Received-SPF and Authentication-Results are never
 * cut: 200-byte quoted senders and HELO names, long problems, receivers
 * and authserv-ids, in every combination: the header is complete, every
 * quote closed, the mandatory parts there; the optional parts (comment,
 * problem=) are there whenever the short parts leave room.
 */

static void
test_header_bounds(void **state)
{
	static char q200[201], bs200[201], atom[251], qsender[220];
	static char longhost[256], longprob[201], row[160];
	const char *senders[4], *helos[3], *problems[3], *receivers[2];
	const char *clients[2] = {"192.0.2.9",
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"};
	struct config conf;
	struct spf_facts f;
	char buf[POLICY_TEXT_MAX];
	int s, h, pr, rc, c, ar, r, id, comment, problem, n = 0;

	(void)state;
	memset(q200, '"', 200);
	memset(bs200, '\\', 200);
	memset(longprob, '"', 200);
	memset(atom, 'a', 250);
	memcpy(atom + 238, "@example.com", 12);
	snprintf(qsender, sizeof(qsender), "%.200s@x.example", q200);
	memset(longhost, 'h', 255);
	for (c = 63; c < 255; c += 64)
		longhost[c] = '.';
	senders[0] = "u@example.com";
	senders[1] = qsender;
	senders[2] = atom;
	senders[3] = "";
	helos[0] = NULL;
	helos[1] = "h.example";
	helos[2] = bs200;
	problems[0] = NULL;
	problems[1] = "DNS lookup failed";
	problems[2] = longprob;
	receivers[0] = "mx.example.org";
	receivers[1] = longhost;
	config_defaults(&conf);
	for (s = 0; s < 4; s++)
	for (h = 0; h < 3; h++)
	for (pr = 0; pr < 3; pr++)
	for (rc = 0; rc < 2; rc++)
	for (c = 0; c < 2; c++)
	for (ar = 0; ar < 3; ar++)
	for (id = 0; id < 2; id++)
	for (r = 0; r < SPF_R_COUNT; r++) {
		memset(&f, 0, sizeof(f));
		f.identity = id ? SPF_ID_HELO : SPF_ID_MAILFROM;
		f.result = (enum spf_result)r;
		f.client_text = clients[c];
		f.sender = senders[s];
		f.helo = helos[h];
		f.helo_checked = helos[h] ? helos[h] : "x.example";
		f.domain = "example.com";
		f.receiver = receivers[rc];
		f.problem = problems[pr];
		conf.spf_header_ar = ar > 0;
		snprintf(conf.spf_authserv_id, sizeof(conf.spf_authserv_id),
		    "%s", ar == 2 ? longhost : "");
		memset(buf, 'X', sizeof(buf));
		policy_spf_header(&conf, &f, buf, sizeof(buf));
		snprintf(row, sizeof(row), "sender %d helo %d problem %d "
		    "receiver %d client %d ar %d identity %d result %d", s, h,
		    pr, rc, c, ar, id, r);
		ROW_CHECK(row, memchr(buf, 0, sizeof(buf)) != NULL);
		/* RFC 5322 2.1.1: a line is at most 998 characters. */
		ROW_CHECK(row, strlen(buf) <= POLICY_HEADER_MAX);
		if (ar) {
			ROW_CHECK(row, ar_ok(buf, &conf, &f));
			n++;
			continue;
		}
		ROW_CHECK(row, received_ok(buf, &f, s == 0 ? senders[0]
		    : NULL, &comment, &problem));
		/* Short parts leave room for both optional parts. */
		if (s != 1 && s != 2 && h != 2 && rc == 0) {
			ROW_CHECK(row, comment);
			ROW_CHECK(row, problem == (pr != 0
			    && (r == SPF_R_TEMPERROR || r == SPF_R_PERMERROR)));
		}
		n++;
	}
	assert_int_equal(n, 4 * 3 * 3 * 2 * 2 * 3 * 2 * SPF_R_COUNT);
}

/*
 * test_pool_spurious - a stale readable event for a slot whose worker
 * was replaced and given a query in the same batch: spf_pool_recv()
 * finds no outcome yet and returns at once (it blocked the whole loop
 * process until the check ended); the outcome, once there, is taken.
 */

static void
test_pool_spurious(void **state)
{
	struct spf_pool pool;
	struct spf_pool_slot slot;
	struct spf_outcome out, got;
	int sv[2], owner;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(&slot, 0, sizeof(slot));
	slot.kind = SPF_POOL_KIND;
	slot.w.fd = sv[0];
	slot.w.pid = getpid();	/* never killed: the outcome comes */
	slot.busy = 1;
	slot.owner = &owner;
	pool.slot = &slot;
	pool.n = 1;
	pool.busy = 1;
	alarm(5);		/* the bug: blocks; SIGALRM ends the test */
	assert_null(spf_pool_recv(&pool, &slot, &got));
	alarm(0);
	assert_int_equal(slot.busy, 1);
	assert_ptr_equal(slot.owner, &owner);
	assert_int_equal(pool.busy, 1);
	memset(&out, 0, sizeof(out));
	out.result = SPF_R_PASS;
	assert_int_equal(send(sv[1], &out, sizeof(out), 0),
	    (ssize_t)sizeof(out));
	assert_ptr_equal(spf_pool_recv(&pool, &slot, &got), &owner);
	assert_int_equal(got.result, SPF_R_PASS);
	assert_int_equal(slot.busy, 0);
	assert_int_equal(pool.busy, 0);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_reduce),
		cmocka_unit_test(test_reduce_names),
		cmocka_unit_test(test_record_big),
		cmocka_unit_test(test_macro),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_identity_domain),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_header_bounds),
		cmocka_unit_test(test_pool_spurious),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
