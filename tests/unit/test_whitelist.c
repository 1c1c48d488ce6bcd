/*
 * NAME
 *	test_whitelist - unit tests for whitelist.c
 * DESCRIPTION
 *	postgrey's whitelist formats: which client (address, name) and
 *	which recipient each line form matches, the problems reported with
 *	file:line, the lazy compilation of regular expressions and its
 *	suffix shortcut (checked against PCRE2 itself on tricky patterns),
 *	and Debian's /etc/postgrey/whitelist_clients read without a
 *	problem.
 */

#define PCRE2_CODE_UNIT_WIDTH 8

#include "testlib.h"

#include <pcre2.h>

#include "whitelist.h"

static char problems[8192];
static int nproblems;

/* report - collect problems as "file:line: text\n" */

static void
report(void *arg, const char *file, int line, const char *msg)
{
	size_t n = strlen(problems);

	(void)arg;
	snprintf(problems + n, sizeof(problems) - n, "%s:%d: %s\n", file,
	    line, msg);
	nproblems++;
}

static struct whitelist *
load(enum whitelist_kind kind, const char *text)
{
	struct whitelist *wl = whitelist_new(report, NULL);

	problems[0] = 0;
	nproblems = 0;
	whitelist_parse(wl, kind, "t", text, strlen(text));
	return (wl);
}

static const char clients[] =
    "# comment\n"			/* 1 */
    "  \n"				/* 2 */
    "192.0.2.7\n"			/* 3 */
    "198.51.100.0/24   # a net\n"	/* 4 */
    "203.0.113.77/28\n"			/* 5: host bits cleared */
    "10.1.2\n"				/* 6: /24 */
    "172.16\n"				/* 7: 172.16.0.0/24 */
    "2001:db8:1::/48\n"			/* 8 */
    "2001:db8:2::25\n"			/* 9 */
    "::ffff:100.64.0.0/106\n"		/* 10: 100.64.0.0/10 */
    "example.com\n"			/* 11 */
    "/^mx\\d+\\.regex\\.example$/\n"	/* 12 */
    "MiXeD.Example.NET\n"		/* 13 */
    "unknown\n"				/* 14 */
    "/^(?:smtp\\w*|postfix)[0-9]+-g[0-9]+\\.free\\.fr$/\n";	/* 15 */

static const struct {
	const char *addr, *name;
	int	line;			/* 0: not listed */
} client_rows[] = {
	{"192.0.2.7", "unknown", 3},
	{"192.0.2.8", "unknown", 0},
	{"198.51.100.200", NULL, 4},
	{"198.51.101.1", NULL, 0},
	{"203.0.113.66", NULL, 5},
	{"203.0.113.64", NULL, 5},
	{"203.0.113.80", NULL, 0},
	{"10.1.2.254", NULL, 6},
	{"10.1.3.1", NULL, 0},
	{"172.16.0.9", NULL, 7},
	{"172.16.1.9", NULL, 0},	/* postgrey: a /24 */
	{"2001:db8:1:ffff::1", NULL, 8},
	{"2001:DB8:2:0::25", NULL, 9},
	{"2001:db8:2::26", NULL, 0},
	{"100.127.1.1", NULL, 10},
	{"::ffff:192.0.2.7", NULL, 3},	/* mapped: the IPv4 client */
	{"not-an-address", "example.com", 11},
	{"192.0.2.99", "example.com", 11},
	{"192.0.2.99", "mail.example.com", 11},
	{"192.0.2.99", "a.b.EXAMPLE.com", 11},
	{"192.0.2.99", "badexample.com", 0},
	{"192.0.2.99", "example.com.evil.test", 0},
	{"192.0.2.99", "mx12.regex.example", 12},
	{"192.0.2.99", "MX12.REGEX.EXAMPLE", 12},
	{"192.0.2.99", "mx.regex.example", 0},
	{"192.0.2.99", "a.mixed.example.net", 13},
	{"192.0.2.99", "unknown", 0},	/* never a name, line 14 or not */
	{"192.0.2.99", "", 0},
	{"192.0.2.99", "smtpout3-g12.free.fr", 15},
	{"192.0.2.99", "postfix3-g12.free.fr", 15},
	{"192.0.2.99", "smtp-g12.free.fr", 0},
};

