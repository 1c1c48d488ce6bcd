/*
 * NAME
 *	test_config - unit tests for config.c
 * DESCRIPTION
 *	A tumgreyspf.conf unchanged (the fixtures' own), greyspf's own
 *	form, every kind of error reported with its file:line, defaults
 *	for missing keys, the default-path rule, the line limit at its
 *	edge, and files that never end or hold NUL bytes.
 */

#include "testlib.h"

#include <sys/stat.h>

#include "config.h"
#include "log.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	log_init("test_config", LOG_SINK_STDERR);
	dir = make_tmpdir();
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	remove_tree(dir);
	return (0);
}

/* load_path - config_load() over the defaults, its messages in *diag */
static int
load_path(const char *path, struct config *c, char **diag)
{
	int rc;

	config_defaults(c);
	capture_begin();
	rc = config_load(path, c);
	*diag = capture_end();
	return (rc);
}

static int
load(const char *content, struct config *c, char **diag)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/t.conf", dir);
	write_file(path, content);
	return (load_path(path, c, diag));
}

static void
test_tumgreyspf_conf(void **state)
{
	struct config c;
	char *diag;

	(void)state;
	/* The shipped tumgreyspf.conf, as the fixtures ran it. */
	assert_int_equal(load(
	    "#  tumgreyspf master config (Python syntax)\n"
	    "debugLevel = 0\n"
	    "defaultSeedOnly = 0\n"
	    "defaultAllowTime = 600\n"
	    "configPath = 'file:///srv/tumgreyspf/config'\n"
	    "greylistDir = '/srv/tumgreyspf/data'\n"
	    "spfqueryPath = '/nonexistent/spfquery'\n"
	    "blackholeDir = \"/srv/tumgreyspf/blackhole\"   # trailing\n"
	    "ignoreLastByte = 1\n"
	    "greylistByIPOnly = True\n"
	    "spfAcceptOnPermError = False\n", &c, &diag), 0);
	assert_string_equal(diag, "");
	assert_string_equal(c.config_path, "/srv/tumgreyspf/config");
	assert_string_equal(c.greylist_dir, "/srv/tumgreyspf/data");
	assert_string_equal(c.blackhole_dir, "/srv/tumgreyspf/blackhole");
	assert_int_equal(c.ignore_last_byte, 1);
	assert_int_equal(c.greylist_by_ip_only, 1);
	assert_int_equal(c.spf_accept_on_perm_error, 0);
	assert_int_equal(c.default_allow_time, 600);
}

