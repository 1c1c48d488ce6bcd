/*
 * NAME
 *	driver - run a fuzz target without libFuzzer
 * SYNOPSIS
 *	fuzzrun_TARGET [-m mutations] corpus_file...
 * DESCRIPTION
 *	Feeds every corpus file to LLVMFuzzerTestOneInput, then -m
 *	deterministic mutations (bit flips, byte changes, truncations,
 *	splices of two files; fixed seed) of DRIVER_KEEP of them, spread
 *	over the corpus so that "make test" replays the
 *	corpus under ASan/UBSan with any compiler. "make fuzz" runs the
 *	same targets under libFuzzer. Prints one TAP line per target.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xorshift.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXIN	4096
#define DRIVER_KEEP	64	/* corpus files kept for mutations */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

/* next - the file's next pseudo-random number */

static uint64_t
next(void)
{
	return (xorshift_next(&rng));
}

int
main(int argc, char **argv)
{
	static uint8_t in[DRIVER_KEEP][MAXIN], buf[MAXIN];
	size_t len[DRIVER_KEEP], n = 0, i, k, m = 0, total = 0, l;
	long mutations = 0;
	int c;
	FILE *fp;

	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm')
			return (2);
		mutations = strtol(optarg, NULL, 10);
	}
	for (; optind < argc; optind++, total++) {
		if ((fp = fopen(argv[optind], "rb")) == NULL) {
			perror(argv[optind]);
			return (1);
		}
		l = fread(buf, 1, MAXIN, fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, l);
		/* Every file is run; a spread of them kept for mutations. */
		if (n < DRIVER_KEEP) {
			memcpy(in[n], buf, l);
			len[n++] = l;
		} else if ((i = next() % (total + 1)) < DRIVER_KEEP) {
			memcpy(in[i], buf, l);
			len[i] = l;
		}
	}
	if (n == 0)
		return (1);
	for (k = 0; k < (size_t)mutations; k++) {
		i = next() % n;
		m = len[i];
		memcpy(buf, in[i], m);
		switch (next() % 5) {
		case 0:
			if (m)
				buf[next() % m] ^= (uint8_t)(1 << (next() % 8));
			break;
		case 1:
			if (m)
				buf[next() % m] = (uint8_t)next();
			break;
		case 2:
			if (m)
				m = next() % m;
			break;
		case 3: {
			size_t j = next() % n, cut = m ? next() % m : 0;
			size_t take = len[j] ? next() % len[j] : 0;

			if (cut + take > MAXIN)
				take = MAXIN - cut;
			memcpy(buf + cut, in[j], take);
			m = cut + take;
			break;
		}
		case 4:
			if (m < MAXIN) {
				size_t at = m ? next() % m : 0;

				memmove(buf + at + 1, buf + at, m - at);
				buf[at] = "/%.:@ =#'\n\0"[next() % 11];
				m++;
			}
			break;
		}
		LLVMFuzzerTestOneInput(buf, m);
	}
	printf("ok 1 - %s: %zu corpus files, %ld mutations, no finding\n",
	    argv[0], total, mutations);
	return (0);
}
