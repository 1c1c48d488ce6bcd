/*
 * NAME
 *	test_fd - unit tests for fd.c
 * DESCRIPTION
 *	Both ways of closing every descriptor from a number up leave the
 *	lower ones open and none above: close_range(2), and the fallback
 *	for kernels without it (one close a descriptor).
 */

#include <fcntl.h>
#include <unistd.h>

#include "testlib.h"

#include "fd.h"

static void
check(int (*fn)(int))
{
	int fds[8], i, keep;

	for (i = 0; i < 8; i++)
		assert_true((fds[i] = open("/dev/null", O_RDONLY)) >= 0);
	keep = fds[3];
	assert_int_equal(fn(fds[4]), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(fcntl(fds[i], F_GETFD) >= 0, fds[i] <= keep);
	/* Far above, dup2'd: closed too. */
	assert_int_equal(dup2(fds[0], 1000), 1000);
	assert_int_equal(fn(fds[4]), 0);
	assert_int_equal(fcntl(1000, F_GETFD), -1);
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

static void
test_close_from(void **state)
{
	(void)state;
	check(fd_close_from);
}

static void
test_close_each(void **state)
{
	(void)state;
	check(fd_close_each);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_from),
		cmocka_unit_test(test_close_each),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