static void
test_clients(void **state)
{
	struct whitelist_match m;
	struct whitelist *wl;
	size_t i;
	int hit;

	(void)state;
	wl = load(WHITELIST_CLIENTS, clients);
	/* Line 7 is read as postgrey reads it, and said so. */
	assert_int_equal(nproblems, 1);
	assert_non_null(strstr(problems, "t:7: \"172.16\" is read as "
	    "postgrey reads it, 172.16.0.0/24, not as a /16"));
	assert_int_equal(whitelist_count(wl, WHITELIST_CLIENTS), 13);
	for (i = 0; i < NROWS(client_rows); i++) {
		memset(&m, 0, sizeof(m));
		hit = whitelist_client(wl, client_rows[i].addr,
		    client_rows[i].name, &m);
		ROW_CHECK(client_rows[i].name ? client_rows[i].name
		    : client_rows[i].addr, hit == (client_rows[i].line != 0));
		if (hit && (m.line != client_rows[i].line
		    || strcmp(m.file, "t") != 0 || m.kind != WHITELIST_CLIENTS))
			ROW_FAIL(client_rows[i].addr, "matched t:%d", m.line);
	}
	/* A recipient list is not a client list. */
	assert_int_equal(whitelist_recipient(wl, "a@example.com", &m), 0);
	whitelist_free(wl);
}

static const char recipients[] =
    "postmaster@\n"			/* 1 */
    "abuse@example.org\n"		/* 2 */
    "example.net   # and subdomains\n"	/* 3 */
    "/^list-.*@lists\\.example$/\n";	/* 4 */

static const struct {
	const char *rcpt;
	int	line;
} rcpt_rows[] = {
	{"postmaster@anything.test", 1},
	{"PostMaster@x", 1},
	{"postmaster+tag@x.test", 1},
	{"postmaster+@x.test", 0},	/* "+" needs an extension */
	{"postmasterx@x.test", 0},
	{"abuse@example.org", 2},
	{"abuse+x@example.org", 2},
	{"abuse@sub.example.org", 0},
	{"abuse@example.org.test", 0},
	{"x.abuse@example.org", 0},
	{"someone@example.net", 3},
	{"someone@mail.example.net", 3},
	{"someone@badexample.net", 0},
	{"example.net", 0},
	{"list-dev@lists.example", 4},
	{"list-dev@lists.example.com", 0},
	{"", 0},
};

static void
test_recipients(void **state)
{
	struct whitelist_match m;
	struct whitelist *wl;
	size_t i;
	int hit;

	(void)state;
	wl = load(WHITELIST_RECIPIENTS, recipients);
	assert_int_equal(nproblems, 0);
	assert_int_equal(whitelist_count(wl, WHITELIST_RECIPIENTS), 4);
	for (i = 0; i < NROWS(rcpt_rows); i++) {
		hit = whitelist_recipient(wl, rcpt_rows[i].rcpt, &m);
		ROW_CHECK(rcpt_rows[i].rcpt, hit == (rcpt_rows[i].line != 0));
		if (hit && m.line != rcpt_rows[i].line)
			ROW_FAIL(rcpt_rows[i].rcpt, "matched t:%d", m.line);
	}
	assert_int_equal(whitelist_recipient(wl, NULL, &m), 0);
	/* A client list is not a recipient list. */
	assert_int_equal(whitelist_client(wl, "192.0.2.1", "example.net",
	    &m), 0);
	whitelist_free(wl);
}

static const struct {
	const char *text;
	enum whitelist_kind kind;
	const char *problem;	/* NULL: none */
} problem_rows[] = {
	{"1.2.3.256\n", WHITELIST_CLIENTS, "t:1: bad IPv4 address"},
	{"1.2.3.4/33\n", WHITELIST_CLIENTS, "t:1: bad IPv4 address"},
	{"1.2.3/24\n", WHITELIST_CLIENTS, "t:1: bad IPv4 address"},
	{"1.2.3.4.5\n", WHITELIST_CLIENTS, "t:1: bad IPv4 address"},
	{"1\n", WHITELIST_CLIENTS, "t:1: bad IPv4 address"},
	{"#\n2001:db8::/129\n", WHITELIST_CLIENTS, "t:2: bad IPv6 address"},
	{"2001:db8::g\n", WHITELIST_CLIENTS, "t:1: bad IPv6 address"},
	{"::ffff:1.2.3.4/64\n", WHITELIST_CLIENTS, "t:1: bad IPv6 address"},
	{"a name\n", WHITELIST_CLIENTS, "t:1: not a host name"},
	{"/a b/\n", WHITELIST_CLIENTS, "t:1: not a host name"},
	{".example.com\n", WHITELIST_CLIENTS, "t:1: \".example.com\" never"},
	{"x\n\nab\0c\n", WHITELIST_CLIENTS, "t:3: NUL byte in line"},
	{"a b@c\n", WHITELIST_RECIPIENTS, "t:1: not an address"},
	{"@example.org\n", WHITELIST_RECIPIENTS, "t:1: \"@example.org\" only"},
	{"example.com # fine\n1.2.3.4/0\n", WHITELIST_CLIENTS, NULL},
	{"/(/\n", WHITELIST_CLIENTS, NULL},	/* compiled later */
};

