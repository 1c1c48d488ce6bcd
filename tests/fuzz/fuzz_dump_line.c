/*
 * NAME
 *	fuzz_dump_line - fuzz the dump loader's line parser
 * DESCRIPTION
 *	Property: dumpfmt_parse() accepts only what dumpfmt_format()
 *	writes (and dumpfmt_counters_parse() what
 *	dumpfmt_counters_format() writes), so any accepted line formats
 *	back to the same bytes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dumpfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[DUMPFMT_LINE_MAX], copy[DUMPFMT_LINE_MAX];
	char out[DUMPFMT_LINE_MAX];
	struct greykey key;
	struct greyrec rec;
	struct counter_key ck;
	struct counter_set cs;
	const char *why;

	if (size >= sizeof(line))
		return (0);
	memcpy(line, data, size);
	line[size] = 0;
	if (strlen(line) != size)
		return (0);
	strcpy(copy, line);
	if (dumpfmt_is_counters(line)) {
		if (dumpfmt_counters_parse(line, &ck, &cs, &why) < 0)
			return (0);
		if (dumpfmt_counters_format(&ck, &cs, out, sizeof(out)) < 0
		    || strcmp(out, copy) != 0)
			abort();
		return (0);
	}
	if (dumpfmt_parse(line, &key, &rec, &why) < 0)
		return (0);
	if (dumpfmt_format(&key, &rec, out, sizeof(out)) < 0)
		abort();
	if (strcmp(out, copy) != 0)
		abort();
	return (0);
}
