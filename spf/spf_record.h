/*	spf_record.h - SPF records: RFC 7208 syntax, and what libspf2 is given */
#ifndef GREYSPF_SPF_RECORD_H
#define GREYSPF_SPF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A TXT record's data is at most 65535 bytes, its text less. */
#define SPF_RECORD_MAX	65535
#define SPF_TERMS_LIMIT	10	/* DNS-querying terms, RFC 7208 4.6.4 */
/* Kept of a record: 11 DNS-querying mechanisms, a match, 2 modifiers. */
#define SPF_TERMS_MAX	16
#define SPF_WHY_MAX	128
#define SPF_ANY_SUFFIX	".greyspf--any.invalid"	/* spf_record.c */

enum spf_term_kind {
	SPF_T_ALL, SPF_T_INCLUDE, SPF_T_A, SPF_T_MX, SPF_T_PTR, SPF_T_IP4,
	SPF_T_IP6, SPF_T_EXISTS,
	SPF_T_REDIRECT, SPF_T_EXP, SPF_T_UNKNOWN_MOD
};

struct spf_term {
	enum spf_term_kind kind;
	char	qual;		/* '+', '-', '?', '~' (mechanisms) */
	const char *arg;	/* domain-spec or network, not terminated */
	size_t	arglen;		/* 0: no argument */
	int	cidr4, cidr6;	/* -1: not given */
	uint8_t	net[16];	/* ip4 (4 bytes) / ip6 network */
};

/* The terms of a record that can decide its result for one client. */
struct spf_parsed {
	int	nterms;
	int	ndns;		/* DNS-querying mechanisms kept */
	int	has_all;	/* anywhere in the record */
	int	ended;		/* no later mechanism is reachable */
	int	redirect, exp;	/* index of the modifier, or -1 */
	struct spf_term terms[SPF_TERMS_MAX];
};

/*
 * A name for a domain-spec in the record libspf2 is given, or NULL to
 * keep the spec as it is. any: the name must stand for "any address of
 * the real name" (an a or mx "/0"). spf_dns.c's aliases.
 */
typedef const char *spf_name_fn(void *, const char *, size_t, int);

int	spf_record_is_spf1(const char *, size_t);
int	spf_record_parse(const char *, size_t, const struct netaddr *,
	    struct spf_parsed *, char *, size_t);
int	spf_record_reduce(const struct spf_parsed *,
	    const struct netaddr *, spf_name_fn *, void *, char *, size_t,
	    int *);
int	spf_macro_string_check(const char *, size_t, int, size_t *);
int	spf_domain_spec_check(const char *, size_t);

#endif
