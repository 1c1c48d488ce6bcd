/*
 * NAME
 *	store_redis 3
 * SUMMARY
 *	the Redis backend of the store: one greylist shared by several
 *	mail servers
 * SYNOPSIS
 *	#include "store_backend.h"
 *
 *	extern const struct store_backend store_redis;
 *	extern const struct store_backend store_redis_unix;
 *	extern const struct store_backend store_redis_sentinel;
 * DESCRIPTION
 *	Everything greyspf knows of Redis and hiredis is here. The specs
 *	(redis://, redis+unix:, redis-sentinel://) are redis_spec.c's;
 *	the three schemes are three rows of one backend.
 *
 *	Keys and values are the bytes LMDB stores (db/key.c, db/entry.c),
 *	each key behind the key prefix (databaseKeyPrefix), one Redis
 *	string per entry; the store's marker too, so a database that holds
 *	someone else's keys under the prefix is recognised as foreign.
 *
 *	The connection is made at the first operation that needs it (or
 *	at store_open() unless opts->lazy), kept, and made again after a
 *	failure: AUTH (databasePasswordFile), SELECT, SCRIPT LOAD of the
 *	compare-and-set script, and with sentinels ROLE, in one round
 *	trip; then the marker is checked (store.c). With sentinels, the
 *	master is asked of each sentinel in turn (AUTH first when
 *	databaseSentinelPasswordFile is set, then SENTINEL
 *	get-master-addr-by-name) at every connection, so a failover needs
 *	no restart: the next connection goes to the new master. A server
 *	that is not the master (ROLE, or a READONLY reply) is left.
 *
 *	Every round trip has one deadline, opts->command_ms from the
 *	first byte sent (a server that drips its answer gets no more),
 *	and one budget: REDIS_READ_MAX bytes read and REDIS_ELEMENTS_MAX
 *	reply elements made (each reply, string, integer or nil, counts
 *	one, an array one and its announced count, before hiredis
 *	allocates it). Bounding the bytes buffered or one array's length
 *	would not do: a server that streams small arrays inside one
 *	reply has each parsed and dropped from the buffer, and would make
 *	the process grow with its bandwidth until the deadline.
 *
 *	A connection that fails, times out, answers out of protocol or
 *	past the budget is closed, and none is tried again before a delay
 *	growing from REDIS_RETRY_MIN_MS to REDIS_RETRY_MAX_MS: while
 *	Redis is down, no request waits for a connection attempt but the
 *	one that makes it. Such failures are STORE_UNAVAILABLE, which the
 *	service answers with storeFallback.
 *
 *	store_update() is GET, the caller's decision, then the
 *	compare-and-set script (EVALSHA, EVAL when the server has lost the
 *	script: a restart, a failover): it writes only if the value is
 *	still the one read (or still absent), with the expiry the decision
 *	gave (SET PXAT), and otherwise answers with the value found, on
 *	which the caller decides again. The GET is skipped when the caller
 *	has just read the same key (store_get(), then store_update(), as
 *	greylist.c does): the compare-and-set checks that value anyway. So
 *	a known triplet costs one round trip, one that needs a write two.
 *
 *	A lost compare-and-set means another writer's write landed, so an
 *	update loses at most once for each other writer of the key at that
 *	moment, and hosts that create one entry at once converge (each
 *	merges what it saw into the winner's record, which only grows:
 *	record_merge()). The update decides again at least
 *	REDIS_CAS_TRIES_MIN times, then more while one command timeout
 *	has not passed since it began to decide, and never more
 *	than REDIS_CAS_TRIES_MAX times (then STORE_BUSY): a busy key costs
 *	a request at most REDIS_CAS_TRIES_MIN round trips, or the command
 *	timeout and one round trip, whichever is longer (each round trip
 *	bounded by the command timeout).
 *
 *	store_add_counts() is one script (EVAL; the server keeps it
 *	cached), which decodes each key's counter value, adds the counts
 *	and writes it back with its expiry, as db/counter.c's
 *	counter_value_merge() does: strict varints, ids increasing and
 *	below COUNTER_SLOTS, sums saturating at 2^64 - 1 (Lua's numbers
 *	are doubles: the script adds in 7-bit digits, exact), a value
 *	that does not decode replaced and counted. A script runs alone on
 *	the server, so hosts that count at once never race: no read, no
 *	compare-and-set, no retry, one round trip for the three keys.
 *
 *	A foreign key under the prefix (not a string: WRONGTYPE, or a
 *	value longer than STORE_VALUE_MAX) is logged and treated as
 *	absent; the compare-and-set script treats it the same way, so a
 *	write replaces it. The counts' script replaces it too, and counts
 *	it among the values replaced (a warning).
 *
 *	Walks SCAN the keys under the prefix, sort them as LMDB orders
 *	them (bytes, then length), and MGET the values in batches: the
 *	text dump of the same entries is the same as LMDB's
 *	(STORE_CAP_ORDERED, not STORE_CAP_SNAPSHOT: entries written during
 *	the walk may or may not be seen). A walk in pieces scans again for
 *	each piece.
 *
 *	store_load() is not atomic (a million keys cannot be): each entry
 *	is read, decided, and its compare-and-set sent without waiting,
 *	the answers read with the next read (pipelined: one round trip an
 *	entry). An entry changed by someone else between its read and its
 *	write is counted, and the load returns STORE_BUSY at the end:
 *	greyspf-load and greyspf-import merge, so running them again is
 *	safe.
 * DIAGNOSTICS
 *	STORE_UNAVAILABLE: the server cannot be reached, did not answer in
 *	time, answered out of protocol or past the budget, is not the
 *	master, or the pause after such a failure is not over (the detail
 *	is the outage's first reason). STORE_BUSY: a key changed under
 *	every decision an update could make, or a load met writers. STORE_FOREIGN,
 *	STORE_NEWER: the marker. STORE_IO: an error reply that another
 *	server would not change.
 * SECURITY
 *	The passwords are read from databasePasswordFile (the servers')
 *	and databaseSentinelPasswordFile (the sentinels') when the store
 *	is opened, sent only in AUTH and never logged; the store's copies
 *	are wiped when it is closed (not hiredis's command buffer, nor
 *	stdio's). hiredis 0.14
 *	has no TLS: Redis must be reached over a private network, a unix
 *	socket or a tunnel (greyspf.conf(5)).
 *
 *	The server's text (error replies, hiredis's messages, INFO's
 *	fields) reaches a log line or a tool's output only through
 *	log_safe(): a server cannot forge a line or send a terminal
 *	escape. The host a sentinel names for the master goes into the
 *	connection's name, so into the log too: one with anything but
 *	REDIS_HOST_CHARS (an address's or a host name's) is refused, and
 *	that sentinel's answer not followed.
 * BUGS
 *	Host names are resolved by getaddrinfo(), which the connect
 *	timeout does not bound: use addresses. A write whose answer comes
 *	after the deadline may have been done: an update decides again on
 *	what it finds, but counts are added again at the next flush (or to
 *	the local store, storeFallback = local): at least once, not
 *	exactly once.
 */

#include <sys/time.h>

#include <errno.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counter.h"
#include "log.h"
#include "redis_spec.h"
#include "store_backend.h"
#include "util.h"