static void
test_greyspf_conf(void **state)
{
	struct config c, c2;
	char *diag;

	(void)state;
	assert_int_equal(load(
	    "[greyspf]\n"
	    "; a comment\n"
	    "database = /var/lib/greyspf/db\n"
	    "databaseMapSize = 32\n"
	    "databaseMapSizeMax = 1024\n"
	    "ipv6NetworkPrefix = 48\n"
	    "requestTimeout = 30\n"
	    "configPath = /etc/greyspf/config\n"
	    "configErrorAction = defer_if_permit Per-entity tree broken\n"
	    "whitelistClients = /etc/postgrey/whitelist_clients, "
	    "/etc/postgrey/whitelist_clients.local\n",
	    &c, &diag), 0);
	assert_string_equal(c.whitelist_clients, "/etc/postgrey/"
	    "whitelist_clients, /etc/postgrey/whitelist_clients.local");
	assert_string_equal(c.whitelist_recipients, "");
	assert_string_equal(c.greylist_action, "defer_if_permit");
	assert_string_equal(c.greylist_text, "");
	assert_int_equal(c.x_greylist_header, 0);
	assert_int_equal(c.request_timeout, 30);
	assert_int_equal(c.idle_timeout, 3600);
	/* Daemon mode's defaults. */
	assert_int_equal(c.socket_mode, 0660);
	assert_string_equal(c.listen, "");
	assert_int_equal(load("socketMode = 0750\nlisten = unix:/s, "
	    "inet:[::1]:1\n", &c2, &diag), 0);
	assert_int_equal(c2.socket_mode, 0750);
	assert_string_equal(c2.listen, "unix:/s, inet:[::1]:1");
	assert_int_equal(c.daemon_processes, 2);
	assert_true(c.max_connections >= 1100);
	assert_string_equal(c.database, "/var/lib/greyspf/db");
	assert_int_equal(c.map_size_mb, 32);
	assert_int_equal(c.ipv6_prefix, 48);
	assert_string_equal(c.config_path, "/etc/greyspf/config");
	/* Missing keys keep their defaults (the original crashed). */
	assert_int_equal(c.greylist_by_ip_only, 0);
	assert_int_equal(c.ipv4_prefix, 24);
	assert_string_equal(c.config_error_action,
	    "defer_if_permit Per-entity tree broken");
	config_defaults(&c);
	assert_string_equal(c.config_error_action, "defer_if_permit Service "
	    "temporarily unavailable, configuration error.");
	/* postgrey's reply keys. */
	assert_int_equal(load("greylistAction = DEFER_IF_PERMIT\n"
	    "greylistAction = 451 4.7.1\ngreylistText = 'Greylisted, see "
	    "http://postgrey.schweikert.ch/help/%r.html'\nxGreylistHeader = 1\n"
	    "xGreylistHeaderFormat = X-Delay: %t s %%\n", &c2, &diag), 0);
	assert_string_equal(c2.greylist_action, "451 4.7.1");
	assert_string_equal(c2.greylist_text, "Greylisted, see "
	    "http://postgrey.schweikert.ch/help/%r.html");
	assert_int_equal(c2.x_greylist_header, 1);
	assert_string_equal(c2.x_greylist_format, "X-Delay: %t s %%");
}

