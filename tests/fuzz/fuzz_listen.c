/*
 * NAME
 *	fuzz_listen - fuzz the daemon's listen spec parser
 * DESCRIPTION
 *	The input, cut at its first NUL, is parsed as the listen key's
 *	comma-separated list (lib/listen_parse.c), into an empty array.
 *	Property: no crash, no sanitizer report; a list that parses has 1
 *	to LISTEN_MAX specs, each of a known family with an address length
 *	within its sockaddr, a unix path that is absolute and
 *	NUL-terminated, and a NUL-terminated text; a list that does not
 *	parse says why.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listen_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listen_spec specs[LISTEN_MAX];
	const struct sockaddr_un *sun;
	const char *why = NULL;
	char *s;
	int i, n = 0;	/* in and out: the specs already in the array */

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = 0;
	if (listen_parse_list(s, specs, LISTEN_MAX, &n, &why) == 0) {
		if (n < 1 || n > LISTEN_MAX)
			abort();
		for (i = 0; i < n; i++) {
			if (memchr(specs[i].text, 0, sizeof(specs[i].text))
			    == NULL)
				abort();
			switch (specs[i].family) {
			case AF_UNIX:
				sun = (const struct sockaddr_un *)
				    &specs[i].addr;
				if (sun->sun_path[0] != '/' || memchr(
				    sun->sun_path, 0, sizeof(sun->sun_path))
				    == NULL)
					abort();
				break;
			case AF_INET:
			case AF_INET6:
				if (specs[i].addrlen == 0 || specs[i].addrlen
				    > sizeof(specs[i].addr))
					abort();
				break;
			default:
				abort();
			}
		}
	} else if (why == NULL || why[0] == 0)
		abort();
	free(s);
	return (0);
}
