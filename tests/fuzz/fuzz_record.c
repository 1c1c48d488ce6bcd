/*
 * NAME
 *	fuzz_record - fuzz the stored key and record decoders
 * DESCRIPTION
 *	Input: bytes as LMDB would hand them back. Property: whatever
 *	decodes, encodes back to the same bytes (one encoding per value).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[KEY_MAX];
	struct greykey key;
	struct greyrec rec;
	size_t len;

	if (record_decode(data, size, &rec) == 0) {
		if (record_encode(&rec, buf, sizeof(buf), &len) < 0
		    || len != size || memcmp(buf, data, size) != 0)
			abort();
		(void)record_state(&rec, 0);
		(void)record_expires_at(&rec, 864000000000LL);
	}
	if (key_decode(data, size, &key) == 0) {
		if (key_encode(&key, buf, sizeof(buf), &len) < 0
		    || len != size || memcmp(buf, data, size) != 0)
			abort();
	}
	return (0);
}
