/*	spf_macro.h - SPF macro expansion (RFC 7208 section 7) */
#ifndef GREYSPF_SPF_MACRO_H
#define GREYSPF_SPF_MACRO_H

#include <stddef.h>

#include "spf.h"

struct spf_macro_ctx {
	const char *sender;	/* s: local-part@domain */
	const char *domain;	/* d: the current domain */
	const char *helo;	/* h */
	const char *receiver;	/* r */
	const struct netaddr *client;	/* i, c, v */
	long long now;		/* t, seconds */
	/* p: the validated client name; looked up only when used */
	const char *(*validated)(void *);
	void	*arg;
};

int	spf_macro_expand(const char *, size_t, int,
	    const struct spf_macro_ctx *, char *, size_t);
void	spf_domain_truncate(char *);

#endif
