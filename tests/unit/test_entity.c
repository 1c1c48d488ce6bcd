/*
 * NAME
 *	test_entity - unit tests for entity.c
 * DESCRIPTION
 *	The per-entity lookup of tumgreyspf-spec section 8: the order of
 *	the six client_address reads, sender and recipient domain then
 *	local part, the escaping, the OTHERCONFIGS pass semantics (the
 *	A17/A18 case), bad lines reported with file:line and ignored, and
 *	the line limit at its edge (1023, 1024 and 1025 bytes), no
 *	control byte from a request in the log, and the service's cache of
 *	parsed files: edits seen (a new inode or ctime with the same size
 *	and mtime), a removed file forgotten, its bounds.
 */

#include "testlib.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <time.h>

#include "entity.h"
#include "log.h"

static char *base;

static int
setup(void **state)
{
	char p[512];

	(void)state;
	log_init("test_entity", LOG_SINK_STDERR);
	base = make_tmpdir();
#define W(rel, text) do { snprintf(p, sizeof(p), "%s/%s", base, rel); \
	write_file(p, text); } while (0)
	W("__default__", "SPFSEEDONLY = 0\nGREYLISTTIME = 600\n"
	    "CHECKERS = spf,greylist\n"
	    "OTHERCONFIGS = client_address,envelope_sender,envelope_recipient\n"
	    "GREYLISTEXPIREDAYS = 10.0\n");
	W("client_address/__default__", "GREYLISTTIME = 1\n");
	W("client_address/10/__default__", "GREYLISTTIME = 2\n");
	W("client_address/10/9/__default__", "GREYLISTTIME = 3\n");
	W("client_address/10/9/8/__default__", "GREYLISTTIME = 4\n");
	W("client_address/10/9/8/6/__default__", "GREYLISTTIME = 5\n");
	W("client_address/10/9/8/7", "GREYLISTTIME = 6\n");
	/* A /24 "whitelisted" as tumgreyspf-addip writes it. */
	W("client_address/192/0/2/__default__", "SPFSEEDONLY=0\n"
	    "GREYLISTTIME=300\nCHECKERS=\nOTHERCONFIGS=");
	W("envelope_recipient/example.org/strict", "CHECKERS=greylist\n");
	W("client_address/2001:db8::25/__default__", "GREYLISTTIME = 25\n");
	W("client_address/2001/db8/__default__", "GREYLISTTIME = 32\n");
	W("client_address/2001/db8/1/__default__", "GREYLISTTIME = 48\n");
	W("client_address/2001/db8/1/2/__default__", "GREYLISTTIME = 64\n");
	W("envelope_sender/example.com/%2eleading", "GREYLISTTIME = 77\n");
	W("envelope_sender/ex%C3%A4mple.com/__default__",
	    "GREYLISTTIME = 88 # comment\n");
	W("envelope_sender/broken.example/__default__",
	    "GREYLISTTIME = 600.0\nNOSUCHKEY = 1\njunk line\n"
	    "GREYLISTEXPIREDAYS = nan\nCHECKERS = greylist # ok\n");
	W("envelope_recipient/example.net/__default__",
	    "GREYLISTEXPIREDAYS = 2.5\n");
	W("envelope_recipient/loop.example/__default__",
	    "OTHERCONFIGS = envelope_sender,bogus_type\n");
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	remove_tree(base);
	return (0);
}

