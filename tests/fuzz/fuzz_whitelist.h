/*	fuzz_whitelist.h - what the two whitelist fuzz targets share */
#ifndef GREYSPF_FUZZ_WHITELIST_H
#define GREYSPF_FUZZ_WHITELIST_H

#include <stdint.h>
#include <stdlib.h>

#include "whitelist.h"

/*
 * fuzz_whitelist - parse data as a file of kind, compile every
 * expression, match probes; abort on more entries than lines
 */
static inline int
fuzz_whitelist(enum whitelist_kind kind, const uint8_t *data, size_t size)
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
	whitelist_parse(wl, kind, "fuzz", (const char *)data, size);
	if (whitelist_count(wl, kind) > lines)
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

#endif
