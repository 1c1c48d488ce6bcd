/*
 * NAME
 *	test_listen - unit tests for listen.c
 * DESCRIPTION
 *	Listen specs: unix:/path, inet:IPv4:PORT, inet:[IPv6]:PORT, and
 *	what is refused (names, ports out of range, relative paths, empty
 *	list entries, too many); output left alone on error. Binding a
 *	unix socket: its mode, a stale socket replaced, a file of another
 *	type never removed.
 */

#include "testlib.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdlib.h>

#include "listen.h"
#include "log.h"

static const struct {
	const char *in;
	int	family;		/* 0: refused */
	int	port;
} rows[] = {
	{"unix:/var/spool/postfix/greyspf/greyspf.sock", AF_UNIX, 0},
	{"inet:127.0.0.1:10040", AF_INET, 10040},
	{"inet:0.0.0.0:1", AF_INET, 1},
	{"inet:[::1]:10040", AF_INET6, 10040},
	{"inet:[2001:db8::25]:65535", AF_INET6, 65535},
	{"unix:relative/path", 0, 0},
	{"unix:", 0, 0},
	{"inet:127.0.0.1", 0, 0},
	{"inet:127.0.0.1:0", 0, 0},
	{"inet:127.0.0.1:65536", 0, 0},
	{"inet:127.0.0.1:10040x", 0, 0},
	{"inet:localhost:10040", 0, 0},
	{"inet:::1:10040", 0, 0},
	{"inet:[127.0.0.1]:10040", 0, 0},
	{"inet:[::1]10040", 0, 0},
	{"inet:[::1:10040", 0, 0},
	{"inet::10040", 0, 0},
	{"tcp:127.0.0.1:10040", 0, 0},
	{"127.0.0.1:10040", 0, 0},
	{"", 0, 0},
	{"unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0},
};

static void
test_parse(void **state)
{
	struct listen_spec s;
	const char *why;
	size_t i;
	int port;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(&s, 0x5a, sizeof(s));
		why = NULL;
		if (rows[i].family == 0) {
			ROW_CHECK(rows[i].in, listen_parse(rows[i].in, &s,
			    &why) == -1 && why != NULL
			    && ((unsigned char *)&s)[0] == 0x5a);
			continue;
		}
		ROW_CHECK(rows[i].in, listen_parse(rows[i].in, &s, &why) == 0
		    && s.family == rows[i].family
		    && strcmp(s.text, rows[i].in) == 0);
		port = s.family == AF_INET ? ntohs(((struct sockaddr_in *)
		    &s.addr)->sin_port) : s.family == AF_INET6 ? ntohs(
		    ((struct sockaddr_in6 *)&s.addr)->sin6_port) : 0;
		ROW_CHECK(rows[i].in, port == rows[i].port);
	}
}

static void
test_list(void **state)
{
	struct listen_spec s[LISTEN_MAX];
	char many[LISTEN_MAX * 32 + 32];
	const char *why;
	int n, i;

	(void)state;
	n = 0;
	assert_int_equal(listen_parse_list(" unix:/a/s ,inet:[::1]:25\t, "
	    "inet:127.0.0.1:10040", s, LISTEN_MAX, &n, &why), 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].text, "unix:/a/s");
	assert_int_equal(s[1].family, AF_INET6);
	assert_string_equal(s[2].text, "inet:127.0.0.1:10040");
	/* Appends to what is there (repeated -l). */
	assert_int_equal(listen_parse_list("unix:/b", s, LISTEN_MAX, &n,
	    &why), 0);
	assert_int_equal(n, 4);
	n = 0;
	assert_int_equal(listen_parse_list("unix:/a,,unix:/b", s, LISTEN_MAX,
	    &n, &why), -1);
	assert_int_equal(n, 0);
	assert_int_equal(listen_parse_list("unix:/a,", s, LISTEN_MAX, &n,
	    &why), -1);
	assert_int_equal(listen_parse_list("", s, LISTEN_MAX, &n, &why), -1);
	many[0] = 0;
	for (i = 0; i <= LISTEN_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%sinet:127.0.0.1:%d", i ? "," : "", 1000 + i);
	assert_int_equal(listen_parse_list(many, s, LISTEN_MAX, &n, &why),
	    -1);
	assert_string_equal(why, "too many listening sockets");
	assert_int_equal(n, 0);
}

static void
test_bind_unix(void **state)
{
	char dir[] = "/tmp/test_listen.XXXXXX", spec[128], path[100];
	struct listen_owner own = {"", "", 0640};
	struct listen_spec s;
	struct stat sb;
	const char *why;
	int fd, fd2;

	(void)state;
	log_init("test_listen", LOG_SINK_STDERR);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	assert_int_equal(listen_parse(spec, &s, &why), 0);
	assert_true((fd = listen_bind(&s, &own)) >= 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	/* A live socket (another daemon listening) is not taken over. */
	capture_begin();
	fd2 = listen_bind(&s, &own);
	(void)capture_end();
	assert_int_equal(fd2, -1);
	assert_int_equal(stat(path, &sb), 0);
	/* A stale socket (its server gone) is replaced. */
	close(fd);
	assert_true((fd2 = listen_bind(&s, &own)) >= 0);
	close(fd2);
	/* A regular file there is left alone. */
	unlink(path);
	assert_true((fd = open(path, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	capture_begin();
	fd = listen_bind(&s, &own);
	(void)capture_end();
	assert_int_equal(fd, -1);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	unlink(path);
	rmdir(dir);
}

static char swap_target[128];

/* swap_path - the attack: the fresh socket replaced by a symlink */

static void
swap_path(const char *path)
{
	unlink(path);
	if (symlink(swap_target, path) < 0)
		fail_msg("symlink");
}

/*
 * test_bind_swapped - whoever can write the socket's directory swaps
 * the socket for a symlink between bind and chown: the symlink's target
 * keeps its owner and mode (root chowned it to socketOwner); the mode
 * is the socket's from its bind on, never set through the path
 */

static void
test_bind_swapped(void **state)
{
	char dir[] = "/tmp/test_listen.XXXXXX", spec[128], path[100];
	struct listen_owner own = {"nobody", "", 0666};
	struct listen_spec s;
	struct stat sb;
	const char *why;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	log_init("test_listen", LOG_SINK_STDERR);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(swap_target, sizeof(swap_target), "%s/victim", dir);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	assert_true((fd = open(swap_target, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(listen_parse(spec, &s, &why), 0);
	listen_bind_hook = swap_path;
	capture_begin();
	fd = listen_bind(&s, &own);
	(void)capture_end();
	listen_bind_hook = NULL;
	assert_int_equal(fd, -1);
	assert_int_equal(stat(swap_target, &sb), 0);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* No swap: the owner and the mode are set. */
	unlink(path);
	assert_true((fd = listen_bind(&s, &own)) >= 0);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_not_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_mode & 07777, 0666);
	close(fd);
	unlink(path);
	unlink(swap_target);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_bind_unix),
		cmocka_unit_test(test_bind_swapped),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