static void
test_client_order(void **state)
{
	static const struct {
		const char *client;
		long long greylisttime;
		int files;		/* files read, or 0: not checked */
	} rows[] = {
		/* __default__, then the client files, most specific last. */
		{"10.9.8.7", 6, 6},
		/* A host directory (tumgreyspf-addip's layout). */
		{"10.9.8.6", 5, 0},
		{"10.9.8.99", 4, 0},
		{"10.9", 3, 0},		/* a network, as clean asks */
		/* IPv6: the original's exact-address file wins. */
		{"2001:db8::25", 25, 0},
		/* IPv6 networks: /32, /48, /64 by 16-bit groups. */
		{"2001:db8::26", 32, 0},
		{"2001:DB8:1:0:0:0:0:9", 48, 0},
		{"2001:db8:1:2:aa::1", 64, 0},
		{"2001:db9::1", 1, 0},
		/* IPv4-mapped: the IPv4 client's, as its greylist entry. */
		{"::ffff:10.9.8.7", 6, 6},
		{"::FFFF:10.9.8.6", 5, 0},
	};
	struct entity_query q = {NULL, NULL, NULL};
	struct entity_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		q.client_address = rows[i].client;
		entity_lookup(base, &q, &c);
		ROW_CHECK(rows[i].client, c.greylisttime
		    == rows[i].greylisttime);
		ROW_CHECK(rows[i].client, rows[i].files == 0
		    || c.files_read == rows[i].files);
		ROW_CHECK(rows[i].client, c.status == ENTITY_OK);
		ROW_CHECK(rows[i].client, strcmp(c.checkers, "spf,greylist")
		    == 0 && c.expiredays == 10.0);
	}
}

static void
test_pass_semantics(void **state)
{
	struct entity_query q = {"192.0.2.9", "x@example.com",
	    "strict@example.org"};
	struct entity_conf c;

	(void)state;
	/* A17/A18: the /24 empties CHECKERS and OTHERCONFIGS, but the
	 * pass's list was taken before, so the recipient file still
	 * applies and greylisting is back. */
	entity_lookup(base, &q, &c);
	assert_string_equal(c.checkers, "greylist");
	assert_int_equal(c.greylisttime, 300);
	q.recipient = "other@example.org";
	entity_lookup(base, &q, &c);
	assert_string_equal(c.checkers, "");
	assert_string_equal(c.otherconfigs, "");
}

static void
test_addresses(void **state)
{
	struct entity_query q = {NULL, ".leading@example.com", NULL};
	struct entity_conf c;
	char *diag;

	(void)state;
	entity_lookup(base, &q, &c);
	assert_int_equal(c.greylisttime, 77);
	q.sender = "someone@ex\xc3\xa4mple.com";
	entity_lookup(base, &q, &c);
	assert_int_equal(c.greylisttime, 88);
	q.sender = "no-at-sign";
	entity_lookup(base, &q, &c);
	assert_int_equal(c.greylisttime, 600);
	q.sender = "";
	q.recipient = "a@example.net";
	entity_lookup(base, &q, &c);
	assert_true(entity_expire_days(&c) == 2.5);
	/* A client that is not an address never reaches a path. */
	q.client_address = "../../etc";
	capture_begin();
	entity_lookup(base, &q, &c);
	diag = capture_end();
	assert_non_null(strstr(diag, "unusable for config lookup"));
}

static void
test_bad_lines(void **state)
{
	struct entity_query q = {NULL, "x@broken.example", NULL};
	struct entity_conf c;
	char *diag;

	(void)state;
	capture_begin();
	entity_lookup(base, &q, &c);
	diag = capture_end();
	/* Each bad line named with file:line; good lines still apply. */
	assert_non_null(strstr(diag, "broken.example/__default__:1: "
	    "GREYLISTTIME must be whole seconds"));
	assert_non_null(strstr(diag, "__default__:2: unknown name"));
	assert_non_null(strstr(diag, "__default__:3: ERROR parsing line"));
	assert_non_null(strstr(diag, "__default__:4: GREYLISTEXPIREDAYS"));
	assert_int_equal(c.greylisttime, 600);
	assert_true(c.expiredays == 10.0);
	assert_string_equal(c.checkers, "greylist");
}

static void
test_unknown_type(void **state)
{
	struct entity_query q = {NULL, "x@example.com", "a@loop.example"};
	struct entity_conf c;
	char *diag;

	(void)state;
	capture_begin();
	entity_lookup(base, &q, &c);
	diag = capture_end();
	assert_non_null(strstr(diag, "Unknown configuration type: "
	    "\"bogus_type\""));
	/* envelope_sender was already applied: not applied twice. */
	assert_int_equal(c.greylisttime, 600);
}