static const struct {
	const char *name, *content, *diag;
} err_rows[] = {
	{"unknown key", "debugLevel = 1\nbogus = 3\n", "t.conf:2: unknown key"},
	{"out of range", "\n\ndebugLevel = 9\n", "t.conf:3: debugLevel must be"},
	{"not a number", "defaultAllowTime = 10m\n", ":1: defaultAllowTime"},
	{"float for int", "defaultAllowTime = 600.0\n", ":1: defaultAllowTime"},
	{"bad switch", "ignoreLastByte = maybe\n", ":1: ignoreLastByte must"},
	{"open quote", "greylistDir = '/x\n", ":1: bad value"},
	{"junk after quote", "greylistDir = '/x' y\n", ":1: bad value"},
	{"relative configPath", "configPath = 'file://x'\n", ":1: configPath"},
	{"no equals", "debugLevel\n", ":1: syntax error"},
	{"unknown section", "[other]\ndebugLevel = 1\n", ":2: unknown section"},
	{"empty path", "database = ''\n", ":1: database must"},
	{"bad action", "configErrorAction = 'defer\tnow'\n",
	    ":1: configErrorAction must be a Postfix action"},
	{"long line", "greylistDir = '/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\ndebugLevel = 1\n",
	    ":1: line longer than"},
	{"no request limit", "requestTimeout = 0\n", ":1: requestTimeout must"},
	{"mode not octal", "socketMode = 0690\n", ":1: socketMode must be an "
	    "octal mode"},
	{"mode too short", "socketMode = 66\n", ":1: socketMode must"},
	{"no processes", "daemonProcesses = 0\n", ":1: daemonProcesses must"},
	{"map size order", "databaseMapSize = 64\ndatabaseMapSizeMax = 32\n",
	    "exceeds databaseMapSizeMax"},
	/* inih would read these otherwise than Python and the manual. */
	{"continuation", "database = /a\n    /tmp/x\n", ":2: indented line"},
	{"continuation, tab", "database = /a\n\t/tmp/x\n", ":2: indented"},
	{"indented key", "[greyspf]\n  debugLevel = 1\n", ":2: indented"},
	{"inline ; comment", "storeErrorAction = defer_if_permit try later "
	    "; really\n", ":1: \" ;\" would cut the value"},
	{"inline ; in quotes", "greylistDir = '/a ;b'\n", ":1: \" ;\""},
	{"inline ; after quotes", "greylistDir = '/a' ;b\n", ":1: \" ;\""},
	{"relative whitelist", "whitelistClients = /a, b\n",
	    ":1: whitelistClients must be absolute paths"},
	{"whitelist, trailing comma", "whitelistRecipients = /a,\n",
	    ":1: whitelistRecipients must be"},
	{"greylistAction 5xx", "greylistAction = 550 5.7.1\n",
	    ":1: greylistAction must be a temporary failure"},
	{"greylistAction 421", "greylistAction = 421\n",
	    ":1: greylistAction must be"},
	{"greylistAction bad code", "greylistAction = 450 5.7.1\n",
	    ":1: greylistAction must be"},
	{"greylistAction junk", "greylistAction = 450 4.7.1 text\n",
	    ":1: greylistAction must be"},
	{"greylistText unknown %", "greylistText = wait %x\n",
	    ":1: greylistText must be printable text"},
	{"header without a name", "xGreylistHeaderFormat = delayed %t\n",
	    ":1: xGreylistHeaderFormat must be \"Name: text\""},
	/* listen: the daemon's own parser (lib/listen_parse.c). */
	{"listen, relative path", "\nlisten = unix:greyspf.sock\n",
	    "t.conf:2: listen must be unix:/PATH, inet:ADDRESS:PORT or "
	    "inet:[ADDRESS]:PORT, comma-separated, at most 16 (a unix socket "
	    "needs an absolute path)"},
	{"listen, a name", "listen = inet:localhost:10023\n",
	    ":1: listen must be unix:/PATH"},
	{"listen, bad port", "listen = unix:/s, inet:127.0.0.1:0\n",
	    "the port must be a number from 1 to 65535"},
	{"listen, empty entry", "listen = unix:/s,,unix:/t\n",
	    ":1: listen must be unix:/PATH"},
	{"listen, IPv6 without brackets", "listen = inet:::1:25\n",
	    ":1: listen must be"},
};

/* Comment forms that mean the same to inih, Python and the manual. */
#define COMMENTS_OK "debugLevel = 1\n    # indented comment\n" \
	"\t; another\n  \n\r\n" \
	"greylistDir = /x # a note ; with a semicolon\n" \
	"blackholeDir = '/y;z' # quoted ; fine after #\n" \
	"spfqueryPath = /a;b\n" \
	"database = '/d'# quoted, then a comment ; at once\n" \
	"[greyspf] ; a section\n"

static void
test_comments(void **state)
{
	struct config c;
	char *diag;

	(void)state;
	assert_int_equal(load(COMMENTS_OK, &c, &diag), 0);
	assert_string_equal(diag, "");
	assert_int_equal(c.debug_level, 1);
	assert_string_equal(c.greylist_dir, "/x");
	assert_string_equal(c.blackhole_dir, "/y;z");
	assert_string_equal(c.spfquery_path, "/a;b");
	assert_string_equal(c.database, "/d");
	/* An error after them is reported, and not for its ";". */
	assert_int_equal(load(COMMENTS_OK "configPath = #/c ; all comment\n",
	    &c, &diag), -1);
	assert_non_null(strstr(diag, ":11: configPath must be"));
	assert_null(strstr(diag, "would cut"));
}

static void
test_errors(void **state)
{
	struct config c;
	char *diag;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(err_rows); i++) {
		ROW_CHECK(err_rows[i].name, load(err_rows[i].content, &c,
		    &diag) == -1);
		if (strstr(diag, err_rows[i].diag) == NULL)
			ROW_FAIL(err_rows[i].name, "diagnostic: %s", diag);
	}
	/* Every error is reported, not just the first. */
	assert_int_equal(load("a = 1\nb = 2\n", &c, &diag), -1);
	assert_non_null(strstr(diag, ":1: unknown key"));
	assert_non_null(strstr(diag, ":2: unknown key"));
}

