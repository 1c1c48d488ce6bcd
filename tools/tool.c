/*
 * NAME
 *	tool 3
 * SUMMARY
 *	what the tools share above the store: opening it, expiry per entry
 * SYNOPSIS
 *	#include "tool.h"
 *
 *	struct store *tool_open_store(conf, dbpath, rdonly)
 *	void	tool_server_opts(conf, opts)
 *	void	tool_guarantees(store, buf, size)
 *	void	tool_warn_unguaranteed(store, cap, what)
 *	void	tool_entity(conf, key, entity_r)
 *	int64_t	tool_expires_at(conf, key, rec)
 *	int	tool_counters(key, klen, val, vlen, ckey_r, set_r)
 * DESCRIPTION
 *	tool_open_store() opens the database named by -d, else by the
 *	configuration's "database" key; read-only for the tools that only
 *	read, created when missing for the others. It exits 1 on failure.
 *	tool_server_opts() adds a database server's settings (key prefix,
 *	password file, timeouts) to store options.
 *	A memory fault inside the database later (a file cut short or
 *	damaged under the tool) is reported as a damaged database, exit 1,
 *	not a silent death (lib/fault.c).
 *
 *	tool_guarantees() names what the store's backend promises (its
 *	capability flags: ordered walk, snapshot, atomic load, expiry of
 *	its own), for greyspf-stat; tool_warn_unguaranteed() tells the
 *	user, once, what a tool cannot promise on this backend (dump: one
 *	snapshot; import and load: all or nothing).
 *
 *	tool_entity() looks up the per-entity configuration that applies to
 *	a key: the client as the dot-separated pieces the original used
 *	(an IPv4 /24 is "a.b.c", so its a/b/c/__default__ applies), the
 *	sender and the recipient.
 *
 *	tool_expires_at() is when greyspf-clean drops an entry: the
 *	GREYLISTEXPIREDAYS that applies to it, through record_expires_at().
 *	greyspf-stat shows the same time, so the two never disagree. An
 *	auto-whitelist entry expires autoWhitelistMaxAge days after its
 *	last pass (src/policy_awl.c's rule).
 *
 *	tool_counters() tells a counter key (db/counter.c) from an entry:
 *	1 a counter key, decoded; -1 a counter key or value that does not
 *	decode; 0 not a counter key (an entry: entry_decode()).
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "entry.h"
#include "fault.h"
#include "log.h"
#include "tool.h"

/* tool_fault - a fault inside the database: say so, exit 1 */

static void
tool_fault(int sig)
{
	static const char text[] = ": database damaged: a fault inside it "
	    "(a truncated or corrupted file?)\n";
	const char *prog = log_progname();

	(void)sig;
	(void)!write(2, prog, strlen(prog));
	(void)!write(2, text, sizeof(text) - 1);
	_exit(CLI_EXIT_FAIL);
}

struct store *
tool_open_store(const struct config *conf, const char *dbpath, int rdonly)
{
	struct store_opts opts;
	struct store *st;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.rdonly = rdonly;
	opts.create = !rdonly;
	opts.mapsize = (size_t)conf->map_size_mb << 20;
	opts.mapsize_max = (size_t)conf->map_size_max_mb << 20;
	opts.recognise = entry_recognise;
	opts.lock_wait_ms = (int)conf->lock_wait_s * 1000;
	tool_server_opts(conf, &opts);
	fault_init(tool_fault);
	if ((rc = store_open(&st, dbpath ? dbpath : conf->database, &opts))
	    != STORE_OK)
		fatalx("%s", store_strerror(NULL, rc));
	return (st);
}

/* tool_server_opts - a database server's settings (Redis) */

void
tool_server_opts(const struct config *conf, struct store_opts *opts)
{
	opts->key_prefix = conf->key_prefix;
	opts->password_file = conf->password_file;
	opts->sentinel_password_file = conf->sentinel_password_file;
	opts->connect_ms = (int)conf->connect_timeout_ms;
	opts->command_ms = (int)conf->command_timeout_ms;
}

void
tool_entity_client(const struct netaddr *a, char *buf, size_t size)
{
	size_t n, i;

	if (a->family == 6) {
		if (a->plen == 0)
			buf[0] = 0;
		else
			addr_format(a, buf, size);
		return;
	}
	/* Whole octets of the prefix: /24 -> "a.b.c", /32 -> "a.b.c.d". */
	buf[0] = 0;
	n = a->plen / 8;
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%u",
		    i ? "." : "", a->bytes[i]);
}

void
tool_entity(const struct config *conf, const struct greykey *key,
    struct entity_conf *ent)
{
	struct entity_query q;
	char client[ADDR_TEXT_MAX];

	tool_entity_client(&key->client, client, sizeof(client));
	q.client_address = client[0] ? client : NULL;
	q.sender = key->kind == KEY_TRIPLET ? key->sender : NULL;
	q.recipient = key->kind == KEY_TRIPLET ? key->recipient : NULL;
	entity_lookup(conf->config_path, &q, ent);
}

int64_t
tool_expires_at(const struct config *conf, const struct greykey *key,
    const struct greyrec *rec)
{
	struct entity_conf ent;

	if (key->kind == KEY_AWL)
		return (rec->last_us + conf->awl_max_age_days * 86400
		    * 1000000);
	tool_entity(conf, key, &ent);
	return (record_expires_at(rec, entity_expire_us(&ent)));
}

/* tool_counters - a counter key? 1 decoded, -1 undecodable, 0 not one */

int
tool_counters(const void *k, size_t klen, const void *v, size_t vlen,
    struct counter_key *key_r, struct counter_set *set_r)
{
	if (!counter_is_key(k, klen))
		return (0);
	if (counter_key_decode(k, klen, key_r) < 0
	    || counter_value_decode(v, vlen, set_r) < 0)
		return (-1);
	return (1);
}

/* tool_guarantees - the backend's capabilities, in words */

void
tool_guarantees(const struct store *st, char *buf, size_t size)
{
	static const struct {
		unsigned cap;
		const char *name;
	} caps[] = {
		{STORE_CAP_ORDERED, "ordered walk"},
		{STORE_CAP_SNAPSHOT, "snapshot"},
		{STORE_CAP_ATOMIC_LOAD, "atomic load"},
		{STORE_CAP_EXPIRY, "expires entries itself"},
	};
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if ((store_caps(st) & caps[i].cap) && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			    n ? ", " : "", caps[i].name);
	if (n == 0)
		snprintf(buf, size, "none");
}

/* tool_warn_unguaranteed - say what this backend does not promise */

void
tool_warn_unguaranteed(const struct store *st, unsigned cap, const char *what)
{
	if (!(store_caps(st) & cap))
		log_warnx("note: the %s backend cannot promise %s",
		    store_name(st), what);
}
