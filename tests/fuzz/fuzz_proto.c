/*
 * NAME
 *	fuzz_proto - fuzz the policy protocol reader
 * DESCRIPTION
 *	The input is what a client sends. Property: proto_read() ends in
 *	EOF or a clean error, never reads or stores past its bounds, and
 *	every attribute it returns is NUL-free, within the line limit and
 *	lower-cased where it must be.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	static struct proto p;
	static int quiet;
	enum proto_status ps;
	FILE *fp;
	size_t i;
	const char *v;

	if (!quiet++ && freopen("/dev/null", "w", stderr) == NULL)
		abort();
	if ((fp = tmpfile()) == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fflush(fp);
	rewind(fp);
	proto_init(&p, fileno(fp), -1, 0, 0);
	while ((ps = proto_read(&p, &req)) == PROTO_REQUEST) {
		if (req.nattr > PROTO_ATTR_MAX || req.used > PROTO_REQUEST_MAX)
			abort();
		for (i = 0; i < req.nattr; i++) {
			v = req.attr[i].value;
			if (strlen(req.attr[i].name) + strlen(v)
			    > PROTO_LINE_MAX)
				abort();
			if (strcmp(req.attr[i].name, "queue_id") != 0
			    && strcmp(req.attr[i].name, "protocol_state") != 0
			    && strcmp(req.attr[i].name, "protocol_name") != 0)
				for (; *v; v++)
					if (*v >= 'A' && *v <= 'Z')
						abort();
		}
	}
	if (ps == PROTO_ERROR && p.error == NULL)
		abort();
	fclose(fp);
	return (0);
}
