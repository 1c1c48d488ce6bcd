/*	testlib.h - shared bits of the cmocka unit tests */
#ifndef GREYSPF_TESTLIB_H
#define GREYSPF_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

/* Fail naming the table row, so a failing row is found at once. */
#define ROW_FAIL(row, ...) do { \
	print_error("row \"%s\": ", (row)); \
	print_error(__VA_ARGS__); \
	print_error("\n"); \
	fail(); \
} while (0)

#define ROW_CHECK(row, cond) do { \
	if (!(cond)) \
		ROW_FAIL((row), "check failed: %s", #cond); \
} while (0)

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

#endif

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Diagnostics go to stderr (log.c's tool sink); a test that checks them
 * sends fd 2 to a temporary file and reads it back.
 */
static int testlib_saved_fd = -1;
static FILE *testlib_capture;

static inline void
capture_begin(void)
{
	fflush(stderr);
	testlib_capture = tmpfile();
	assert_non_null(testlib_capture);
	testlib_saved_fd = dup(2);
	dup2(fileno(testlib_capture), 2);
}

static inline char *
capture_end(void)
{
	static char buf[16384];
	size_t n;

	fflush(stderr);
	dup2(testlib_saved_fd, 2);
	close(testlib_saved_fd);
	rewind(testlib_capture);
	n = fread(buf, 1, sizeof(buf) - 1, testlib_capture);
	buf[n] = 0;
	fclose(testlib_capture);
	return (buf);
}

/* write_file - create path (and its directories) with content */
static inline void
write_file(const char *path, const char *content)
{
	char cmd[4096];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

static inline char *
make_tmpdir(void)
{
	static char dir[64];

	strcpy(dir, "/tmp/greyspf-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return (dir);
}

static inline void
remove_tree(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* bytes_read - what this process has read so far (/proc/self/io rchar),
 * to check that a reader stops at its bound */
static inline long long
bytes_read(void)
{
	char line[128];
	long long n = -1;
	FILE *fp;

	fp = fopen("/proc/self/io", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "rchar: %lld", &n) == 1)
			break;
	fclose(fp);
	assert_true(n >= 0);
	return (n);
}