#define REDIS_PREFIX_MAX	64	/* bytes of databaseKeyPrefix */
#define REDIS_PASSWORD_MAX	512	/* bytes of the password */
#define REDIS_KEY_MAX		(REDIS_PREFIX_MAX + STORE_KEY_MAX)
#define REDIS_READ_MAX		((size_t)16 << 20)	/* bytes a round trip */
#define REDIS_ELEMENTS_MAX	200000	/* reply elements a round trip */
#define REDIS_CAS_TRIES_MIN	4	/* decisions, however long they take */
#define REDIS_CAS_TRIES_MAX	256	/* decisions before STORE_BUSY */
#define REDIS_RETRY_MIN_MS	100	/* first pause after a failure */
#define REDIS_RETRY_MAX_MS	2000	/* longest pause between attempts */
#define REDIS_TIMEOUT_MS	100	/* when the opts give none */
#define REDIS_SCAN_COUNT	"1000"	/* SCAN's COUNT hint */
#define REDIS_MGET_BATCH	500	/* values fetched at once in a walk */
#define REDIS_PIPELINE_MAX	256	/* writes a load leaves unanswered */
#define REDIS_HOST_CHARS	"abcdefghijklmnopqrstuvwxyz" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:"	/* a sentinel's host */

/*
 * The compare-and-set. ARGV[1]: "1" a value was read (ARGV[2]), "0"
 * none (or a foreign key); ARGV[3]: the new value, "" to delete;
 * ARGV[4]: expiry, Unix time in ms, "0" for none. Answers 1 (done), 0
 * (not done: now absent) or {value} (not done: this is there).
 */
static const char redis_cas_script[] =
	"local cur = false\n"
	"if redis.call('TYPE', KEYS[1]).ok == 'string' then\n"
	"  cur = redis.call('GET', KEYS[1])\n"
	"  if #cur > tonumber(ARGV[5]) then cur = false end\n"
	"end\n"
	"if (ARGV[1] == '0' and cur == false) or\n"
	"    (ARGV[1] == '1' and cur == ARGV[2]) then\n"
	"  if ARGV[3] == '' then redis.call('DEL', KEYS[1])\n"
	"  elseif ARGV[4] == '0' then redis.call('SET', KEYS[1], ARGV[3])\n"
	"  else redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4]) end\n"
	"  return 1\n"
	"end\n"
	"if cur == false then return 0 end\n"
	"return {cur}\n";

/*
 * The counts' add. KEYS: counter keys; ARGV[1]: the counts (a counter
 * value); ARGV[1 + i]: KEYS[i]'s expiry, Unix time in ms, "0" for
 * none; ARGV[#KEYS + 2]: COUNTER_SLOTS. A number is its varint's 7-bit
 * digits, least significant first. Answers how many stored values did
 * not decode (replaced).
 */
static const char redis_add_script[] =
	"local slots = tonumber(ARGV[#KEYS + 2])\n"
	"local function decode(s)\n"
	"  if s == false or #s < 1 or string.byte(s, 1) ~= 1 then\n"
	"    return nil\n"
	"  end\n"
	"  local pos, vals, last = 2, {}, -1\n"
	"  local function varint()\n"
	"    local d, b = {}, 128\n"
	"    while b >= 128 do\n"
	"      if pos > #s or #d == 10 then return nil end\n"
	"      b = string.byte(s, pos)\n"
	"      pos = pos + 1\n"
	"      d[#d + 1] = b % 128\n"
	"      if #d == 10 and b > 1 then return nil end\n"
	"    end\n"
	"    if #d > 1 and d[#d] == 0 then return nil end\n"
	"    return d\n"
	"  end\n"
	"  while pos <= #s do\n"
	"    local id, v = varint(), nil\n"
	"    if id ~= nil then v = varint() end\n"
	"    if v == nil or #id > 1 or id[1] <= last or id[1] >= slots\n"
	"        or (#v == 1 and v[1] == 0) then return nil end\n"
	"    last = id[1]\n"
	"    vals[last] = v\n"
	"  end\n"
	"  return vals\n"
	"end\n"
	"local function sum(a, b)\n"
	"  local r, carry = {}, 0\n"
	"  for i = 1, math.max(#a, #b) do\n"
	"    local t = (a[i] or 0) + (b[i] or 0) + carry\n"
	"    r[i] = t % 128\n"
	"    carry = (t - r[i]) / 128\n"
	"  end\n"
	"  if carry > 0 then r[#r + 1] = carry end\n"
	"  if #r > 10 or (#r == 10 and r[10] > 1) then\n"
	"    r = {127, 127, 127, 127, 127, 127, 127, 127, 127, 1}\n"
	"  end\n"
	"  return r\n"
	"end\n"
	"local function encode(vals)\n"
	"  local out = {string.char(1)}\n"
	"  for id = 0, slots - 1 do\n"
	"    local v = vals[id]\n"
	"    if v ~= nil then\n"
	"      out[#out + 1] = string.char(id)\n"
	"      for i = 1, #v do\n"
	"        out[#out + 1] = string.char(v[i] + (i < #v and 128 or 0))\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"  return table.concat(out)\n"
	"end\n"
	"local add = decode(ARGV[1])\n"
	"if add == nil then\n"
	"  return redis.error_reply('ERR counts that do not decode')\n"
	"end\n"
	"local replaced = 0\n"
	"for k = 1, #KEYS do\n"
	"  local t, vals = redis.call('TYPE', KEYS[k]).ok, {}\n"
	"  if t ~= 'none' then\n"
	"    local cur = false\n"
	"    if t == 'string' then cur = redis.call('GET', KEYS[k]) end\n"
	"    vals = decode(cur)\n"
	"    if vals == nil then replaced, vals = replaced + 1, {} end\n"
	"  end\n"
	"  for id, v in pairs(add) do\n"
	"    if vals[id] ~= nil then vals[id] = sum(vals[id], v)\n"
	"    else vals[id] = v end\n"
	"  end\n"
	"  if ARGV[k + 1] == '0' then\n"
	"    redis.call('SET', KEYS[k], encode(vals))\n"
	"  else\n"
	"    redis.call('SET', KEYS[k], encode(vals), 'PXAT', ARGV[k + 1])\n"
	"  end\n"
	"end\n"
	"return replaced\n";

struct redis {
	struct redis_spec sp;
	redisContext *c;
	redisReplyObjectFunctions fns;	/* hiredis's, counted */
	redisReplyObjectFunctions dfl;	/* hiredis's own */
	size_t	rt_read;		/* bytes read this round trip */
	size_t	rt_made;		/* elements made this round trip */
	int	rt_over;		/* the element budget ran out */
	char	prefix[REDIS_PREFIX_MAX];
	size_t	plen;
	char	password[REDIS_PASSWORD_MAX];
	int	have_password;
	char	sentinel_password[REDIS_PASSWORD_MAX];	/* the sentinels' */
	int	have_sentinel_password;
	int	connect_ms, command_ms;
	char	sha[48];		/* the script's, from SCRIPT LOAD */
	char	server[300];		/* host:port or path connected to */
	long long next_try_ms;		/* no attempt before (monotonic) */
	int	retry_ms;		/* the next pause */
	char	down[256];		/* why the last attempt failed */
	int	down_rc;		/* and its code */
	/* The last store_get(), for the store_update() that follows. */
	int	cached, cached_have;
	unsigned char ckey[STORE_KEY_MAX];
	size_t	cklen;
	unsigned char cval[STORE_VALUE_MAX];
	size_t	cvlen;
	/* A load's unanswered writes, and those that lost a race. */
	int	pending;
	size_t	lost;
	int	dryrun;
};

struct redis_keys {
	char	*buf;		/* each key: 2 bytes of length, the bytes */
	size_t	len, size;
	size_t	*off;		/* where each key starts in buf */
	size_t	n, nsize;
};

