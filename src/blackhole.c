/*
 * NAME
 *	blackhole 3
 * SUMMARY
 *	tumgreyspf's blackhole checker (spec section 5)
 * SYNOPSIS
 *	#include "blackhole.h"
 *
 *	enum blackhole_hit blackhole_lookup(dir, client, recipient)
 * DESCRIPTION
 *	Needs a client address and a recipient, as the original did. A
 *	client is blackholed when dir/ips/<client, dots made slashes>
 *	exists (file or directory). A recipient is a trap when
 *	dir/addresses/<escaped recipient> exists; the original then meant
 *	to blackhole the client for good but crashed instead. greyspf
 *	rejects the request that hit the trap and records nothing outside
 *	its database (the database is its only state), so later requests
 *	from that client are judged afresh.
 * SECURITY
 *	The client must parse as an IP address before it is used in a
 *	path; the recipient is escaped (no "/", no leading dot).
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "blackhole.h"
#include "quote.h"

enum blackhole_hit
blackhole_lookup(const char *dir, const char *client, const char *recipient)
{
	char path[PATH_MAX], ip[ADDR_TEXT_MAX], esc[3 * 512 + 4], *p;
	struct netaddr a;

	if (client == NULL || *client == 0 || recipient == NULL
	    || *recipient == 0 || strlen(client) >= sizeof(ip)
	    || addr_parse(client, &a) < 0)
		return (BLACKHOLE_NONE);
	strcpy(ip, client);
	for (p = ip; *p; p++)
		if (*p == '.')
			*p = '/';
	if ((size_t)snprintf(path, sizeof(path), "%s/ips/%s", dir, ip)
	    < sizeof(path) && access(path, F_OK) == 0)
		return (BLACKHOLE_IP);
	if (strlen(recipient) < 512
	    && quote_address(recipient, esc, sizeof(esc)) == 0
	    && (size_t)snprintf(path, sizeof(path), "%s/addresses/%s", dir,
	    esc) < sizeof(path) && access(path, F_OK) == 0)
		return (BLACKHOLE_TRAP);
	return (BLACKHOLE_NONE);
}
