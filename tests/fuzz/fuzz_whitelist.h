/*	fuzz_whitelist.h - what the two whitelist fuzz targets share */
#ifndef GREYSPF_FUZZ_WHITELIST_H
#define GREYSPF_FUZZ_WHITELIST_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whitelist.h"

#define FUZZ_NAMES	8	/* names tried against one expression */

/*
 * fuzz_suffix - the shortcut in front of each expression (its literal
 * suffix, its bucket) never says no where PCRE2 says yes: the first
 * line of data is an expression, the next lines are client names; each
 * name's answer from a one-line whitelist must be PCRE2's own.
 */
static inline void
fuzz_suffix(const uint8_t *data, size_t size)
{
	char buf[4200], line[4200], *names[FUZZ_NAMES], *p, *nl;
	pcre2_match_context *mc;
	pcre2_match_data *md;
	struct whitelist_match m;
	struct whitelist *wl;
	pcre2_code *re;
	PCRE2_SIZE off;
	int i, n = 0, err, want, got;

	if (size >= sizeof(buf) - 4 || memchr(data, 0, size) != NULL)
		return;
	buf[0] = '/';
	memcpy(buf + 1, data, size);
	buf[size + 1] = 0;
	if ((nl = strchr(buf, '\n')) == NULL)
		return;
	*nl = 0;
	/* What the file reader takes whole as /regex/: no "#", no blank. */
	if (nl == buf + 1 || strpbrk(buf + 1, "# \t\r\f\v") != NULL)
		return;
	for (p = nl + 1; *p && n < FUZZ_NAMES; p = nl + 1) {
		names[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = 0;
	}
	if ((re = pcre2_compile((PCRE2_SPTR)buf + 1, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS, &err, &off, NULL)) == NULL)
		return;
	md = pcre2_match_data_create(1, NULL);
	/* whitelist.c's limit (WL_MATCH_LIMIT): past it, no match there. */
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 100000);
	snprintf(line, sizeof(line), "%s/\n", buf);
	wl = whitelist_new(NULL, NULL);
	whitelist_parse(wl, WHITELIST_CLIENTS, "fuzz", line, strlen(line));
	for (i = 0; i < n; i++) {
		if (*names[i] == 0 || strcmp(names[i], "unknown") == 0)
			continue;
		want = pcre2_match(re, (PCRE2_SPTR)names[i],
		    PCRE2_ZERO_TERMINATED, 0, 0, md, mc) >= 0;
		got = whitelist_client(wl, NULL, names[i], &m);
		if (want != got)
			abort();
	}
	whitelist_free(wl);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	pcre2_code_free(re);
}

/*
 * fuzz_whitelist - parse data as a file of kind, compile every
 * expression, match probes; abort on more entries than lines; for
 * clients, fuzz_suffix() too
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
	if (kind == WHITELIST_CLIENTS)
		fuzz_suffix(data, size);
	return (0);
}

#endif