static long long redis_now_ms(void);
static int redis_fail(struct store *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
static int redis_roundtrip(struct store *, redisReply **, int);
static int redis_connect(struct store *);
static int redis_key(struct store *, const void *, size_t, char *,
	    size_t *);
static void redis_free_replies(redisReply **, int);
static int redis_cas(struct store *, const char *, size_t, int,
	    const void *, size_t, const void *, size_t, int64_t);
static int redis_cas_reply(struct store *, redisReply *, int *,
	    unsigned char *, size_t *);
static int redis_spend(struct redis *, size_t);
static void *redis_made_array(const redisReadTask *, int);
static void *redis_made_string(const redisReadTask *, char *, size_t);
static void *redis_made_integer(const redisReadTask *, long long);
static void *redis_made_nil(const redisReadTask *);
static int redis_read_password(struct store *, const char *, const char *,
    char *, int *);
static redisContext *redis_dial(struct redis *, const char *, int);
static int redis_sentinel_master(struct store *, char *, size_t, int *);
static int redis_server_error(struct store *, const redisReply *,
	    const char *);
static int redis_value(struct store *, const redisReply *, size_t, void *,
	    size_t, size_t *);
static void redis_pxat(char *, size_t, int64_t);
static void redis_append_cas(struct redis *, const char *, size_t, int,
	    const void *, size_t, const void *, size_t, int64_t, int);
static void redis_keys_add(struct redis_keys *, const char *, size_t);
static int redis_key_cmp(const void *, const void *);
static int redis_scan(struct store *, struct redis_keys *);
static void redis_info_line(const redisReply *, const char *, char *,
	    size_t);

/* redis_now_ms - the monotonic clock, for deadlines and the backoff */

static long long
redis_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * redis_spend - n elements of the round trip's budget: 0, or -1 (the
 * budget is spent: the caller fails the reply)
 */

static int
redis_spend(struct redis *r, size_t n)
{
	if (n > REDIS_ELEMENTS_MAX - r->rt_made) {
		r->rt_over = 1;
		return (-1);
	}
	r->rt_made += n;
	return (0);
}

/*
 * redis_made_array - hiredis's createArray, the array and its count
 * spent first: NULL past the budget (hiredis: out of memory, an error)
 */

static void *
redis_made_array(const redisReadTask *task, int elements)
{
	struct redis *r = task->privdata;

	if (elements < 0 || redis_spend(r, (size_t)elements + 1) < 0)
		return (NULL);
	return (r->dfl.createArray(task, elements));
}

/* redis_made_string - hiredis's createString, one element spent */

static void *
redis_made_string(const redisReadTask *task, char *str, size_t len)
{
	struct redis *r = task->privdata;

	if (redis_spend(r, 1) < 0)
		return (NULL);
	return (r->dfl.createString(task, str, len));
}

/* redis_made_integer - hiredis's createInteger, one element spent */

static void *
redis_made_integer(const redisReadTask *task, long long value)
{
	struct redis *r = task->privdata;

	if (redis_spend(r, 1) < 0)
		return (NULL);
	return (r->dfl.createInteger(task, value));
}

/* redis_made_nil - hiredis's createNil, one element spent */

static void *
redis_made_nil(const redisReadTask *task)
{
	struct redis *r = task->privdata;

	if (redis_spend(r, 1) < 0)
		return (NULL);
	return (r->dfl.createNil(task));
}

/*
 * redis_fail - the connection is unusable: close it, wait before the
 * next attempt, and say why (STORE_UNAVAILABLE)
 */

static int
redis_fail(struct store *st, const char *fmt, ...)
{
	struct redis *r = st->impl;
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r->c != NULL)
		redisFree(r->c);
	r->c = NULL;
	r->cached = 0;
	r->pending = 0;
	r->next_try_ms = redis_now_ms() + r->retry_ms;
	r->retry_ms = r->retry_ms * 2 > REDIS_RETRY_MAX_MS
	    ? REDIS_RETRY_MAX_MS : r->retry_ms * 2;
	/* One reason per outage: the first (the service logs it once). */
	if (r->down[0] == 0) {
		snprintf(r->down, sizeof(r->down), "%.100s: %.150s",
		    r->server[0] ? r->server : st->where, why);
		r->down_rc = STORE_UNAVAILABLE;
	}
	return (store_detail(st, STORE_UNAVAILABLE, "%s", r->down));
}

/* redis_free_replies - free n replies (NULLs allowed) */

static void
redis_free_replies(redisReply **rep, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (rep[i] != NULL) {
			freeReplyObject(rep[i]);
			rep[i] = NULL;
		}
}

/*
 * redis_roundtrip - send what was appended, read n replies: all within
 * the command timeout and the budget. A load's unanswered writes come
 * first: their answers are read and counted here.
 */

static int
redis_roundtrip(struct store *st, redisReply **rep, int n)
{
	struct redis *r = st->impl;
	struct pollfd pfd;
	long long deadline = redis_now_ms() + r->command_ms, left;
	void *got;
	char safe[LOG_SAFE_MAX + 1];
	size_t before;
	int done = 0, i, rc, have;

	for (i = 0; i < n; i++)
		rep[i] = NULL;
	r->rt_read = r->rt_made = 0;
	r->rt_over = 0;
	pfd.fd = r->c->fd;
	while (!done) {
		if (redisBufferWrite(r->c, &done) == REDIS_ERR)
			return (redis_fail(st, "sending: %s",
			    log_safe(r->c->errstr, safe, sizeof(safe))));
		if (done)
			break;
		pfd.events = POLLOUT;
		if ((left = deadline - redis_now_ms()) <= 0
		    || poll(&pfd, 1, (int)left) == 0)
			return (redis_fail(st, "no answer within %d ms",
			    r->command_ms));
	}
	for (i = -r->pending; i < n; i++) {
		for (;;) {
			got = NULL;
			if (redisGetReplyFromReader(r->c, &got) == REDIS_ERR) {
				redis_free_replies(rep, n);
				if (r->rt_over)
					return (redis_fail(st, "a reply of more "
					    "than %d elements",
					    REDIS_ELEMENTS_MAX));
				return (redis_fail(st, "a reply out of "
				    "protocol: %s", log_safe(r->c->errstr,
				    safe, sizeof(safe))));
			}
			if (got != NULL)
				break;
			if (r->rt_read > REDIS_READ_MAX) {
				redis_free_replies(rep, n);
				return (redis_fail(st, "a reply of more than "
				    "%zu bytes", REDIS_READ_MAX));
			}
			pfd.events = POLLIN;
			if ((left = deadline - redis_now_ms()) <= 0
			    || (rc = poll(&pfd, 1, (int)left)) == 0) {
				redis_free_replies(rep, n);
				return (redis_fail(st, "no answer within %d "
				    "ms", r->command_ms));
			}
			if (rc < 0 && errno == EINTR)
				continue;
			before = r->c->reader->len;
			if (redisBufferRead(r->c) == REDIS_ERR) {
				redis_free_replies(rep, n);
				return (redis_fail(st, "reading: %s",
				    log_safe(r->c->errstr, safe,
				    sizeof(safe))));
			}
			/* What the read added (nothing is consumed here). */
			r->rt_read += r->c->reader->len - before;
		}
		if (i >= 0) {
			rep[i] = got;
			continue;
		}
		/* A load's write: done, or lost to someone else. */
		r->pending--;
		rc = redis_cas_reply(st, got, &have, NULL, NULL);
		freeReplyObject(got);
		if (rc == STORE_BUSY)
			r->lost++;
		else if (rc != STORE_OK) {
			/* Refused: the last write decided (one pending). */
			st->load_refused = 1;
			redis_free_replies(rep, n);
			return (rc);
		}
	}
	return (STORE_OK);
}

/* redis_read_password - the first line of a password file (the key's
 * name for messages) into pw, REDIS_PASSWORD_MAX bytes */