static void
test_limits(void **state)
{
	struct entity_query q = {NULL, "x@long.example", NULL};
	struct entity_conf c;
	char p[512], *big, *diag;

	(void)state;
	big = malloc(ENTITY_FILE_MAX + 4096);
	assert_non_null(big);
	memset(big, 'x', 3000);
	strcpy(big + 3000, "\nGREYLISTTIME = 5\n");
	snprintf(p, sizeof(p), "%s/envelope_sender/long.example/__default__",
	    base);
	write_file(p, big);
	capture_begin();
	entity_lookup(base, &q, &c);
	diag = capture_end();
	assert_non_null(strstr(diag, ":1: line longer than"));
	assert_int_equal(c.greylisttime, 5);
	free(big);
}

/* no_control - no control byte but the newlines that end messages */
static int
no_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return (0);
	return (1);
}

/* Values from a request reach the log only through log_safe(). */
static void
test_log_safe(void **state)
{
	/* Too long for a lookup: logged with the escape at their start. */
	static char long_sender[320], long_recipient[320];
	const struct entity_query rows[] = {
		{"\033[31m1.2.3.4", NULL, NULL},
		{"10.9.8.7", "\033[31m\001x@\033]0;title\007example.com",
		    "\033[2J@\177"},
		{NULL, long_sender, long_recipient},
	};
	struct entity_conf c;
	char *diag;
	size_t i;

	(void)state;
	memset(long_sender, 'a', 300);
	memcpy(long_sender, "\033[31m", 5);
	strcpy(long_sender + 300, "@x.org");
	strcpy(long_recipient, "\033[31m@");
	memset(long_recipient + 6, 'a', 300);
	log_set_verbose(1);	/* debugLevel 3: every message */
	for (i = 0; i < NROWS(rows); i++) {
		capture_begin();
		entity_lookup(base, &rows[i], &c);
		diag = capture_end();
		if (!no_control(diag))
			ROW_FAIL(rows[i].sender ? rows[i].sender
			    : rows[i].client_address, "log: %s", diag);
	}
	log_set_verbose(0);
	/* The messages are still there, with the bytes shown as "?". */
	capture_begin();
	entity_lookup(base, &rows[0], &c);
	diag = capture_end();
	assert_non_null(strstr(diag, "\"?[31m1.2.3.4\" unusable"));
}

/*
 * What cannot be read is reported with its cause and marked in the
 * result; a missing or unreadable __default__ marks it unusable. Root
 * reads everything: the permission rows run with the effective uid of
 * nobody, the rest of the test as whoever runs it.
 */
