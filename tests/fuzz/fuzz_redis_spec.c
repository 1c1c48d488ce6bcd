/*
 * NAME
 *	fuzz_redis_spec - fuzz the Redis spec parser
 * DESCRIPTION
 *	The input, cut at its first NUL, is parsed as a database spec.
 *	Property: no crash, no sanitizer report; a spec that parses has a
 *	kind, ports and a database number within their ranges, and
 *	NUL-terminated parts.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_spec sp;
	char *s, err[200];
	int i;

	s = malloc(size + 1);
	if (s == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = 0;
	if (redis_spec_parse(s, &sp, err, sizeof(err)) == 0) {
		if (!redis_spec_is(s) || sp.db < 0 || sp.db > REDIS_SPEC_DB_MAX
		    || sp.nhosts < 0 || sp.nhosts > REDIS_SPEC_HOSTS)
			abort();
		if (sp.kind == REDIS_UNIX && (sp.path[0] != '/'
		    || memchr(sp.path, 0, sizeof(sp.path)) == NULL))
			abort();
		if (sp.kind != REDIS_UNIX && sp.nhosts < 1)
			abort();
		for (i = 0; i < sp.nhosts; i++)
			if (sp.port[i] < 1 || sp.port[i] > 65535
			    || sp.host[i][0] == 0)
				abort();
	} else if (memchr(err, 0, sizeof(err)) == NULL || err[0] == 0)
		abort();
	free(s);
	return (0);
}
