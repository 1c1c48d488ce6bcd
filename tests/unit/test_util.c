/*
 * NAME
 *	test_util - unit tests for util.c
 * DESCRIPTION
 *	strnum_ll and strnum_double accept whole numbers in range only,
 *	and leave the output alone on error. std_fds_guard keeps the
 *	numbers of closed standard descriptors taken, still failing as
 *	closed ones do.
 */

#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "util.h"

static const struct {
	const char *in;
	int	ok;
	long long v;
} ll_rows[] = {
	{"600", 1, 600}, {" +5 ", 1, 5}, {"-3", 1, -3}, {"0", 1, 0},
	{"600.0", 0, 0}, {"10m", 0, 0}, {"0x10", 0, 0}, {"", 0, 0},
	{"  ", 0, 0}, {"1 2", 0, 0}, {"99999999999999999999", 0, 0},
	{"1001", 0, 0}, {"-1001", 0, 0}, {"+", 0, 0},
};

static void
test_ll(void **state)
{
	long long v;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(ll_rows); i++) {
		v = 4242;
		ROW_CHECK(ll_rows[i].in, (strnum_ll(ll_rows[i].in, -1000, 1000,
		    &v) == 0) == ll_rows[i].ok);
		ROW_CHECK(ll_rows[i].in, v == (ll_rows[i].ok ? ll_rows[i].v
		    : 4242));
	}
}

static const struct {
	const char *in;
	int	ok;
	double	v;
} d_rows[] = {
	{"10.0", 1, 10.0}, {" 7 ", 1, 7.0}, {"1e1", 1, 10.0}, {".5", 1, 0.5},
	{"nan", 0, 0}, {"inf", 0, 0}, {"0x10", 0, 0}, {"-1", 0, 0},
	{"10 days", 0, 0}, {"", 0, 0}, {"1e999", 0, 0},
};

static void
test_double(void **state)
{
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(d_rows); i++) {
		v = 42.0;
		ROW_CHECK(d_rows[i].in, (strnum_double(d_rows[i].in, 0, 36500,
		    &v) == 0) == d_rows[i].ok);
		ROW_CHECK(d_rows[i].in, v == (d_rows[i].ok ? d_rows[i].v
		    : 42.0));
	}
}

/* fds_child - in a child: close 0-2, guard, check; exit 0 when right */

static int
fds_child(void)
{
	char c = 'x';
	int fd;

	close(0);
	close(1);
	close(2);
	if (std_fds_guard() != 0)
		return (1);
	/* The next open takes a number above 2 ... */
	if ((fd = open("/dev/null", O_RDONLY)) < 3)
		return (2);
	/* ... and the closed ones still fail as closed ones do. */
	if (read(0, &c, 1) != -1 || errno != EBADF)
		return (3);
	if (write(1, &c, 1) != -1 || errno != EBADF)
		return (4);
	if (write(2, &c, 1) != -1 || errno != EBADF)
		return (5);
	/* Open descriptors are left alone. */
	if (std_fds_guard() != 0 || open("/dev/null", O_RDONLY) != fd + 1)
		return (6);
	return (0);
}

static void
test_std_fds(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if ((pid = fork()) == 0)
		_exit(fds_child());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ll),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_std_fds),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
