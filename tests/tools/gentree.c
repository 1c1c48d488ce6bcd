/*
 * NAME
 *	gentree - generate a tumgreyspf data tree for tests and benchmarks
 * SYNOPSIS
 *	gentree dir count [seed]
 * DESCRIPTION
 *	Writes count distinct entries below dir, exactly as tumgreyspf
 *	lays them out (legacy_format_path, legacy_write_entry): IPv4 /24
 *	and host triplets, IPv6 host triplets, the collapsed IPv6 entry's
 *	form, and IP-only entries; senders and recipients with every odd
 *	byte (blank, quote, %, /, =, #, ~, UTF-8, a leading dot). mtime and
 *	atime carry microseconds. The same seed gives the same tree.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "legacy.h"
#include "legacy_tree.h"
#include "util.h"
#include "xorshift.h"

static uint64_t rng;

/* next - the file's next pseudo-random number */

static uint64_t
next(void)
{
	return (xorshift_next(&rng));
}

static const char *const odd[] = {
	"", "", "", "", " ", "\"", "%", "/", "=", "#", "~", "\xc3\xa9",
	"'", "!", "$", "&", "*", "+", "_", "-", ".", "\x01", "\xff", "a.b",
};
#define NODD (sizeof(odd) / sizeof(odd[0]))

int
main(int argc, char **argv)
{
	char sender[256], recipient[256], path[LEGACY_PATH_MAX];
	struct greykey key;
	struct netaddr a;
	const char *why;
	long long count, seed = 1, i;
	int64_t base = (int64_t)1795235937 * 1000000, allow, last;
	int rootfd, rc, kind;

	if (argc < 3 || argc > 4 || strnum_ll(argv[2], 1, 100000000, &count)
	    < 0 || (argc == 4 && strnum_ll(argv[3], 1, 1LL << 62, &seed) < 0)) {
		fprintf(stderr, "usage: gentree dir count [seed]\n");
		return (2);
	}
	rng = (uint64_t)seed * 0x9e3779b97f4a7c15ULL | 1;
	if (mkdir(argv[1], 0755) < 0 || (rootfd = open(argv[1], O_RDONLY
	    | O_DIRECTORY)) < 0) {
		perror(argv[1]);
		return (1);
	}
	for (i = 0; i < count; i++) {
		memset(&a, 0, sizeof(a));
		kind = (int)(next() % 100);
		/* i itself is in every key, so keys are distinct. */
		snprintf(sender, sizeof(sender), "%s%suser%lld%s@dom%lld.example",
		    next() % 50 == 0 ? "." : "", odd[next() % NODD], i,
		    odd[next() % NODD], (long long)(next() % 997));
		snprintf(recipient, sizeof(recipient), "rcpt%lld%s@example.org",
		    (long long)(next() % 5000), odd[next() % NODD]);
		if (kind < 70 || kind >= 95) {
			a.family = 4;
			a.plen = kind < 60 ? 24 : 32;
			a.bytes[0] = (uint8_t)(1 + next() % 223);
			a.bytes[1] = (uint8_t)next();
			a.bytes[2] = (uint8_t)next();
			a.bytes[3] = a.plen == 32 ? (uint8_t)next() : 0;
		} else {
			a.family = 6;
			a.plen = 128;
			a.bytes[0] = 0x20;
			a.bytes[1] = 0x01;
			a.bytes[2] = 0x0d;
			a.bytes[3] = 0xb8;
			a.bytes[8] = (uint8_t)next();
			a.bytes[15] = (uint8_t)next();
		}
		if (kind >= 95) {
			/* IP only: the index makes the client distinct. */
			a.plen = 32;
			a.bytes[0] = (uint8_t)(224 + i % 16);
			a.bytes[1] = (uint8_t)(i >> 16);
			a.bytes[2] = (uint8_t)(i >> 8);
			a.bytes[3] = (uint8_t)i;
			key_set(&key, KEY_IPONLY, &a, "", "");
		} else if (key_set(&key, KEY_TRIPLET, &a, sender, recipient) < 0)
			return (1);
		if (legacy_format_path(&key, path, sizeof(path), &why) < 0) {
			fprintf(stderr, "gentree: %s\n", why);
			return (1);
		}
		allow = base + (int64_t)(next() % (86400LL * 30 * 1000000));
		last = allow + (int64_t)(next() % (3600LL * 1000000))
		    - 1800LL * 1000000;
		if ((rc = legacy_write_entry(rootfd, path, allow, last)) != 0) {
			fprintf(stderr, "gentree: %s: %s\n", path, strerror(rc));
			return (1);
		}
	}
	close(rootfd);
	return (0);
}
