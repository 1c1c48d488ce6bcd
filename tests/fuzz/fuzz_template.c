/*
 * NAME
 *	fuzz_template - fuzz the reply and header templates
 * DESCRIPTION
 *	The input is split at its first NUL: before it a template, after
 *	it a value. A template that template_check() accepts (greylistText's
 *	letters) is expanded with the value for every variable into
 *	buffers of several sizes. Property: no crash, no sanitizer report;
 *	the expansion is NUL-terminated within its buffer, its length is
 *	what was returned, and it holds only printable ASCII, whatever
 *	the value (a client's bytes must never end a reply line).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = {1, 2, 16, 512};
	struct template_var vars[4];
	char *t, *v, buf[512];
	size_t i, j, len, tlen;
	const char *nul;

	if ((t = malloc(size + 2)) == NULL)
		return (0);
	memcpy(t, data, size);
	t[size] = 0;
	t[size + 1] = 0;
	nul = memchr(t, 0, size + 1);
	tlen = (size_t)(nul - t);
	v = t + tlen + 1;
	if (template_check(t, "sarh") == 0) {
		vars[0].letter = 's';
		vars[1].letter = 'r';
		vars[2].letter = 'a';
		vars[3].letter = 'h';
		for (i = 0; i < 4; i++)
			vars[i].value = i == 3 ? NULL : v;
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			len = template_expand(t, vars, 4, buf, sizes[j]);
			if (len >= sizes[j] || buf[len] != 0)
				abort();
			for (i = 0; i < len; i++)
				if ((unsigned char)buf[i] < 0x20
				    || (unsigned char)buf[i] > 0x7e)
					abort();
		}
	}
	free(t);
	return (0);
}
