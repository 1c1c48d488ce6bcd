/*
 * NAME
 *	fuzz_spf - fuzz greyspf's SPF record parser, reducer and macros
 * DESCRIPTION
 *	Input: a TXT record as DNS would hand it over. Properties: the
 *	parser never reads past the input; a record it accepts reduces to
 *	a record that is valid again (parse(reduce(r)) succeeds) for an
 *	IPv4 and an IPv6 client, with its names as they are and with every
 *	name given as a short alias, and then holds at most 13 mechanisms
 *	in a few hundred bytes (ptr: names aside); macro expansion of the
 *	input as an explanation stays within its buffer and yields
 *	printable ASCII.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *alias(void *, const char *, size_t, int);
static void reduce_twice(const uint8_t *, size_t, const char *, int);

/* alias - every name as "aN.invalid", as spf_dns.c would */

static const char *
alias(void *arg, const char *spec, size_t len, int any)
{
	static char name[32];
	int *n = arg;

	(void)spec;
	(void)len;
	(void)any;
	snprintf(name, sizeof(name), "a%d.invalid", (*n)++);
	return (name);
}

/* reduce_twice - parse, reduce, parse the reduced record again */

static void
reduce_twice(const uint8_t *data, size_t size, const char *client,
    int aliases)
{
	static struct spf_parsed p, again;
	struct netaddr a;
	char out[4096], why[SPF_WHY_MAX], *e;
	int n, nalias = 0;

	addr_parse(client, &a);
	if (spf_record_parse((const char *)data, size, &a, &p, why,
	    sizeof(why)) < 0)
		return;
	if (p.nterms > SPF_TERMS_MAX)
		abort();
	if (spf_record_reduce(&p, &a, aliases ? alias : NULL, &nalias, out,
	    sizeof(out), &n) < 0)
		return;
	if (n > SPF_TERMS_LIMIT + 3)
		abort();
	/* exp= keeps its spec, ptr: its name: they do not count. */
	if ((e = strstr(out, " exp=")) != NULL)
		*e = 0;
	if (aliases && strstr(out, "ptr") == NULL && strlen(out) > 400)
		abort();
	if (e != NULL)
		*e = ' ';
	if (strstr(out, SPF_ANY_SUFFIX) == NULL
	    && spf_record_parse(out, strlen(out), &a, &again, why,
	    sizeof(why)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_ctx mc;
	struct netaddr a;
	char out[SPF_EXP_MAX];
	size_t i;

	reduce_twice(data, size, "192.0.2.1", 0);
	reduce_twice(data, size, "2001:db8::1", 0);
	reduce_twice(data, size, "192.0.2.1", 1);
	reduce_twice(data, size, "2001:db8::1", 1);
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