static void
test_problems(void **state)
{
	struct whitelist *wl;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(problem_rows); i++) {
		wl = whitelist_new(report, NULL);
		problems[0] = 0;
		nproblems = 0;
		len = strlen(problem_rows[i].text);
		if (strstr(problem_rows[i].text, "ab") != NULL)
			len = 8;	/* the row with a NUL byte */
		whitelist_parse(wl, problem_rows[i].kind, "t",
		    problem_rows[i].text, len);
		if (problem_rows[i].problem == NULL)
			ROW_CHECK(problem_rows[i].text, nproblems == 0);
		else if (strstr(problems, problem_rows[i].problem) == NULL)
			ROW_FAIL(problem_rows[i].text, "got: %s", problems);
		whitelist_free(wl);
	}
}

/* A line over WHITELIST_LINE_MAX is skipped and reported; the next is
 * read. */
static void
test_long_line(void **state)
{
	static char text[WHITELIST_LINE_MAX + 64];
	struct whitelist_match m;
	struct whitelist *wl;

	(void)state;
	memset(text, 'a', WHITELIST_LINE_MAX);
	strcpy(text + WHITELIST_LINE_MAX, "\nexample.com\n");
	wl = load(WHITELIST_CLIENTS, text);
	assert_int_equal(nproblems, 1);
	assert_non_null(strstr(problems, "t:1: line longer than"));
	assert_int_equal(whitelist_client(wl, NULL, "example.com", &m), 1);
	assert_int_equal(m.line, 2);
	whitelist_free(wl);
}

/*
 * Lazy compilation: a bad expression is reported when a name reaches
 * it, or by whitelist_compile(); a name that cannot end as it must
 * never compiles it.
 */
static void
test_lazy_compile(void **state)
{
	struct whitelist_match m;
	struct whitelist *wl;

	(void)state;
	wl = load(WHITELIST_CLIENTS, "/^a{2,1}\\.bad\\.example$/\n");
	assert_int_equal(nproblems, 0);
	assert_int_equal(whitelist_client(wl, NULL, "mx.other.example",
	    &m), 0);
	assert_int_equal(nproblems, 0);
	assert_int_equal(whitelist_client(wl, NULL, "a.bad.example", &m), 0);
	assert_int_equal(nproblems, 1);
	assert_non_null(strstr(problems, "t:1: bad regular expression"));
	/* Once: it is not compiled again. */
	assert_int_equal(whitelist_client(wl, NULL, "b.bad.example", &m), 0);
	assert_int_equal(nproblems, 1);
	whitelist_free(wl);

	wl = load(WHITELIST_CLIENTS, "example.com\n/^a{2,1}\\.bad$/\n/ok/\n");
	assert_int_equal(whitelist_compile(wl), 1);
	assert_int_equal(nproblems, 1);
	assert_non_null(strstr(problems, "t:2: bad regular expression"));
	whitelist_free(wl);
}

/*
 * The suffix shortcut never says no where PCRE2 says yes: each pattern
 * against each name, the whitelist's answer against PCRE2's own.
 */
static const char *const tricky_patterns[] = {
	"^ms-smtp.*\\.rr\\.com$",
	"a|b\\.com$",
	"(?:x|y)\\.com$",
	"[|]z\\.com$",
	"[]|]z\\.com$",
	"[[:alpha:]]|q\\.com$",
	"\\c(a|b\\.com$",
	"\\Qa|\\Eb\\.com$",
	"(?i)B\\.COM$",
	"(?m)b\\.com$",
	"(?=a)a|b\\.com$",
	"b\\.coms?$",
	"b\\.co+$",
	"b\\.co{0,1}$",
	"b\\.c\\$",
	"b.com$",
	"\\.com\\b$",
	"com$|^a",
	"odk.fdv.uni-lj.si$",
	"^mta[12].siol.net$",
	"x\\-y$",
	"(a)(b\\.com)$",
	"b\\\\.com$",
};

