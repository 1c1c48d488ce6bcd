/*
 * NAME
 *	fuzz_proto - fuzz the policy protocol reader and the pure core
 * DESCRIPTION
 *	The input is what a client sends. Property: proto_read() ends in
 *	EOF or a clean error, never reads or stores past its bounds, and
 *	every attribute it returns is NUL-free, within the line limit and
 *	lower-cased where it must be. Each request then goes through the
 *	pure core's I/O-free rules (the greylist key, the spf checker's
 *	plan, the header memory), which must keep their own bounds: a plan
 *	checks something exactly when it says PLAN_CHECK, the HELO
 *	identity only first, every query NUL-terminated.
 *
 *	The daemon's reader (non-blocking, PROTO_AGAIN) is given the same
 *	input in chunks (1 to 8 bytes, from the first byte) on a socket,
 *	reading after each: it must return the same requests, in order,
 *	and end the same way.
 */

#include <sys/socket.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "policy.h"
#include "policy_plan.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void fuzz_core(const struct request *, int);
static uint64_t fuzz_hash(const struct request *);
static void fuzz_incremental(const uint8_t *, size_t, const uint64_t *,
	    size_t, enum proto_status);

/* fuzz_hash - a request's attributes, in order (FNV-1a) */

static uint64_t
fuzz_hash(const struct request *req)
{
	uint64_t h = 14695981039346656037ULL;
	const char *s;
	size_t i;
	int k;

	for (i = 0; i < req->nattr; i++)
		for (k = 0; k < 2; k++) {
			s = k ? req->attr[i].value : req->attr[i].name;
			do {
				h = (h ^ (unsigned char)*s) * 1099511628211ULL;
			} while (*s++);
		}
	return (h ^ req->nattr);
}

/* fuzz_incremental - the non-blocking reader, fed in chunks */

static void
fuzz_incremental(const uint8_t *data, size_t size, const uint64_t *want,
    size_t nwant, enum proto_status last)
{
	static struct request req;
	static struct proto p;
	enum proto_status ps = PROTO_AGAIN;
	size_t off = 0, got = 0, chunk;
	int sv[2];

	chunk = size > 0 ? (size_t)(data[0] % 8) + 1 : 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0
	    || fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0)
		abort();
	proto_init(&p, sv[0], -1, -1, 0);
	p.nonblock = 1;
	for (;;) {
		while ((ps = proto_read(&p, &req)) == PROTO_REQUEST)
			if (got >= nwant || fuzz_hash(&req) != want[got++])
				abort();
		if (ps != PROTO_AGAIN)
			break;
		if (off == size) {
			shutdown(sv[1], SHUT_WR);
			continue;
		}
		if (chunk > size - off)
			chunk = size - off;
		if (write(sv[1], data + off, chunk) != (ssize_t)chunk)
			abort();
		off += chunk;
	}
	if (got != nwant || ps != last)
		abort();
	close(sv[0]);
	close(sv[1]);
}

/* fuzz_core - one request through the pure core's rules */

static void
fuzz_core(const struct request *req, int helo_check)
{
	static struct policy_seen seen;
	static struct entity_conf ent;
	static struct config conf;
	struct policy_plan plan;
	struct greykey key;
	const char *why;
	enum policy_plan_skip skip;
	int i;

	config_defaults(&conf);
	conf.spf_helo_check = helo_check;
	(void)policy_greylist_key(&conf, request_get(req, "client_address"),
	    request_get(req, "sender"), request_get(req, "recipient"), &key,
	    &why);
	skip = policy_plan_spf(&conf, &ent, request_get(req,
	    "client_address"), request_get(req, "sender"), request_get(req,
	    "helo_name"), &plan);
	if (skip != plan.skip || plan.n < 0 || plan.n > POLICY_PLAN_MAX
	    || (skip == PLAN_CHECK) != (plan.n > 0))
		abort();
	for (i = 0; i < plan.n; i++) {
		if (memchr(plan.q[i].sender, 0, sizeof(plan.q[i].sender))
		    == NULL || memchr(plan.q[i].helo, 0,
		    sizeof(plan.q[i].helo)) == NULL)
			abort();
		if (i > 0 && plan.q[i].identity == SPF_ID_HELO)
			abort();
		(void)policy_plan_next(&conf, &plan, i, SPF_R_FAIL);
	}
	(void)policy_header_once(&seen, request_get(req, "instance"));
	if (seen.next < 0 || seen.next >= POLICY_INSTANCES)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	static struct proto p;
	static int quiet;
	enum proto_status ps;
	FILE *fp;
	size_t i, nwant = 0;
	const char *v;
	uint64_t *want;

	/* Bad requests are logged: keep that quiet, not the fuzzer. */
	if (!quiet++)
		log_init("fuzz", LOG_SINK_NONE);
	if ((fp = tmpfile()) == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fflush(fp);
	rewind(fp);
	proto_init(&p, fileno(fp), -1, 0, 0);
	if ((want = malloc((size + 1) * sizeof(*want))) == NULL)
		abort();
	while ((ps = proto_read(&p, &req)) == PROTO_REQUEST) {
		want[nwant++] = fuzz_hash(&req);
		fuzz_core(&req, size > 0 && (data[0] & 1));
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
	fuzz_incremental(data, size, want, nwant, ps);
	free(want);
	return (0);
}