static void
test_default_path(void **state)
{
	struct config c;
	char path[256];
	char *diag;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	/* Missing at the default path: defaults, no error. */
	assert_int_equal(config_load_default(path, 0, &c), 0);
	assert_int_equal(c.default_allow_time, 600);
	/* Missing when named with -c: an error. */
	capture_begin();
	assert_int_equal(config_load_default(path, 1, &c), -1);
	diag = capture_end();
	assert_non_null(strstr(diag, "missing.conf"));
}

/*
 * A file that never ends (a device, a FIFO without a writer) or is far
 * too big is refused without reading it through; a NUL byte is an
 * error, and a NUL-only line counts against the line limit.
 */
static void
test_bounds(void **state)
{
	static const char nul[] = "debugLevel = 1\0junk\n";
	struct config c;
	char path[256], *diag;
	long long before;
	FILE *fp;
	int i;

	(void)state;
	/* A hang fails the test instead of stopping the run. */
	alarm(20);
	snprintf(path, sizeof(path), "%s/zero.conf", dir);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(load_path(path, &c, &diag), -1);
	assert_non_null(strstr(diag, "zero.conf: not a regular file"));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(load_path(path, &c, &diag), -1);
	assert_non_null(strstr(diag, "fifo.conf: not a regular file"));
	/* 16 MiB of NUL bytes, one line: stops at CONFIG_FILE_MAX. */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	write_file(path, "debugLevel = 1\n");
	assert_int_equal(truncate(path, 16 << 20), 0);
	before = bytes_read();
	assert_int_equal(load_path(path, &c, &diag), -1);
	assert_true(bytes_read() - before < CONFIG_FILE_MAX + 65536);
	assert_non_null(strstr(diag, "big.conf:2: file longer than 1048576 "
	    "bytes"));
	alarm(0);
	/* NUL bytes: in a short line, and a line of nothing else. */
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fwrite(nul, 1, sizeof(nul) - 1, fp);
	for (i = 0; i < 300; i++)
		putc(0, fp);
	fputs("\nidleTimeout = 5\n", fp);
	fclose(fp);
	assert_int_equal(load_path(path, &c, &diag), -1);
	assert_non_null(strstr(diag, "t.conf:1: NUL byte"));
	assert_non_null(strstr(diag, "t.conf:2: line longer than 199 bytes"));
	assert_null(strstr(diag, "t.conf:3"));
}

/* A line of CONFIG_LINE_MAX bytes is read; one byte more is refused. */
static void
test_line_edges(void **state)
{
	static const struct {
		size_t len;
		int rc;
	} rows[] = {
		{CONFIG_LINE_MAX - 1, 0}, {CONFIG_LINE_MAX, 0},
		{CONFIG_LINE_MAX + 1, -1},
	};
	struct config c;
	char text[CONFIG_LINE_MAX + 64], row[16], *diag;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		snprintf(row, sizeof(row), "%zu bytes", rows[i].len);
		memset(text, ' ', rows[i].len);
		memcpy(text, "greylistDir = /x", 16);
		strcpy(text + rows[i].len, "\ndebugLevel = 2\n");
		ROW_CHECK(row, load(text, &c, &diag) == rows[i].rc);
		ROW_CHECK(row, rows[i].rc < 0 || (c.debug_level == 2
		    && strcmp(c.greylist_dir, "/x") == 0));
		ROW_CHECK(row, rows[i].rc == 0 || strstr(diag,
		    ":1: line longer than 199 bytes") != NULL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tumgreyspf_conf),
		cmocka_unit_test(test_greyspf_conf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_line_edges),
		cmocka_unit_test(test_bounds),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