static void
test_unreadable(void **state)
{
	static const struct {
		const char *name;
		const char *setup;	/* shell, in the tree */
		int as_other;		/* run the lookup without root */
		const char *client, *sender;
		enum entity_status status;
		const char *diag;	/* expected in the log, or "" */
	} rows[] = {
		{"all readable", "", 0, "10.9.8.7", "x@example.com",
		    ENTITY_OK, ""},
		{"long local part", "", 0, "10.9.8.7", "%%%%%%%%%%%%%%%%%%%%"
		    "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%"
		    "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%"
		    "@example.com", ENTITY_OK, ""},
		{"no __default__", "rm __default__", 0, "10.9.8.7", NULL,
		    ENTITY_NO_DEFAULT, "__default__: missing"},
		{"__default__ a directory", "rm __default__ && mkdir "
		    "__default__", 0, NULL, NULL, ENTITY_NO_DEFAULT,
		    "__default__: missing"},
		{"__default__ a FIFO", "rm __default__ && mkfifo __default__",
		    0, NULL, NULL, ENTITY_NO_DEFAULT,
		    "__default__: cannot read: not a regular file"},
		{"__default__ a link loop", "rm __default__ && ln -s "
		    "__default__ __default__", 0, NULL, NULL, ENTITY_NO_DEFAULT,
		    "__default__: cannot read: Too many levels"},
		{"__default__ mode 000", "chmod 000 __default__", 1, NULL, NULL,
		    ENTITY_NO_DEFAULT, "__default__: cannot read: Permission"},
		{"configPath mode 000", "chmod 000 .", 1, NULL, NULL,
		    ENTITY_NO_DEFAULT, "__default__: cannot read: Permission"},
		{"client directory mode 000", "chmod 000 client_address/10/9",
		    1, "10.9.8.7", NULL, ENTITY_UNREADABLE,
		    "client_address/10/9/__default__: cannot read: Permission"},
		{"client file mode 000", "chmod 000 client_address/10/9/8/7",
		    1, "10.9.8.7", NULL, ENTITY_UNREADABLE,
		    "client_address/10/9/8/7: cannot read: Permission"},
		{"domain directory mode 000", "chmod 000 "
		    "envelope_sender/example.com", 1, NULL, "x@example.com",
		    ENTITY_UNREADABLE, "example.com/__default__: cannot read: "
		    "Permission"},
	};
	struct entity_query q;
	struct entity_conf c;
	char tree[256], cmd[1024], *diag;
	size_t i;
	int root = geteuid() == 0;

	(void)state;
	assert_int_equal(chmod(base, 0755), 0);	/* for nobody */
	snprintf(tree, sizeof(tree), "%s/unreadable", base);
	for (i = 0; i < NROWS(rows); i++) {
		snprintf(cmd, sizeof(cmd), "%s/__default__", tree);
		write_file(cmd, "CHECKERS = greylist\nOTHERCONFIGS = "
		    "client_address,envelope_sender\n");
		snprintf(cmd, sizeof(cmd), "%s/client_address/10/9/8/7", tree);
		write_file(cmd, "GREYLISTTIME = 7\n");
		snprintf(cmd, sizeof(cmd), "%s/envelope_sender/example.com/"
		    "__default__", tree);
		write_file(cmd, "GREYLISTTIME = 8\n");
		snprintf(cmd, sizeof(cmd), "cd '%s' && %s", tree,
		    rows[i].setup[0] ? rows[i].setup : "true");
		assert_int_equal(system(cmd), 0);
		q.client_address = rows[i].client;
		q.sender = rows[i].sender;
		q.recipient = NULL;
		if (rows[i].as_other && root)
			assert_int_equal(seteuid(65534), 0);
		capture_begin();
		entity_lookup(tree, &q, &c);
		diag = capture_end();
		if (rows[i].as_other && root)
			assert_int_equal(seteuid(0), 0);
		snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'",
		    tree, tree);
		assert_int_equal(system(cmd), 0);
		if (c.status != rows[i].status)
			ROW_FAIL(rows[i].name, "status %d, log: %s", c.status,
			    diag);
		if (rows[i].diag[0] == 0 ? strstr(diag, "cannot read") != NULL
		    : strstr(diag, rows[i].diag) == NULL)
			ROW_FAIL(rows[i].name, "log: %s", diag);
	}
	assert_int_equal(chmod(base, 0700), 0);
}

/*
 * A line of ENTITY_LINE_MAX bytes (not counting its newline) is read; one
 * byte more is reported and skipped; either way the next line applies.
 */
static void
test_line_edges(void **state)
{
	static const struct {
		const char *name;
		size_t len;		/* bytes before the newline */
		int value;		/* the long line is a setting */
		int problems;
	} rows[] = {
		{"comment 1023", ENTITY_LINE_MAX - 1, 0, 0},
		{"comment 1024", ENTITY_LINE_MAX, 0, 0},
		{"comment 1025", ENTITY_LINE_MAX + 1, 0, 1},
		{"setting 1024", ENTITY_LINE_MAX, 1, 0},
		{"setting 1025", ENTITY_LINE_MAX + 1, 1, 1},
	};
	struct entity_conf c;
	char p[512], text[ENTITY_LINE_MAX + 64];
	size_t i;

	(void)state;
	snprintf(p, sizeof(p), "%s/edge", base);
	for (i = 0; i < NROWS(rows); i++) {
		if (rows[i].value) {
			/* "CHECKERS = spf" padded with blanks */
			memset(text, ' ', rows[i].len);
			memcpy(text, "CHECKERS = spf", 14);
		} else {
			memset(text, 'x', rows[i].len);
			text[0] = '#';
		}
		strcpy(text + rows[i].len, "\nGREYLISTTIME = 42\n");
		write_file(p, text);
		memset(&c, 0, sizeof(c));
		capture_begin();
		entity_read_file(p, &c);
		(void)capture_end();
		ROW_CHECK(rows[i].name, (c.set & ENTITY_GREYLISTTIME)
		    && c.greylisttime == 42);
		ROW_CHECK(rows[i].name, c.problems == rows[i].problems);
		ROW_CHECK(rows[i].name, rows[i].value == 0 || rows[i].problems
		    || strcmp(c.checkers, "spf") == 0);
	}
}