static const char *const tricky_names[] = {
	"a", "b.com", "B.COM", "x.com", "y.com", "z.com", "|z.com", "]z.com",
	"q.com", "w", "ms-smtp1.rr.com", "b.co", "b.coms", "b.cooo",
	"b.c$", "bxcom", "b.com\n", "ab.com", "a|b.com", "odk-fdv.uni-lj.si",
	"mta1.siol.net", "mta1xsiolxnet", "x-y", "ab.com", "b\\xcom",
	"com", "",
};

static void
test_suffix_vs_pcre2(void **state)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	struct whitelist_match m;
	struct whitelist *wl;
	pcre2_code *re;
	char line[256];
	PCRE2_SIZE off;
	size_t i, j;
	int err, want, got;

	(void)state;
	for (i = 0; i < NROWS(tricky_patterns); i++) {
		re = pcre2_compile((PCRE2_SPTR)tricky_patterns[i],
		    PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err, &off, NULL);
		ROW_CHECK(tricky_patterns[i], re != NULL);
		snprintf(line, sizeof(line), "/%s/\n", tricky_patterns[i]);
		wl = load(WHITELIST_CLIENTS, line);
		for (j = 0; j < NROWS(tricky_names); j++) {
			if (*tricky_names[j] == 0)
				continue;
			want = pcre2_match(re, (PCRE2_SPTR)tricky_names[j],
			    PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
			got = whitelist_client(wl, NULL, tricky_names[j], &m);
			if (want != got)
				ROW_FAIL(tricky_patterns[i], "name \"%s\": "
				    "pcre2 %d, whitelist %d", tricky_names[j],
				    want, got);
		}
		assert_int_equal(nproblems, 0);
		whitelist_free(wl);
		pcre2_code_free(re);
	}
	pcre2_match_data_free(md);
}

/* Files: a missing .local is no problem, another missing file is. */
static void
test_load_files(void **state)
{
	struct whitelist_match m;
	struct whitelist *wl;
	char *dir = make_tmpdir(), list[512], path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/clients", dir);
	write_file(path, "example.com\n1.2.3\n");
	snprintf(list, sizeof(list), "%s/clients, %s/clients.local,"
	    "%s/missing", dir, dir, dir);
	wl = whitelist_new(report, NULL);
	problems[0] = 0;
	nproblems = 0;
	assert_int_equal(whitelist_load(wl, WHITELIST_CLIENTS, list), 1);
	assert_non_null(strstr(problems, "/missing:0: No such file"));
	assert_int_equal(whitelist_client(wl, "1.2.3.4", NULL, &m), 1);
	assert_string_equal(m.file, path);
	assert_int_equal(m.line, 2);
	whitelist_free(wl);
	assert_int_equal(whitelist_files_ok(list), 0);
	assert_int_equal(whitelist_files_ok(""), 0);
	assert_int_equal(whitelist_files_ok("relative/file"), -1);
	assert_int_equal(whitelist_files_ok("/a,"), -1);
	assert_int_equal(whitelist_files_ok("/a,,/b"), -1);
	remove_tree(dir);
}

/* Debian's file: no problem, even with every expression compiled; the
 * hosts it lists by name, by expression and by address pass. */
static void
test_debian_file(void **state)
{
	static const char path[] = "/etc/postgrey/whitelist_clients";
	struct whitelist_match m;
	struct whitelist *wl;

	(void)state;
	if (access(path, R_OK) != 0)
		skip();
	wl = whitelist_new(report, NULL);
	problems[0] = 0;
	nproblems = 0;
	assert_int_equal(whitelist_load(wl, WHITELIST_CLIENTS, path), 0);
	assert_int_equal(whitelist_compile(wl), 0);
	assert_int_equal(nproblems, 0);
	assert_true(whitelist_count(wl, WHITELIST_CLIENTS) > 150);
	assert_int_equal(whitelist_client(wl, "192.0.2.1",
	    "mail-ej1-f45.google.com", &m), 1);
	assert_int_equal(whitelist_client(wl, "192.0.2.1",
	    "ms-smtp-07.rr.com", &m), 1);
	assert_int_equal(whitelist_client(wl, "51.4.72.9", "unknown", &m), 1);
	assert_int_equal(whitelist_client(wl, "2a01:4180:4051:800::25", NULL,
	    &m), 1);
	assert_int_equal(whitelist_client(wl, "192.0.2.1", "mx.example.org",
	    &m), 0);
	assert_int_equal(whitelist_client(wl, "192.0.2.1", "unknown", &m), 0);
	whitelist_free(wl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clients),
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_lazy_compile),
		cmocka_unit_test(test_suffix_vs_pcre2),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_debian_file),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
