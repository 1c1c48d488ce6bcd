/*
 * NAME
 *	fuzz_legacy_path - fuzz the legacy tree's path grammar and escaping
 * DESCRIPTION
 *	Input: a relative path. Property: whatever legacy_parse_path()
 *	accepts, legacy_format_path() writes a path that parses to the same
 *	key; escape/unescape are inverse on everything unescape accepts
 *	in canonical form.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "legacy.h"
#include "quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
split(char *path, char **comps, int max)
{
	int n = 0;
	char *p, *save = NULL;

	for (p = strtok_r(path, "/", &save); p && n < max;
	    p = strtok_r(NULL, "/", &save))
		comps[n++] = p;
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[LEGACY_PATH_MAX], out[LEGACY_PATH_MAX], *comps[64];
	char raw[1024], again[3200];
	struct legacy_entry e, e2;
	const char *why;
	int n;

	if (size >= sizeof(buf))
		return (0);
	memcpy(buf, data, size);
	buf[size] = 0;
	if (strlen(buf) != size)
		return (0);
	if (unquote_address(buf, raw, sizeof(raw)) == 0
	    && quote_address(raw, again, sizeof(again)) == 0
	    && unquote_address(again, out, sizeof(out)) == 0
	    && strcmp(out, raw) != 0)
		abort();
	n = split(buf, comps, 64);
	if (legacy_parse_path(comps, n, &e, &why) < 0)
		return (0);
	if (legacy_format_path(&e.key, out, sizeof(out), &why) < 0)
		return (0);
	strcpy(buf, out);
	n = split(buf, comps, 64);
	if (legacy_parse_path(comps, n, &e2, &why) < 0)
		abort();
	if (e2.key.kind != e.key.kind || !addr_equal(&e2.key.client,
	    &e.key.client) || strcmp(e2.key.sender, e.key.sender) != 0
	    || strcmp(e2.key.recipient, e.key.recipient) != 0)
		abort();
	return (0);
}
