/*
 * NAME
 *	filter 3
 * SUMMARY
 *	which entries greyspf-stat lists and greyspf-delete deletes
 * SYNOPSIS
 *	#include "filter.h"
 *
 *	void	filter_init(filter)
 *	int	filter_option(filter, c, arg)
 *	int	filter_client(filter, text)
 *	int	filter_address(field, text)
 *	int	filter_state(filter, text)
 *	int	filter_any(filter)
 *	int	filter_match(filter, key, rec, now_us)
 * DESCRIPTION
 *	The options --client, --sender, --recipient and --state, parsed
 *	and matched; an entry matches when it matches every one given.
 *
 *	--client takes an address or a network (address/prefix; host bits
 *	are cleared): an entry matches when its client network and that
 *	one overlap, so an address finds the /24 entry that holds it
 *	(ignoreLastByte), and a network finds every host entry in it. The
 *	client's auto-whitelist entry matches too.
 *
 *	--sender and --recipient take an address (ASCII lower-cased, as
 *	the service keys it; "<>" is the null sender), matched exactly, or
 *	"@domain", matched by the address's domain. --state takes
 *	pending, unretried or passed (record_state() at now). Only
 *	triplets have addresses, and only greylist entries a state: an
 *	auto-whitelist entry matches neither option.
 *
 *	filter_option() takes one option as getopt_long() gave it (the
 *	FILTER_LONGOPTS table): it returns 1 when c was one of them, 0
 *	when it was not; a bad argument is a usage error, reported and
 *	left to the caller's usage(), called with CLI_EXIT_USAGE.
 * DIAGNOSTICS
 *	The parsers return 0, or -1 for a bad argument. filter_match()
 *	returns 1 or 0.
 */

#include <string.h>

#include "cli.h"
#include "filter.h"
#include "log.h"
#include "util.h"

static int filter_addr_match(const char *, const char *);

/* filter_init - no filter: every entry matches */

void
filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->state = -1;
}

/* filter_option - one of the filter options; 0: c is not one */

int
filter_option(struct filter *f, int c, const char *arg)
{
	const char *name;
	int rc;

	switch (c) {
	case 'l':
		name = "--client";
		rc = filter_client(f, arg);
		break;
	case 'f':
		name = "--sender";
		rc = filter_address(f->sender, arg);
		f->sender_set = 1;
		break;
	case 'r':
		name = "--recipient";
		rc = filter_address(f->recipient, arg);
		f->recipient_set = 1;
		break;
	case 't':
		name = "--state";
		rc = filter_state(f, arg);
		break;
	default:
		return (0);
	}
	if (rc < 0) {
		log_warnx("%s: bad argument \"%.100s\"", name, arg);
		return (-1);
	}
	return (1);
}

/* filter_client - an address or address/prefix */

int
filter_client(struct filter *f, const char *text)
{
	char buf[ADDR_TEXT_MAX];
	const char *slash = strchr(text, '/');
	long long plen;
	size_t len = slash ? (size_t)(slash - text) : strlen(text);

	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, text, len);
	buf[len] = 0;
	if (addr_parse(buf, &f->client) < 0)
		return (-1);
	if (slash != NULL) {
		if (strnum_ll(slash + 1, 0, f->client.family == 4 ? 32 : 128,
		    &plen) < 0 || (strchr(buf, ':') && f->client.family == 4))
			return (-1);
		addr_mask(&f->client, (int)plen);
	}
	f->client_set = 1;
	return (0);
}

/* filter_address - an address or @domain, lower-cased; "<>": null */

int
filter_address(char *field, const char *text)
{
	size_t i, len = strlen(text);

	if (len > FILTER_ADDR_MAX || len == 0)
		return (-1);
	if (strcmp(text, "<>") == 0) {
		field[0] = 0;
		return (0);
	}
	for (i = 0; i <= len; i++)
		field[i] = text[i] >= 'A' && text[i] <= 'Z'
		    ? (char)(text[i] - 'A' + 'a') : text[i];
	return (0);
}

/* filter_state - pending, unretried or passed */

int
filter_state(struct filter *f, const char *text)
{
	int s;

	for (s = RECORD_PENDING; s <= RECORD_PASSED; s++)
		if (strcmp(text, record_state_name((enum record_state)s))
		    == 0) {
			f->state = s;
			return (0);
		}
	return (-1);
}

/* filter_any - is any filter set? */

int
filter_any(const struct filter *f)
{
	return (f->client_set || f->sender_set || f->recipient_set
	    || f->state >= 0);
}

/* filter_addr_match - an address against an address or @domain */

static int
filter_addr_match(const char *want, const char *addr)
{
	const char *at;

	if (want[0] != '@')
		return (strcmp(want, addr) == 0);
	return ((at = strrchr(addr, '@')) != NULL && strcmp(at, want) == 0);
}

/* filter_match - does an entry match every filter set? */

int
filter_match(const struct filter *f, const struct greykey *key,
    const struct greyrec *rec, int64_t now)
{
	struct netaddr a, b;
	int plen;

	if (f->client_set) {
		if (f->client.family != key->client.family)
			return (0);
		a = f->client;
		b = key->client;
		plen = a.plen < b.plen ? a.plen : b.plen;
		addr_mask(&a, plen);
		addr_mask(&b, plen);
		if (memcmp(a.bytes, b.bytes, sizeof(a.bytes)) != 0)
			return (0);
	}
	if ((f->sender_set || f->recipient_set) && key->kind != KEY_TRIPLET)
		return (0);
	if (f->sender_set && !filter_addr_match(f->sender, key->sender))
		return (0);
	if (f->recipient_set && !filter_addr_match(f->recipient,
	    key->recipient))
		return (0);
	if (f->state >= 0 && (key->kind == KEY_AWL
	    || (int)record_state(rec, now) != f->state))
		return (0);
	return (1);
}
