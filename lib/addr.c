/*
 * NAME
 *	addr 3
 * SUMMARY
 *	parse, group and print client addresses
 * SYNOPSIS
 *	#include "addr.h"
 *
 *	int	addr_parse(text, addr_r)
 *	int	addr_parse_net(text, addr_r)
 *	void	addr_mask(addr, plen)
 *	void	addr_format(addr, buf, size)
 *	void	addr_format_net(addr, buf, size)
 *	int	addr_parse_list(text, nets, max)
 *	int	addr_in_net(addr, net)
 *	int	addr_in_list(addr, nets, count)
 *	int	addr_is_loopback(addr)
 * DESCRIPTION
 *	addr_parse() reads one IPv4 or IPv6 host address as Postfix sends
 *	it in client_address. IPv6 text in any valid form is accepted and
 *	stored as bytes, so "2001:DB8:0:0:0:0:0:1" and "2001:db8::1" are
 *	one client. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored
 *	as the IPv4 address: it is the same client.
 *
 *	addr_parse_net() reads "address/prefix" and insists that the host
 *	bits are zero, so a network has exactly one spelling.
 *
 *	addr_parse_list() reads networks separated by commas or blanks
 *	(trusted relays); a bare address is a /32 or /128. It returns the
 *	count, or -1 on a bad item or more than max. addr_in_net() tells
 *	whether an address lies in a network of its family, addr_in_list()
 *	whether it lies in any of count networks. addr_is_loopback(): in
 *	127.0.0.0/8 or ::1 (a mapped ::ffff:127.x is IPv4 already).
 *
 *	addr_format() prints the address alone, addr_format_net() with
 *	"/prefix". IPv6 is printed in RFC 5952 form (lower case, longest
 *	run of zero groups compressed), by inet_ntop().
 * DIAGNOSTICS
 *	The parsers return 0, or -1 and leave *addr_r in an unspecified
 *	state.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "util.h"

static const uint8_t addr_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* addr_parse - one host address; IPv4-mapped IPv6 becomes IPv4 */

int
addr_parse(const char *text, struct netaddr *addr_r)
{
	memset(addr_r, 0, sizeof(*addr_r));
	if (strchr(text, ':') == NULL) {
		if (inet_pton(AF_INET, text, addr_r->bytes) != 1)
			return (-1);
		addr_r->family = 4;
		addr_r->plen = 32;
		return (0);
	}
	if (inet_pton(AF_INET6, text, addr_r->bytes) != 1)
		return (-1);
	if (memcmp(addr_r->bytes, addr_v4mapped, 12) == 0) {
		memmove(addr_r->bytes, addr_r->bytes + 12, 4);
		memset(addr_r->bytes + 4, 0, 12);
		addr_r->family = 4;
		addr_r->plen = 32;
		return (0);
	}
	addr_r->family = 6;
	addr_r->plen = 128;
	return (0);
}

/* addr_parse_net - "address/prefix" with the host bits clear */

int
addr_parse_net(const char *text, struct netaddr *addr_r)
{
	char buf[ADDR_TEXT_MAX];
	const char *slash;
	long long plen;
	size_t len;

	if ((slash = strchr(text, '/')) == NULL)
		return (-1);
	len = (size_t)(slash - text);
	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, text, len);
	buf[len] = 0;
	if (addr_parse(buf, addr_r) < 0)
		return (-1);
	/* A mapped address changed family: its prefix would mean nothing. */
	if (strchr(buf, ':') != NULL && addr_r->family == 4)
		return (-1);
	/* Digits only: no sign, no blanks, no leading zero. */
	if (slash[1] < '0' || slash[1] > '9' || strspn(slash + 1,
	    "0123456789") != strlen(slash + 1)
	    || (slash[1] == '0' && slash[2] != 0))
		return (-1);
	if (strnum_ll(slash + 1, 0, addr_r->family == 4 ? 32 : 128,
	    &plen) < 0)
		return (-1);
	addr_r->plen = (uint8_t)plen;
	return (addr_host_bits_clear(addr_r) ? 0 : -1);
}

/* addr_len - number of address bytes that matter */

size_t
addr_len(const struct netaddr *addr)
{
	return (addr->family == 4 ? 4 : 16);
}

/* addr_mask - clear the host bits below prefix length plen */

void
addr_mask(struct netaddr *addr, int plen)
{
	size_t i, n = addr_len(addr);
	int bits;

	addr->plen = (uint8_t)plen;
	for (i = 0; i < n; i++) {
		bits = plen - (int)(i * 8);
		if (bits >= 8)
			continue;
		addr->bytes[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

/* addr_host_bits_clear - true when no bit past the prefix is set */

int
addr_host_bits_clear(const struct netaddr *addr)
{
	struct netaddr copy = *addr;

	addr_mask(&copy, addr->plen);
	return (memcmp(copy.bytes, addr->bytes, sizeof(copy.bytes)) == 0);
}

/* addr_equal - same family, prefix and bytes */

int
addr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return (a->family == b->family && a->plen == b->plen
	    && memcmp(a->bytes, b->bytes, addr_len(a)) == 0);
}

/* addr_format - address text without prefix */

void
addr_format(const struct netaddr *addr, char *buf, size_t size)
{
	if (inet_ntop(addr->family == 4 ? AF_INET : AF_INET6, addr->bytes,
	    buf, (socklen_t)size) == NULL && size > 0)
		buf[0] = 0;
}

/* addr_format_net - address text with "/prefix" */

void
addr_format_net(const struct netaddr *addr, char *buf, size_t size)
{
	char text[ADDR_TEXT_MAX];

	addr_format(addr, text, sizeof(text));
	snprintf(buf, size, "%s/%u", text, addr->plen);
}

int
addr_parse_list(const char *text, struct netaddr *nets, int max)
{
	char item[ADDR_TEXT_MAX];
	const char *p = text;
	size_t n;
	int count = 0;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == 0)
			return (count);
		n = strcspn(p, ", \t");
		if (n >= sizeof(item) || count == max)
			return (-1);
		memcpy(item, p, n);
		item[n] = 0;
		p += n;
		if (strchr(item, '/') != NULL) {
			if (addr_parse_net(item, &nets[count]) < 0)
				return (-1);
		} else if (addr_parse(item, &nets[count]) < 0)
			return (-1);
		count++;
	}
}

int
addr_in_net(const struct netaddr *addr, const struct netaddr *net)
{
	struct netaddr a = *addr;

	if (a.family != net->family)
		return (0);
	addr_mask(&a, net->plen);
	return (memcmp(a.bytes, net->bytes, sizeof(a.bytes)) == 0);
}

int
addr_in_list(const struct netaddr *addr, const struct netaddr *nets,
    int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (addr_in_net(addr, &nets[i]))
			return (1);
	return (0);
}

int
addr_is_loopback(const struct netaddr *addr)
{
	static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 1};

	if (addr->family == 4)
		return (addr->bytes[0] == 127);
	return (memcmp(addr->bytes, loop6, sizeof(loop6)) == 0);
}