static int
redis_read_password(struct store *st, const char *key, const char *path,
    char *pw, int *have_r)
{
	FILE *fp;
	size_t n;
	int rc;

	if ((rc = file_open_regular(path, &fp)) != 0)
		return (store_detail(st, rc == EACCES ? STORE_DENIED : STORE_IO,
		    "%s %s: %s", key, path, rc < 0 ? "not a regular file"
		    : strerror(rc)));
	if (fgets(pw, REDIS_PASSWORD_MAX, fp) == NULL)
		pw[0] = 0;
	fclose(fp);
	n = strcspn(pw, "\r\n");
	pw[n] = 0;
	if (n == 0 || n == REDIS_PASSWORD_MAX - 1)
		return (store_detail(st, STORE_INVAL, "%s %s: empty, or longer "
		    "than %d bytes", key, path, REDIS_PASSWORD_MAX - 2));
	*have_r = 1;
	return (STORE_OK);
}

/* redis_open - parse the spec, read the password; no connection yet */

static int
redis_open(struct store *st, const char *where, const struct store_opts *o)
{
	struct redis *r;
	char spec[600], err[200];
	int rc;

	r = xcalloc(1, sizeof(*r));
	st->impl = r;
	snprintf(spec, sizeof(spec), "%s:%s", st->be->scheme, where);
	if (redis_spec_parse(spec, &r->sp, err, sizeof(err)) < 0)
		return (store_detail(st, STORE_INVAL, "%.300s: %s", spec, err));
	snprintf(st->where, sizeof(st->where), "%.200s", spec);
	if (o->key_prefix != NULL) {
		if (strlen(o->key_prefix) >= sizeof(r->prefix))
			return (store_detail(st, STORE_INVAL, "key prefix "
			    "longer than %d bytes", REDIS_PREFIX_MAX - 1));
		snprintf(r->prefix, sizeof(r->prefix), "%s", o->key_prefix);
	}
	r->plen = strlen(r->prefix);
	if (o->password_file != NULL && o->password_file[0] != 0
	    && (rc = redis_read_password(st, "databasePasswordFile",
	    o->password_file, r->password, &r->have_password)) != STORE_OK)
		return (rc);
	/* Only sentinels are told it: a plain server has none to ask. */
	if (r->sp.kind == REDIS_SENTINEL && o->sentinel_password_file != NULL
	    && o->sentinel_password_file[0] != 0
	    && (rc = redis_read_password(st, "databaseSentinelPasswordFile",
	    o->sentinel_password_file, r->sentinel_password,
	    &r->have_sentinel_password)) != STORE_OK)
		return (rc);
	r->connect_ms = o->connect_ms > 0 ? o->connect_ms : REDIS_TIMEOUT_MS;
	r->command_ms = o->command_ms > 0 ? o->command_ms : REDIS_TIMEOUT_MS;
	r->retry_ms = REDIS_RETRY_MIN_MS;
	return (STORE_OK);
}

/* redis_close - close the connection, forget the password */

static void
redis_close(struct store *st)
{
	struct redis *r = st->impl;

	if (r->c != NULL)
		redisFree(r->c);
	explicit_bzero(r->password, sizeof(r->password));
	explicit_bzero(r->sentinel_password, sizeof(r->sentinel_password));
	free(r);
	st->impl = NULL;
}

/* redis_dial - a connection to host:port, or to a socket (host NULL) */

static redisContext *
redis_dial(struct redis *r, const char *host, int port)
{
	struct timeval tv;
	redisContext *c;

	tv.tv_sec = r->connect_ms / 1000;
	tv.tv_usec = (r->connect_ms % 1000) * 1000;
	if (host == NULL) {
		c = redisConnectUnixWithTimeout(r->sp.path, tv);
		snprintf(r->server, sizeof(r->server), "%s", r->sp.path);
	} else {
		c = redisConnectWithTimeout(host, port, tv);
		snprintf(r->server, sizeof(r->server), "%s:%d", host, port);
	}
	if (c == NULL)
		return (NULL);
	if (!c->err) {
		/* hiredis's reply builders, each counted in the budget. */
		r->dfl = *c->reader->fn;
		r->fns = r->dfl;
		r->fns.createArray = redis_made_array;
		r->fns.createString = redis_made_string;
		r->fns.createInteger = redis_made_integer;
		r->fns.createNil = redis_made_nil;
		c->reader->fn = &r->fns;
		c->reader->privdata = r;
	}
	return (c);
}

/*
 * redis_sentinel_master - ask each sentinel in turn for the master's
 * address; STORE_OK with host_r and port_r set
 */

static int
redis_sentinel_master(struct store *st, char *host_r, size_t hsize,
    int *port_r)
{
	struct redis *r = st->impl;
	redisReply *reps[2], *rep, *host;
	long long port;
	char why[256] = "no sentinel", safe[LOG_SAFE_MAX + 1], hsafe[41];
	int i, n, rc;

	for (i = 0; i < r->sp.nhosts; i++) {
		r->c = redis_dial(r, r->sp.host[i], r->sp.port[i]);
		if (r->c == NULL || r->c->err) {
			snprintf(why, sizeof(why), "sentinel %.100s: %.80s",
			    r->server, r->c ? log_safe(r->c->errstr, safe,
			    sizeof(safe)) : "out of memory");
			if (r->c != NULL)
				redisFree(r->c);
			r->c = NULL;
			continue;
		}
		n = 0;
		if (r->have_sentinel_password) {
			redisAppendCommand(r->c, "AUTH %s",
			    r->sentinel_password);
			n++;
		}
		redisAppendCommand(r->c, "SENTINEL get-master-addr-by-name %s",
		    r->sp.master);
		if (redis_roundtrip(st, reps, n + 1) != STORE_OK) {
			snprintf(why, sizeof(why), "sentinel %.180s", r->down);
			continue;	/* redis_fail() closed it */
		}
		rep = reps[n];
		/* A refusal (NOAUTH, a wrong password) is the sentinel's
		 * first error: AUTH's, or the question's. */
		if (reps[0]->type == REDIS_REPLY_ERROR
		    || rep->type == REDIS_REPLY_ERROR) {
			snprintf(why, sizeof(why), "sentinel %.100s: %s%.100s",
			    r->server, n && reps[0]->type == REDIS_REPLY_ERROR
			    ? "AUTH: " : "", log_safe(reps[0]->type
			    == REDIS_REPLY_ERROR ? reps[0]->str : rep->str,
			    safe, sizeof(safe)));
			redis_free_replies(reps, n + 1);
			redisFree(r->c);
			r->c = NULL;
			continue;
		}
		if (n)
			freeReplyObject(reps[0]);
		rc = rep->type == REDIS_REPLY_ARRAY && rep->elements == 2
		    && rep->element[0]->type == REDIS_REPLY_STRING
		    && rep->element[1]->type == REDIS_REPLY_STRING
		    && rep->element[0]->len < hsize
		    && strnum_ll(rep->element[1]->str, 1, 65535, &port) == 0;
		host = rc ? rep->element[0] : NULL;
		/* Only what an address or a name holds: the host goes into
		 * the connection's name, so into the log. */
		if (rc && (host->len == 0
		    || strspn(host->str, REDIS_HOST_CHARS) != host->len)) {
			rc = 0;
			snprintf(why, sizeof(why), "sentinel %.100s: the "
			    "master's host is not an address or a host name: "
			    "\"%s\"", r->server, log_safe(host->str, hsafe,
			    sizeof(hsafe)));
		} else if (rc) {
			snprintf(host_r, hsize, "%s", host->str);
			*port_r = (int)port;
		} else
			snprintf(why, sizeof(why), "sentinel %.100s: no master "
			    "named %s", r->server, r->sp.master);
		freeReplyObject(rep);
		redisFree(r->c);
		r->c = NULL;
		if (rc)
			return (STORE_OK);
	}
	r->server[0] = 0;
	return (redis_fail(st, "%s", why));
}

