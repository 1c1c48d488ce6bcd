/*
 * NAME
 *	fuzz_whitelist_clients - fuzz the whitelist file reader (clients)
 * DESCRIPTION
 *	The input is parsed as a postgrey whitelist_clients file (from
 *	memory), every regular expression compiled, then a few requests
 *	matched against it (fuzz_whitelist.h). Property: no crash, no
 *	sanitizer report, no more entries than lines, and (clients) the
 *	suffix shortcut agrees with PCRE2 (fuzz_suffix()).
 */

#include "fuzz_whitelist.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_whitelist(WHITELIST_CLIENTS, data, size));
}