/*
 * Reading is bounded by bytes read, not by what strlen() sees: a line
 * of NUL bytes counts against the line limit, a 16 MiB single line is
 * not read to its end, a FIFO never blocks the open.
 */
static void
test_read_bounds(void **state)
{
	struct entity_conf c;
	char p[512], *text, *diag;
	long long before;
	FILE *fp;
	int rc;

	(void)state;
	snprintf(p, sizeof(p), "%s/nul", base);
	text = calloc(1, 2 * ENTITY_LINE_MAX);
	assert_non_null(text);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fwrite(text, 1, 2 * ENTITY_LINE_MAX, fp);	/* NUL-only line */
	fwrite("\nCHECKERS = spf\0junk\n", 1, 21, fp);
	fputs("GREYLISTTIME = 42\n", fp);
	fclose(fp);
	free(text);
	memset(&c, 0, sizeof(c));
	capture_begin();
	entity_read_file(p, &c);
	diag = capture_end();
	assert_non_null(strstr(diag, "nul:1: line longer than 1024 bytes"));
	assert_non_null(strstr(diag, "nul:2: NUL byte"));
	assert_int_equal(c.problems, 2);
	assert_false(c.set & ENTITY_CHECKERS);
	assert_int_equal(c.greylisttime, 42);
	/* One line of 16 MiB: at most about ENTITY_FILE_MAX is read. */
	snprintf(p, sizeof(p), "%s/huge", base);
	write_file(p, "#");
	assert_int_equal(truncate(p, 16 << 20), 0);
	memset(&c, 0, sizeof(c));
	before = bytes_read();
	capture_begin();
	entity_read_file(p, &c);
	diag = capture_end();
	assert_true(bytes_read() - before < ENTITY_FILE_MAX + 65536);
	assert_non_null(strstr(diag, "huge:1: file longer than 65536 bytes"));
	remove(p);
	/* A FIFO without a writer: refused at once. */
	snprintf(p, sizeof(p), "%s/fifo", base);
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(20);
	memset(&c, 0, sizeof(c));
	capture_begin();
	rc = entity_read_file(p, &c);
	diag = capture_end();
	alarm(0);
	remove(p);
	assert_int_equal(rc, -1);
	assert_int_equal(c.status, ENTITY_UNREADABLE);
	assert_non_null(strstr(diag, "fifo: cannot read: not a regular "
	    "file"));
}

/* A clock an hour ahead: no file is "just changed" for the cache. */
static int64_t
later_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000
	    + 3600LL * 1000000);
}

/* reads - how many files a captured log says were read */
static int
reads(const char *diag)
{
	int n = 0;

	while ((diag = strstr(diag, ": reading")) != NULL) {
		n++;
		diag++;
	}
	return (n);
}

/* lookup_time - GREYLISTTIME of dir's tree (-1: none), files read */
static long long
lookup_time(const char *dir, int *reads_r)
{
	struct entity_query q = {NULL, NULL, NULL};
	struct entity_conf c;

	capture_begin();
	entity_lookup(dir, &q, &c);
	*reads_r = reads(capture_end());
	return ((c.set & ENTITY_GREYLISTTIME) ? c.greylisttime : -1);
}