/*
 * redis_connect - the connection, made now if there is none and the
 * pause after the last failure is over: AUTH, SELECT, SCRIPT LOAD (and
 * ROLE behind sentinels) in one round trip, then the marker
 */

static int
redis_connect(struct store *st)
{
	struct redis *r = st->impl;
	redisReply *rep[4];
	char host[REDIS_SPEC_HOST_MAX], safe[LOG_SAFE_MAX + 1];
	int port = 0, n = 0, i, rc, ok;

	if (r->c != NULL)
		return (STORE_OK);
	if (redis_now_ms() < r->next_try_ms)
		return (store_detail(st, r->down_rc, "%s", r->down));
	if (r->sp.kind == REDIS_SENTINEL) {
		if ((rc = redis_sentinel_master(st, host, sizeof(host), &port))
		    != STORE_OK)
			return (rc);
		r->c = redis_dial(r, host, port);
	} else
		r->c = redis_dial(r, r->sp.kind == REDIS_TCP ? r->sp.host[0]
		    : NULL, r->sp.port[0]);
	if (r->c == NULL || r->c->err)
		return (redis_fail(st, "connecting: %s", r->c
		    ? log_safe(r->c->errstr, safe, sizeof(safe))
		    : "out of memory"));
	if (r->have_password) {
		redisAppendCommand(r->c, "AUTH %s", r->password);
		n++;
	}
	if (r->sp.db != 0) {
		redisAppendCommand(r->c, "SELECT %d", r->sp.db);
		n++;
	}
	redisAppendCommand(r->c, "SCRIPT LOAD %s", redis_cas_script);
	n++;
	if (r->sp.kind == REDIS_SENTINEL) {
		redisAppendCommand(r->c, "ROLE");
		n++;
	}
	if ((rc = redis_roundtrip(st, rep, n)) != STORE_OK)
		return (rc);
	for (i = 0, ok = 1; i < n && ok; i++)
		if (rep[i]->type == REDIS_REPLY_ERROR) {
			ok = 0;
			snprintf(host, sizeof(host), "%s", log_safe(rep[i]->str,
			    safe, sizeof(safe)));
		}
	i = n - 1 - (r->sp.kind == REDIS_SENTINEL);	/* SCRIPT LOAD */
	if (ok && (rep[i]->type != REDIS_REPLY_STRING || rep[i]->len != 40)) {
		ok = 0;
		snprintf(host, sizeof(host), "SCRIPT LOAD: an answer not a "
		    "digest");
	} else if (ok)
		memcpy(r->sha, rep[i]->str, 41);
	if (ok && r->sp.kind == REDIS_SENTINEL && (rep[n - 1]->type
	    != REDIS_REPLY_ARRAY || rep[n - 1]->elements < 1
	    || rep[n - 1]->element[0]->type != REDIS_REPLY_STRING
	    || strcmp(rep[n - 1]->element[0]->str, "master") != 0)) {
		ok = 0;
		snprintf(host, sizeof(host), "not the master (ROLE)");
	}
	redis_free_replies(rep, n);
	if (!ok)
		return (redis_fail(st, "%s", host));
	if ((rc = store_marker_check(st)) != STORE_OK) {
		/* Not ours, or not usable: leave, and not at once again. */
		if (r->c != NULL) {
			redisFree(r->c);
			r->c = NULL;
			r->next_try_ms = redis_now_ms() + r->retry_ms;
			snprintf(r->down, sizeof(r->down), "%s", st->detail);
			r->down_rc = rc;
		}
		return (rc == STORE_UNAVAILABLE ? rc : store_detail(st, rc,
		    "%s", r->down));
	}
	r->retry_ms = REDIS_RETRY_MIN_MS;
	r->down[0] = 0;
	return (STORE_OK);
}

/* redis_key - the Redis key of a store key: the prefix, then it */

static int
redis_key(struct store *st, const void *key, size_t klen, char *buf,
    size_t *len_r)
{
	struct redis *r = st->impl;

	if (klen > STORE_KEY_MAX)
		return (store_detail(st, STORE_INVAL, "key of %zu bytes",
		    klen));
	memcpy(buf, r->prefix, r->plen);
	memcpy(buf + r->plen, key, klen);
	*len_r = r->plen + klen;
	return (STORE_OK);
}

/* redis_server_error - an error reply: the server's state, or ours */

static int
redis_server_error(struct store *st, const redisReply *rep, const char *what)
{
	char buf[LOG_SAFE_MAX + 1];
	const char *safe = log_safe(rep->str, buf, sizeof(buf));

	/* A replica (after a failover), a loading or cut-off server:
	 * another connection may find the master. */
	if (strncmp(rep->str, "READONLY", 8) == 0
	    || strncmp(rep->str, "LOADING", 7) == 0
	    || strncmp(rep->str, "MASTERDOWN", 10) == 0
	    || strncmp(rep->str, "NOAUTH", 6) == 0)
		return (redis_fail(st, "%s: %s", what, safe));
	return (store_detail(st, STORE_IO, "%s: %s: %s", st->where, what,
	    safe));
}

/*
 * redis_value - a GET's reply as a value: STORE_OK (copied),
 * STORE_NOTFOUND (none, or a foreign key: logged), or an error
 */

static int
redis_value(struct store *st, const redisReply *rep, size_t klen, void *val_r,
    size_t vsize, size_t *vlen_r)
{
	switch (rep->type) {
	case REDIS_REPLY_NIL:
		return (STORE_NOTFOUND);
	case REDIS_REPLY_STRING:
		if (rep->len <= vsize && rep->len <= STORE_VALUE_MAX) {
			memcpy(val_r, rep->str, rep->len);
			*vlen_r = rep->len;
			return (STORE_OK);
		}
		log_warnx("%s: a foreign key under the prefix (a value of %zu "
		    "bytes, key of %zu), treated as absent", st->where,
		    rep->len, klen);
		return (STORE_NOTFOUND);
	case REDIS_REPLY_ERROR:
		if (strncmp(rep->str, "WRONGTYPE", 9) == 0) {
			log_warnx("%s: a foreign key under the prefix (not a "
			    "string), treated as absent", st->where);
			return (STORE_NOTFOUND);
		}
		return (redis_server_error(st, rep, "GET"));
	default:
		log_warnx("%s: GET answered with a reply of type %d, treated "
		    "as absent", st->where, rep->type);
		return (STORE_NOTFOUND);
	}
}

/* redis_get - GET one key; remembered for a store_update() after it */

static int
redis_get(struct store *st, const void *key, size_t klen, void *val_r,
    size_t vsize, size_t *vlen_r)
{
	struct redis *r = st->impl;
	redisReply *rep;
	char k[REDIS_KEY_MAX];
	size_t kl;
	int rc;

	r->cached = 0;
	if ((rc = redis_connect(st)) != STORE_OK
	    || (rc = redis_key(st, key, klen, k, &kl)) != STORE_OK)
		return (rc);
	redisAppendCommand(r->c, "GET %b", k, kl);
	if ((rc = redis_roundtrip(st, &rep, 1)) != STORE_OK)
		return (rc);
	rc = redis_value(st, rep, klen, val_r, vsize, vlen_r);
	freeReplyObject(rep);
	/* Remember it for the update that may follow (greylist.c). */
	if ((rc == STORE_OK || rc == STORE_NOTFOUND) && klen <= STORE_KEY_MAX
	    && (rc == STORE_NOTFOUND || *vlen_r <= sizeof(r->cval))) {
		r->cached = 1;
		r->cached_have = rc == STORE_OK;
		memcpy(r->ckey, key, klen);
		r->cklen = klen;
		if (rc == STORE_OK) {
			memcpy(r->cval, val_r, *vlen_r);
			r->cvlen = *vlen_r;
		}
	}
	return (rc);
}

