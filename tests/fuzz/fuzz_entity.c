/*
 * NAME
 *	fuzz_entity - fuzz the per-entity file reader and the lookup
 * DESCRIPTION
 *	The input is read, from memory, as a per-entity file, followed by
 *	a line "GREYLISTTIME = 4242" of its own; its first three lines are
 *	also a request's client_address, sender and recipient, looked up
 *	in a fixed tree of directories (so that lookups go past them)
 *	whose __default__ sets GREYLISTTIME = 4242. Properties: no crash, no sanitizer report; every
 *	value read is inside its documented range; the last line always
 *	applies (no bad line, long line or NUL byte swallows the one after
 *	it: the input is far below ENTITY_FILE_MAX); and no request makes
 *	the lookup unusable (a status other than ENTITY_OK), whatever its
 *	addresses (names too long for the file system included).
 */

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entity.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_FIELD_MAX	700	/* bytes of each request value */

static void fuzz_check(const struct entity_conf *);

/* fuzz_check - every value in range, or abort */

static void
fuzz_check(const struct entity_conf *c)
{
	if ((c->set & ENTITY_GREYLISTTIME) && (c->greylisttime < 0
	    || c->greylisttime > 31536000))
		abort();
	if ((c->set & ENTITY_GREYLISTEXPIREDAYS) && !(c->expiredays >= 0
	    && c->expiredays <= 36500))
		abort();
	if (strlen(c->checkers) >= ENTITY_VALUE_MAX
	    || strlen(c->otherconfigs) >= ENTITY_VALUE_MAX
	    || c->ntrusted < 0 || c->ntrusted > ENTITY_NETS_MAX
	    || c->problems < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], path[128];
	static char field[3][FUZZ_FIELD_MAX + 1];
	static char buf[ENTITY_FILE_MAX / 2 + 32];
	static const char *const dirs[] = {"client_address",
	    "client_address/10", "envelope_sender",
	    "envelope_sender/example.com", "envelope_recipient"};
	static const char last[] = "\nGREYLISTTIME = 4242\n";
	struct entity_conf conf;
	struct entity_query q;
	const uint8_t *p = data, *end = data + size, *nl;
	size_t i, n;
	FILE *fp;

	if (dir[0] == 0) {
		/* A fixed tree the lookups walk: its files are read once
		 * (the tools' cache), so a run costs the lookup's paths. */
		snprintf(dir, sizeof(dir), "/tmp/greyspf-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		for (i = 0; i < 5; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
			if (mkdir(path, 0755) < 0)
				abort();
		}
		snprintf(path, sizeof(path), "%s/__default__", dir);
		if ((fp = fopen(path, "w")) == NULL)
			abort();
		fputs("CHECKERS = greylist\nGREYLISTTIME = 4242\n", fp);
		if (fclose(fp) != 0)
			abort();
		entity_cache_enable();
		/* The reader reports every problem: keep the output quiet,
		 * but the fuzzer's own on stderr. */
		log_init("fuzz", LOG_SINK_NONE);
	}
	if (size > ENTITY_FILE_MAX / 2)
		return (0);
	/* The input as a file's text, from memory, with a last line. */
	memcpy(buf, data, size);
	memcpy(buf + size, last, sizeof(last) - 1);
	if ((fp = fmemopen(buf, size + sizeof(last) - 1, "r")) == NULL)
		abort();
	memset(&conf, 0, sizeof(conf));
	entity_read_stream(fp, "__default__", &conf);
	fclose(fp);
	if (conf.status != ENTITY_OK || conf.greylisttime != 4242)
		abort();
	fuzz_check(&conf);
	/* The first three lines as a request, NULs and all. */
	for (i = 0; i < 3; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p) < FUZZ_FIELD_MAX ? (size_t)(nl - p)
		    : FUZZ_FIELD_MAX;
		memcpy(field[i], p, n);
		field[i][n] = 0;
		p = nl < end ? nl + 1 : end;
	}
	q.client_address = field[0];
	q.sender = field[1];
	q.recipient = field[2];
	memset(&conf, 0, sizeof(conf));
	entity_lookup(dir, &q, &conf);
	if (conf.status != ENTITY_OK || conf.greylisttime != 4242)
		abort();
	fuzz_check(&conf);
	return (0);
}