/*
 * The service's cache: a file is parsed once, and every change the
 * stat() can see reads it again, even one with the same size and
 * modification time (a new inode; a new change time); a removed file
 * is forgotten; a file changed just before it was read is read again.
 */
static void
test_fc_edits(void **state)
{
	struct timespec coarse, times[2];
	struct stat st0, st1;
	size_t files, bytes;
	char dir[512], p[600], tmp[600];
	int n, fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/fc", base);
	snprintf(p, sizeof(p), "%s/__default__", dir);
	snprintf(tmp, sizeof(tmp), "%s/new", dir);
	log_set_verbose(1);
	entity_cache_clock(later_us);
	entity_cache_limit(0, 0);		/* empty it */
	entity_cache_limit(1024, 4 << 20);
	write_file(p, "GREYLISTTIME = 111\n");
	assert_int_equal(lookup_time(dir, &n), 111);
	assert_int_equal(n, 1);
	assert_int_equal(lookup_time(dir, &n), 111);
	assert_int_equal(n, 0);			/* kept */
	/* Same size and mtime, a new inode (an editor's rename). */
	assert_int_equal(stat(p, &st0), 0);
	write_file(tmp, "GREYLISTTIME = 222\n");
	times[0] = st0.st_atim;
	times[1] = st0.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, tmp, times, 0), 0);
	assert_int_equal(rename(tmp, p), 0);
	assert_int_equal(stat(p, &st1), 0);
	assert_true(st1.st_ino != st0.st_ino && st1.st_size == st0.st_size
	    && st1.st_mtim.tv_sec == st0.st_mtim.tv_sec
	    && st1.st_mtim.tv_nsec == st0.st_mtim.tv_nsec);
	assert_int_equal(lookup_time(dir, &n), 222);
	assert_int_equal(lookup_time(dir, &n), 222);
	assert_int_equal(n, 0);
	/* Same inode, size and mtime, a new ctime (rewritten in place,
	 * mtime put back); first the clock the kernel stamps with must
	 * pass the present ctime. */
	st0 = st1;
	do
		clock_gettime(CLOCK_REALTIME_COARSE, &coarse);
	while (coarse.tv_sec < st0.st_ctim.tv_sec || (coarse.tv_sec ==
	    st0.st_ctim.tv_sec && coarse.tv_nsec <= st0.st_ctim.tv_nsec));
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "GREYLISTTIME = 333\n", 19, 0), 19);
	close(fd);
	times[0] = st0.st_atim;
	times[1] = st0.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
	assert_int_equal(stat(p, &st1), 0);
	assert_true(st1.st_ino == st0.st_ino && st1.st_size == st0.st_size
	    && st1.st_mtim.tv_sec == st0.st_mtim.tv_sec
	    && st1.st_mtim.tv_nsec == st0.st_mtim.tv_nsec
	    && (st1.st_ctim.tv_sec != st0.st_ctim.tv_sec
	    || st1.st_ctim.tv_nsec != st0.st_ctim.tv_nsec));
	assert_int_equal(lookup_time(dir, &n), 333);
	/* Removed: no setting, and nothing kept. */
	entity_cache_usage(&files, &bytes);
	assert_int_equal(files, 1);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(lookup_time(dir, &n), -1);
	entity_cache_usage(&files, &bytes);
	assert_int_equal(files, 0);
	assert_int_equal(bytes, 0);
	/* Just changed (the real clock): read at every lookup. */
	entity_cache_clock(NULL);
	write_file(p, "GREYLISTTIME = 444\n");
	assert_int_equal(lookup_time(dir, &n), 444);
	assert_int_equal(n, 1);
	assert_int_equal(lookup_time(dir, &n), 444);
	assert_int_equal(n, 1);
	assert_int_equal(unlink(p), 0);
	(void)lookup_time(dir, &n);
	log_set_verbose(0);
}

/* The service's cache is bounded in files and in bytes, the least
 * recently used leaving first. */
