/*
 * NAME
 *	fuzz_record - fuzz the stored key and record decoders (greylist
 *	entries, auto-whitelist entries, counter keys and values)
 * DESCRIPTION
 *	Input: bytes as LMDB would hand them back. Property: whatever
 *	decodes, encodes back to the same bytes (one encoding per value).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "entry.h"
#include "key.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char buf[KEY_MAX], val[ENTRY_VALUE_MAX];
	struct greykey key;
	struct greyrec rec;
	struct counter_key ck;
	struct counter_set cs;
	unsigned char cv[COUNTER_VALUE_MAX];
	size_t len;

	if (record_decode(data, size, &rec) == 0) {
		if (record_encode(&rec, buf, sizeof(buf), &len) < 0
		    || len != size || memcmp(buf, data, size) != 0)
			abort();
		(void)record_state(&rec, 0);
		(void)record_expires_at(&rec, 864000000000LL);
	}
	if (key_decode(data, size, &key) == 0 && !key.digested) {
		if (key_encode(&key, buf, sizeof(buf), &len) < 0
		    || len != size || memcmp(buf, data, size) != 0)
			abort();
	}
	if (counter_value_decode(data, size, &cs) == 0
	    && (counter_value_encode(&cs, cv, sizeof(cv), &len) < 0
	    || len != size || memcmp(cv, data, size) != 0))
		abort();
	if (counter_key_decode(data, size, &ck) == 0
	    && (counter_key_encode(&ck, buf, sizeof(buf), &len) < 0
	    || len != size || memcmp(buf, data, size) != 0))
		abort();
	/* An entry: the first byte says how long the key is. */
	if (size > 1 && data[0] < size - 1 && entry_decode(data + 1, data[0],
	    data + 1 + data[0], size - 1 - data[0], &key, &rec) == 0) {
		if (key_encode(&key, buf, sizeof(buf), &len) < 0
		    || len != data[0] || memcmp(buf, data + 1, len) != 0
		    || entry_value(&key, &rec, val, sizeof(val), &len) < 0
		    || len != size - 1 - data[0]
		    || memcmp(val, data + 1 + data[0], len) != 0)
			abort();
	}
	return (0);
}