/* redis_pxat - an expiry (Unix time, microseconds; 0: none) as the
 * scripts' PXAT argument: milliseconds, at least 1, or "0" for none */

static void
redis_pxat(char *buf, size_t size, int64_t expire_us)
{
	snprintf(buf, size, "%lld", expire_us > 0 ? (long long)
	    (expire_us / 1000 > 0 ? expire_us / 1000 : 1) : 0LL);
}

/* redis_append_cas - the compare-and-set, appended, not sent */

static void
redis_append_cas(struct redis *r, const char *k, size_t kl, int have,
    const void *old, size_t oldlen, const void *nv, size_t nvlen,
    int64_t expire_us, int eval)
{
	char at[24], max[24];
	const char *argv[9];
	size_t lens[9];

	redis_pxat(at, sizeof(at), expire_us);
	snprintf(max, sizeof(max), "%d", STORE_VALUE_MAX);
	argv[0] = eval ? "EVAL" : "EVALSHA";
	argv[1] = eval ? redis_cas_script : r->sha;
	argv[2] = "1";
	argv[3] = k;
	argv[4] = have ? "1" : "0";
	argv[5] = have ? old : "";
	argv[6] = nv != NULL ? nv : "";
	argv[7] = at;
	argv[8] = max;
	lens[0] = strlen(argv[0]);
	lens[1] = strlen(argv[1]);
	lens[2] = 1;
	lens[3] = kl;
	lens[4] = 1;
	lens[5] = have ? oldlen : 0;
	lens[6] = nv != NULL ? nvlen : 0;
	lens[7] = strlen(at);
	lens[8] = strlen(max);
	redisAppendCommandArgv(r->c, 9, argv, lens);
}

/*
 * redis_cas_reply - the script's answer: STORE_OK (written), or
 * STORE_BUSY with what is there now (have_r, val_r) when val_r is
 * given, or an error
 */

static int
redis_cas_reply(struct store *st, redisReply *rep, int *have_r,
    unsigned char *val_r, size_t *vlen_r)
{
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
		return (STORE_OK);
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer == 0) {
		*have_r = 0;
		return (STORE_BUSY);
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1
	    && rep->element[0]->type == REDIS_REPLY_STRING
	    && rep->element[0]->len <= STORE_VALUE_MAX) {
		*have_r = 1;
		if (val_r != NULL) {
			memcpy(val_r, rep->element[0]->str,
			    rep->element[0]->len);
			*vlen_r = rep->element[0]->len;
		}
		return (STORE_BUSY);
	}
	if (rep->type == REDIS_REPLY_ERROR)
		return (redis_server_error(st, rep, "compare-and-set"));
	return (redis_fail(st, "compare-and-set: an answer out of protocol"));
}

/*
 * redis_cas - send the compare-and-set and wait: STORE_OK, STORE_BUSY
 * (lost: r->cval holds what is there, r->cached_have whether anything
 * is), or an error
 */

static int
redis_cas(struct store *st, const char *k, size_t kl, int have,
    const void *old, size_t oldlen, const void *nv, size_t nvlen,
    int64_t expire_us)
{
	struct redis *r = st->impl;
	redisReply *rep;
	int rc, eval;

	for (eval = 0; eval < 2; eval++) {
		redis_append_cas(r, k, kl, have, old, oldlen, nv, nvlen,
		    expire_us, eval);
		if ((rc = redis_roundtrip(st, &rep, 1)) != STORE_OK)
			return (rc);
		/* The server lost the script (restart, failover): EVAL,
		 * which caches it again. */
		if (rep->type == REDIS_REPLY_ERROR && !eval
		    && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
			freeReplyObject(rep);
			continue;
		}
		rc = redis_cas_reply(st, rep, &r->cached_have, r->cval,
		    &r->cvlen);
		freeReplyObject(rep);
		return (rc);
	}
	return (store_detail(st, STORE_IO, "%s: the script is refused",
	    st->where));
}

/* redis_update - read, decide, compare-and-set; lost: decide again */

static int
redis_update(struct store *st, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	struct redis *r = st->impl;
	unsigned char nv[STORE_VALUE_MAX], old[STORE_VALUE_MAX];
	char k[REDIS_KEY_MAX];
	size_t kl, nvlen, oldlen = 0;
	int64_t expire;
	long long deadline;
	int rc, have, tries;

	if ((rc = redis_key(st, key, klen, k, &kl)) != STORE_OK)
		return (rc);
	if (r->cached && r->cklen == klen && memcmp(r->ckey, key, klen) == 0) {
		have = r->cached_have;	/* just read: the CAS checks it */
		if (have) {
			memcpy(old, r->cval, r->cvlen);
			oldlen = r->cvlen;
		}
	} else {
		rc = redis_get(st, key, klen, old, sizeof(old), &oldlen);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return (rc);
		have = rc == STORE_OK;
	}
	r->cached = 0;
	if ((rc = redis_connect(st)) != STORE_OK)
		return (rc);
	deadline = redis_now_ms() + r->command_ms;
	for (tries = 0; tries < REDIS_CAS_TRIES_MAX; tries++) {
		if (tries >= REDIS_CAS_TRIES_MIN && redis_now_ms() >= deadline)
			break;
		expire = 0;
		nvlen = 0;
		switch (fn(have ? old : NULL, oldlen, nv, &nvlen, &expire,
		    ctx)) {
		case STORE_UNCHANGED:
			return (STORE_OK);
		case STORE_STOP:
			return (STORE_ABORTED);
		case STORE_DELETE:
			if (!have)
				return (STORE_OK);
			rc = redis_cas(st, k, kl, have, old, oldlen, NULL, 0,
			    0);
			break;
		case STORE_WRITE:
			if (nvlen == 0 || nvlen > sizeof(nv))
				return (store_detail(st, STORE_INVAL, "a value "
				    "of %zu bytes", nvlen));
			rc = redis_cas(st, k, kl, have, old, oldlen, nv, nvlen,
			    expire);
			break;
		default:
			return (store_detail(st, STORE_INVAL, "an unknown "
			    "decision"));
		}
		if (rc != STORE_BUSY)
			return (rc);
		/* Lost the race: decide again on what won it. */
		have = r->cached_have;
		if (have) {
			memcpy(old, r->cval, r->cvlen);
			oldlen = r->cvlen;
		}
	}
	return (store_detail(st, STORE_BUSY, "%s: the entry changed under "
	    "%d decisions in a row", st->where, tries));
}

/* redis_batch_update - a load's entry: read, decide, write unanswered */