static void
test_fc_bounds(void **state)
{
	struct entity_conf c;
	size_t files, bytes, one;
	char p[600];
	int i, ok;

	(void)state;
	log_set_verbose(1);
	entity_cache_clock(later_us);
	entity_cache_limit(0, 0);		/* empty it */
	entity_cache_limit(8, 1 << 20);
	for (i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "%s/fcb/f%d", base, i);
		snprintf(p + 500, 100, "GREYLISTTIME = %d\n", i);
		write_file(p, p + 500);
		memset(&c, 0, sizeof(c));
		entity_read_file(p, &c);
		entity_cache_usage(&files, &bytes);
		ROW_CHECK(p, files == (size_t)(i < 8 ? i + 1 : 8));
	}
	/* The last 8 are kept, the first is read again. */
	for (i = 19; i >= 0; i--) {
		snprintf(p, sizeof(p), "%s/fcb/f%d", base, i);
		memset(&c, 0, sizeof(c));
		capture_begin();
		entity_read_file(p, &c);
		ok = c.greylisttime == i && reads(capture_end()) ==
		    (i >= 12 ? 0 : 1);
		ROW_CHECK(p, ok);
		if (i == 12)
			break;
	}
	snprintf(p, sizeof(p), "%s/fcb/f0", base);
	memset(&c, 0, sizeof(c));
	capture_begin();
	entity_read_file(p, &c);
	assert_int_equal(reads(capture_end()), 1);
	assert_int_equal(c.greylisttime, 0);
	/* By bytes: room for three. */
	entity_cache_limit(1, 1 << 20);
	entity_cache_usage(&files, &one);
	assert_int_equal(files, 1);
	entity_cache_limit(100, 3 * one + one / 2);
	for (i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "%s/fcb/f%d", base, i);
		memset(&c, 0, sizeof(c));
		entity_read_file(p, &c);
	}
	entity_cache_usage(&files, &bytes);
	assert_int_equal(files, 3);
	assert_true(bytes <= 3 * one + one / 2);
	entity_cache_limit(0, 0);
	entity_cache_usage(&files, &bytes);
	assert_int_equal(files + bytes, 0);
	entity_cache_limit(1024, 4 << 20);
	entity_cache_clock(NULL);
	log_set_verbose(0);
}

/* Runs last: the cache, once on, stays on for the process. */
static void
test_cache(void **state)
{
	static const struct entity_query qs[] = {
		{"10.9.8.7", "x@broken.example", "strict@example.org"},
		{"192.0.2.9", "x@example.com", "strict@example.org"},
		{"2001:db8:1:2:aa::1", ".leading@example.com", "a@example.net"},
		{"10.9.8.6", "someone@ex\xc3\xa4mple.com", NULL},
	};
	struct entity_conf plain[4], cached, again;
	char *diag;
	int ok[4];
	size_t i;

	(void)state;
	capture_begin();
	for (i = 0; i < 4; i++)
		entity_lookup(base, &qs[i], &plain[i]);
	(void)capture_end();
	entity_cache_enable();
	capture_begin();
	for (i = 0; i < 4; i++) {
		entity_lookup(base, &qs[i], &cached);
		entity_lookup(base, &qs[i], &again);
		/* Same result as from disk, the first time and from cache;
		 * problems are counted when a file is first parsed only. */
		cached.problems = again.problems = plain[i].problems = 0;
		ok[i] = memcmp(&cached, &plain[i], sizeof(cached)) == 0
		    && memcmp(&again, &plain[i], sizeof(again)) == 0;
	}
	diag = capture_end();
	for (i = 0; i < 4; i++)
		ROW_CHECK(qs[i].client_address, ok[i]);
	/* A bad file is reported once a run, not once an entry. */
	assert_non_null(strstr(diag, "broken.example/__default__:2"));
	assert_null(strstr(strstr(diag, "broken.example/__default__:2") + 1,
	    "broken.example/__default__:2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_order),
		cmocka_unit_test(test_pass_semantics),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_line_edges),
		cmocka_unit_test(test_log_safe),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_read_bounds),
		cmocka_unit_test(test_fc_edits),
		cmocka_unit_test(test_fc_bounds),
		cmocka_unit_test(test_cache),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
