/*	addr.h - client addresses and networks */
#ifndef GREYSPF_ADDR_H
#define GREYSPF_ADDR_H

#include <stdint.h>
#include <stddef.h>

struct netaddr {
	uint8_t	family;		/* 4 or 6 */
	uint8_t	plen;		/* prefix length, 0..32 or 0..128 */
	uint8_t	bytes[16];	/* network order; IPv4 uses bytes[0..3] */
};

/* Longest text: full IPv6 plus "/128" plus NUL. */
#define ADDR_TEXT_MAX	64

int	addr_parse(const char *, struct netaddr *);
int	addr_parse_net(const char *, struct netaddr *);
void	addr_mask(struct netaddr *, int);
int	addr_host_bits_clear(const struct netaddr *);
int	addr_equal(const struct netaddr *, const struct netaddr *);
size_t	addr_len(const struct netaddr *);
void	addr_format(const struct netaddr *, char *, size_t);
void	addr_format_net(const struct netaddr *, char *, size_t);
int	addr_parse_list(const char *, struct netaddr *, int);
int	addr_in_net(const struct netaddr *, const struct netaddr *);
int	addr_in_list(const struct netaddr *, const struct netaddr *, int);
int	addr_is_loopback(const struct netaddr *);

#endif