static int
redis_batch_update(struct store_batch *b, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	struct store *st = b->st;
	struct redis *r = st->impl;
	unsigned char nv[STORE_VALUE_MAX], old[STORE_VALUE_MAX];
	char k[REDIS_KEY_MAX];
	size_t kl, nvlen = 0, oldlen = 0;
	int64_t expire = 0;
	int rc, have;

	/* The read also collects the answers of earlier writes. */
	if ((rc = redis_get(st, key, klen, old, sizeof(old), &oldlen))
	    != STORE_OK && rc != STORE_NOTFOUND)
		return (rc);
	r->cached = 0;
	have = rc == STORE_OK;
	(void)redis_key(st, key, klen, k, &kl);
	switch (fn(have ? old : NULL, oldlen, nv, &nvlen, &expire, ctx)) {
	case STORE_UNCHANGED:
		return (STORE_OK);
	case STORE_STOP:
		return (STORE_ABORTED);
	case STORE_DELETE:
		if (!have || r->dryrun)
			return (STORE_OK);
		redis_append_cas(r, k, kl, have, old, oldlen, NULL, 0, 0, 1);
		break;
	case STORE_WRITE:
		if (nvlen == 0 || nvlen > sizeof(nv))
			return (store_detail(st, STORE_INVAL, "a value of %zu "
			    "bytes", nvlen));
		if (r->dryrun)
			return (STORE_OK);
		/* EVAL: a load must not meet NOSCRIPT in mid-pipeline. */
		redis_append_cas(r, k, kl, have, old, oldlen, nv, nvlen,
		    expire, 1);
		break;
	}
	r->pending++;
	if (r->pending >= REDIS_PIPELINE_MAX)
		return (redis_roundtrip(st, NULL, 0));
	return (STORE_OK);
}

/* redis_load - run fill; collect the writes' answers; STORE_BUSY if any lost */

static int
redis_load(struct store *st, store_fill_fn fill, void *ctx, int flags)
{
	struct redis *r = st->impl;
	struct store_batch b;
	int rc;

	if ((rc = redis_connect(st)) != STORE_OK)
		return (rc);
	r->lost = 0;
	r->pending = 0;
	r->dryrun = (flags & STORE_LOAD_DRYRUN) != 0;
	b.st = st;
	b.impl = r;
	rc = fill(&b, ctx);
	if (r->c != NULL && r->pending > 0) {
		int rc2 = redis_roundtrip(st, NULL, 0);

		if (rc == STORE_OK)
			rc = rc2;
	}
	r->dryrun = 0;
	if (rc == STORE_OK && r->lost > 0)
		return (store_detail(st, STORE_BUSY, "%s: %zu entries changed "
		    "by another writer while loading: not written (run the "
		    "load again: it merges)", st->where, r->lost));
	return (rc);
}

/* redis_keys_add - one key (without the prefix) to the list */

static void
redis_keys_add(struct redis_keys *ks, const char *k, size_t kl)
{
	char *tmp;
	size_t *toff;

	if (ks->len + kl + 2 > ks->size) {
		ks->size = (ks->size + kl + 2) * 2;
		tmp = xreallocarray(ks->buf, ks->size, 1);
		ks->buf = tmp;
	}
	if (ks->n == ks->nsize) {
		ks->nsize = ks->nsize ? ks->nsize * 2 : 1024;
		toff = xreallocarray(ks->off, ks->nsize, sizeof(*ks->off));
		ks->off = toff;
	}
	ks->off[ks->n++] = ks->len;
	ks->buf[ks->len] = (char)(kl >> 8);
	ks->buf[ks->len + 1] = (char)(kl & 0xff);
	memcpy(ks->buf + ks->len + 2, k, kl);
	ks->len += kl + 2;
}

static const char *redis_sort_base;

/* redis_key_cmp - LMDB's order: bytes, then the shorter first */

static int
redis_key_cmp(const void *a, const void *b)
{
	const unsigned char *ka = (const unsigned char *)redis_sort_base
	    + *(const size_t *)a;
	const unsigned char *kb = (const unsigned char *)redis_sort_base
	    + *(const size_t *)b;
	size_t la = (size_t)ka[0] << 8 | ka[1], lb = (size_t)kb[0] << 8 | kb[1];
	int c = memcmp(ka + 2, kb + 2, la < lb ? la : lb);

	if (c != 0)
		return (c);
	return (la < lb ? -1 : la > lb);
}

/* redis_scan - every key under the prefix, without it, sorted */

static int
redis_scan(struct store *st, struct redis_keys *ks)
{
	struct redis *r = st->impl;
	redisReply *rep, *keys;
	char pattern[2 * REDIS_PREFIX_MAX + 2], cursor[32] = "0";
	size_t i, j = 0;
	int rc, foreign = 0;

	/* The prefix as a glob: its own glob characters escaped. */
	for (i = 0; i < r->plen; i++) {
		if (strchr("*?[]\\", r->prefix[i]) != NULL)
			pattern[j++] = '\\';
		pattern[j++] = r->prefix[i];
	}
	pattern[j++] = '*';
	pattern[j] = 0;
	do {
		redisAppendCommand(r->c, "SCAN %s MATCH %s COUNT "
		    REDIS_SCAN_COUNT, cursor, pattern);
		if ((rc = redis_roundtrip(st, &rep, 1)) != STORE_OK)
			return (rc);
		if (rep->type == REDIS_REPLY_ERROR) {
			rc = redis_server_error(st, rep, "SCAN");
			freeReplyObject(rep);
			return (rc);
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2
		    || rep->element[0]->type != REDIS_REPLY_STRING
		    || rep->element[0]->len >= sizeof(cursor)
		    || rep->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(rep);
			return (redis_fail(st, "SCAN: an answer out of "
			    "protocol"));
		}
		memcpy(cursor, rep->element[0]->str, rep->element[0]->len + 1);
		keys = rep->element[1];
		for (i = 0; i < keys->elements; i++) {
			if (keys->element[i]->type != REDIS_REPLY_STRING
			    || keys->element[i]->len <= r->plen
			    || keys->element[i]->len > r->plen + STORE_KEY_MAX
			    || memcmp(keys->element[i]->str, r->prefix,
			    r->plen) != 0) {
				foreign++;
				continue;
			}
			redis_keys_add(ks, keys->element[i]->str + r->plen,
			    keys->element[i]->len - r->plen);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	if (foreign)
		log_warnx("%s: %d foreign keys under the prefix skipped",
		    st->where, foreign);
	/* SCAN may return a key twice: sorted, the copies are adjacent. */
	if (ks->n == 0)
		return (STORE_OK);
	redis_sort_base = ks->buf;
	qsort(ks->off, ks->n, sizeof(*ks->off), redis_key_cmp);
	for (i = j = 0; i < ks->n; i++)
		if (j == 0 || redis_key_cmp(&ks->off[j - 1], &ks->off[i]) != 0)
			ks->off[j++] = ks->off[i];
	ks->n = j;
	return (STORE_OK);
}

/* redis_walk - visit up to max entries after the cursor, in key order */

static int
redis_walk(struct store *st, struct store_cursor *cur, size_t max,
    store_visit_fn visit, void *ctx)
{
	struct redis *r = st->impl;
	struct redis_keys ks;
	redisReply *rep = NULL;
	const char *argv[REDIS_MGET_BATCH + 1];
	size_t lens[REDIS_MGET_BATCH + 1];
	char *keys = NULL;
	size_t i, first, n, b, visited = 0, kl, *koff = NULL;
	enum store_visit what = STORE_NEXT;
	int rc;

	if ((rc = redis_connect(st)) != STORE_OK)
		return (rc);
	memset(&ks, 0, sizeof(ks));
	if ((rc = redis_scan(st, &ks)) != STORE_OK)
		goto out;
	first = 0;
	if (cur->started) {		/* after the cursor's key */
		while (first < ks.n) {
			const unsigned char *k = (const unsigned char *)ks.buf
			    + ks.off[first];
			size_t l = (size_t)k[0] << 8 | k[1];
			int c = memcmp(k + 2, cur->key, l < cur->klen ? l
			    : cur->klen);

			if (c > 0 || (c == 0 && l > cur->klen))
				break;
			first++;
		}
	}
	keys = xmalloc(REDIS_MGET_BATCH * REDIS_KEY_MAX);
	koff = xreallocarray(NULL, REDIS_MGET_BATCH, sizeof(*koff));
	for (i = first; i < ks.n && what == STORE_NEXT
	    && (max == 0 || visited < max); i += n) {
		n = ks.n - i < REDIS_MGET_BATCH ? ks.n - i : REDIS_MGET_BATCH;
		argv[0] = "MGET";
		lens[0] = 4;
		for (b = 0; b < n; b++) {
			const unsigned char *k = (const unsigned char *)ks.buf
			    + ks.off[i + b];

			kl = (size_t)k[0] << 8 | k[1];
			koff[b] = b * REDIS_KEY_MAX;
			redis_key(st, k + 2, kl, keys + koff[b], &lens[b + 1]);
			argv[b + 1] = keys + koff[b];
		}
		redisAppendCommandArgv(r->c, (int)n + 1, argv, lens);
		if ((rc = redis_roundtrip(st, &rep, 1)) != STORE_OK)
			goto out;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != n) {
			rc = rep->type == REDIS_REPLY_ERROR
			    ? redis_server_error(st, rep, "MGET")
			    : redis_fail(st, "MGET: an answer out of protocol");
			goto out;
		}
		for (b = 0; b < n && what == STORE_NEXT
		    && (max == 0 || visited < max); b++) {
			redisReply *v = rep->element[b];
			const char *k = keys + koff[b] + r->plen;

			kl = lens[b + 1] - r->plen;
			memcpy(cur->key, k, kl);
			cur->klen = kl;
			cur->started = 1;
			if (v->type == REDIS_REPLY_NIL)
				continue;	/* gone since the scan */
			if (v->type != REDIS_REPLY_STRING
			    || v->len > STORE_VALUE_MAX) {
				log_warnx("%s: a foreign key under the prefix "
				    "skipped", st->where);
				continue;
			}
			visited++;
			what = visit(k, kl, v->str, v->len, ctx);
		}
		freeReplyObject(rep);
		rep = NULL;
		if (b < n)
			break;
	}
	if (what == STORE_END || (what == STORE_NEXT && i >= ks.n))
		cur->done = 1;
	rc = what == STORE_FAIL ? STORE_ABORTED : STORE_OK;
out:
	if (rep != NULL)
		freeReplyObject(rep);
	free(keys);
	free(koff);
	free(ks.buf);
	free(ks.off);
	return (rc);
}

/*
 * redis_info_line - the value of "name:" in an INFO answer, fit for
 * the log (log_safe(): it is the server's text)
 */

static void
redis_info_line(const redisReply *rep, const char *name, char *buf,
    size_t size)
{
	const char *p = rep->str, *end = rep->str + rep->len, *nl;
	char raw[LOG_SAFE_MAX + 1];
	size_t n = strlen(name);

	snprintf(buf, size, "-");
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) > n && memcmp(p, name, n) == 0
		    && p[n] == ':') {
			snprintf(raw, sizeof(raw), "%.*s",
			    (int)(nl - p - (long)n - 1), p + n + 1);
			raw[strcspn(raw, "\r")] = 0;
			log_safe(raw, buf, size);
			return;
		}
		p = nl + 1;
	}
}

