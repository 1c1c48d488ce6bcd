/*
 * NAME
 *	fuzz_spf - fuzz greyspf's SPF record parser, reducer and macros
 * DESCRIPTION
 *	Input: a TXT record as DNS would hand it over. Properties: the
 *	parser never reads past the input; a record it accepts reduces to
 *	a record that is valid again (parse(reduce(r)) succeeds) for an
 *	IPv4 and an IPv6 client; macro expansion of the input as an
 *	explanation stays within its buffer and yields printable ASCII.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
reduce_twice(const struct spf_parsed *p, const char *client)
{
	static struct spf_parsed again;
	struct netaddr a;
	char out[1024], why[SPF_WHY_MAX];
	int n;

	addr_parse(client, &a);
	if (spf_record_reduce(p, &a, out, sizeof(out), &n) == 0
	    && strstr(out, SPF_ANY_SUFFIX) == NULL
	    && spf_record_parse(out, strlen(out), &again, why,
	    sizeof(why)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spf_parsed p;
	struct spf_macro_ctx mc;
	struct netaddr a;
	char why[SPF_WHY_MAX], out[SPF_EXP_MAX];
	size_t i;

	if (spf_record_parse((const char *)data, size, &p, why,
	    sizeof(why)) == 0) {
		reduce_twice(&p, "192.0.2.1");
		reduce_twice(&p, "2001:db8::1");
	}
	memset(&mc, 0, sizeof(mc));
	addr_parse("2001:db8::1", &a);
	mc.sender = "user@example.com";
	mc.domain = "example.com";
	mc.helo = "mx.example.com";
	mc.client = &a;
	if (spf_macro_expand((const char *)data, size, 1, &mc, out,
	    sizeof(out)) == 0)
		for (i = 0; out[i]; i++)
			if (out[i] < 0x20 || out[i] > 0x7e)
				abort();
	return (0);
}
