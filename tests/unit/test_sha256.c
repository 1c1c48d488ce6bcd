/*
 * NAME
 *	test_sha256 - unit tests for sha256.c
 * DESCRIPTION
 *	The FIPS 180-4 example digests, and every length around the block
 *	and padding edges against a second computation (a long input
 *	hashed at once equals the published digest of a million "a").
 */

#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

#include "sha256.h"

static void
hex(const unsigned char *d, char *out)
{
	int i;

	for (i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const struct {
	const char *in;
	const char *want;
} rows[] = {
	{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	/* 55, 56, 63 and 64 bytes: the padding's edges. */
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
};

static void
test_vectors(void **state)
{
	unsigned char d[SHA256_LEN];
	char got[2 * SHA256_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		sha256(rows[i].in, strlen(rows[i].in), d);
		hex(d, got);
		ROW_CHECK(rows[i].in, strcmp(got, rows[i].want) == 0);
	}
}

static void
test_million(void **state)
{
	unsigned char d[SHA256_LEN];
	char got[2 * SHA256_LEN + 1];
	char *a = malloc(1000000);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	sha256(a, 1000000, d);
	hex(d, got);
	assert_string_equal(got,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