/* redis_info - the server's figures: address, version, role, memory, keys */

static int
redis_info(struct store *st, store_info_fn emit, void *ctx)
{
	struct redis *r = st->impl;
	redisReply *rep[2];
	char buf[128];
	size_t i;
	int rc;
	static const char *const fields[][2] = {
		{"redis_version", "Redis version"},
		{"role", "Role"},
		{"used_memory_human", "Memory used"},
		{"maxmemory_policy", "Eviction policy"},
	};

	if ((rc = redis_connect(st)) != STORE_OK)
		return (rc);
	redisAppendCommand(r->c, "INFO");
	redisAppendCommand(r->c, "DBSIZE");
	if ((rc = redis_roundtrip(st, rep, 2)) != STORE_OK)
		return (rc);
	if (rep[0]->type != REDIS_REPLY_STRING
	    || rep[1]->type != REDIS_REPLY_INTEGER) {
		redis_free_replies(rep, 2);
		return (redis_fail(st, "INFO: an answer out of protocol"));
	}
	emit("Server", r->server, ctx);
	snprintf(buf, sizeof(buf), "%d", r->sp.db);
	emit("Database number", buf, ctx);
	emit("Key prefix", r->prefix, ctx);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		redis_info_line(rep[0], fields[i][0], buf, sizeof(buf));
		emit(fields[i][1], buf, ctx);
	}
	snprintf(buf, sizeof(buf), "%lld", rep[1]->integer);
	emit("Keys in the database", buf, ctx);
	redis_free_replies(rep, 2);
	return (STORE_OK);
}

/* redis_add_counts - the counts added to keys by the script, at once */

static int
redis_add_counts(struct store *st, const struct store_count *keys, size_t n,
    const void *counts, size_t len, int *replaced_r)
{
	struct redis *r = st->impl;
	char k[STORE_COUNT_KEYS_MAX][REDIS_KEY_MAX];
	char at[STORE_COUNT_KEYS_MAX][24], nk[8], slots[8];
	const char *argv[5 + 2 * STORE_COUNT_KEYS_MAX];
	size_t lens[5 + 2 * STORE_COUNT_KEYS_MAX], i, argc = 0;
	redisReply *rep;
	int rc;

	r->cached = 0;
	if ((rc = redis_connect(st)) != STORE_OK)
		return (rc);
	snprintf(nk, sizeof(nk), "%zu", n);
	snprintf(slots, sizeof(slots), "%d", COUNTER_SLOTS);
	argv[argc] = "EVAL";
	lens[argc++] = 4;
	argv[argc] = redis_add_script;
	lens[argc++] = sizeof(redis_add_script) - 1;
	argv[argc] = nk;
	lens[argc++] = strlen(nk);
	for (i = 0; i < n; i++) {
		if ((rc = redis_key(st, keys[i].key, keys[i].klen, k[i],
		    &lens[argc])) != STORE_OK)
			return (rc);
		argv[argc++] = k[i];
	}
	argv[argc] = counts;
	lens[argc++] = len;
	for (i = 0; i < n; i++) {
		redis_pxat(at[i], sizeof(at[i]), keys[i].expire_us);
		argv[argc] = at[i];
		lens[argc++] = strlen(at[i]);
	}
	argv[argc] = slots;
	lens[argc++] = strlen(slots);
	redisAppendCommandArgv(r->c, (int)argc, argv, lens);
	if ((rc = redis_roundtrip(st, &rep, 1)) != STORE_OK)
		return (rc);
	if (rep->type == REDIS_REPLY_INTEGER && rep->integer >= 0
	    && (size_t)rep->integer <= n) {
		*replaced_r = (int)rep->integer;
		rc = STORE_OK;
	} else if (rep->type == REDIS_REPLY_ERROR)
		rc = redis_server_error(st, rep, "adding counts");
	else
		rc = redis_fail(st, "adding counts: an answer out of protocol");
	freeReplyObject(rep);
	return (rc);
}

/* redis_sync - nothing to flush: Redis persists on its own terms */

static int
redis_sync(struct store *st)
{
	(void)st;
	return (STORE_OK);
}

#define REDIS_BACKEND(scheme) { \
	scheme, \
	STORE_CAP_ORDERED | STORE_CAP_EXPIRY, \
	redis_open, \
	redis_close, \
	redis_get, \
	redis_update, \
	redis_walk, \
	redis_load, \
	redis_batch_update, \
	redis_info, \
	redis_sync, \
	redis_connect, \
	redis_add_counts, \
}

const struct store_backend store_redis = REDIS_BACKEND("redis");
const struct store_backend store_redis_unix = REDIS_BACKEND("redis+unix");
const struct store_backend store_redis_sentinel =
    REDIS_BACKEND("redis-sentinel");
