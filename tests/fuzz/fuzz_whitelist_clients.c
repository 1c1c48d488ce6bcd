/*
 * NAME
 *	fuzz_whitelist_clients - fuzz the whitelist file reader (clients)
 * DESCRIPTION
 *	The input is parsed as a postgrey whitelist_clients file (from
 *	memory), every regular expression compiled, then a few requests
 *	matched against it. Property: no crash, no sanitizer report, and
 *	no more entries than lines.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "whitelist.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const probes[][2] = {
		{"192.0.2.1", "mail.example.com"}, {"2001:db8::1", "unknown"},
		{"10.1.2.3", "a.b"}, {"::ffff:1.2.3.4", "x\n"},
	};
	struct whitelist_match m;
	struct whitelist *wl;
	size_t i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	wl = whitelist_new(NULL, NULL);
	whitelist_parse(wl, WHITELIST_CLIENTS, "fuzz", (const char *)data,
	    size);
	if (whitelist_count(wl, WHITELIST_CLIENTS) > lines)
		abort();
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		(void)whitelist_client(wl, probes[i][0], probes[i][1], &m);
		(void)whitelist_recipient(wl, probes[i][1], &m);
	}
	whitelist_compile(wl);
	(void)whitelist_client(wl, "192.0.2.1", "mail.example.com", &m);
	(void)whitelist_recipient(wl, "postmaster+x@example.com", &m);
	whitelist_free(wl);
	return (0);
}
