/*
 * NAME
 *	spf_record 3
 * SUMMARY
 *	SPF records: RFC 7208 syntax, and the record libspf2 is given
 * SYNOPSIS
 *	#include "spf_record.h"
 *
 *	int	spf_record_is_spf1(text, len)
 *	int	spf_record_parse(text, len, client, parsed_r, why, whysize)
 *	int	spf_record_reduce(parsed, client, name_fn, arg, out, size,
 *		    nmech_r)
 *	int	spf_macro_string_check(text, len, explain, domain_end_r)
 *	int	spf_domain_spec_check(text, len)
 * DESCRIPTION
 *	libspf2 1.2.10 accepts much that RFC 7208 calls a permerror
 *	(invalid domain-specs, bad macros, duplicate modifiers, "/032"),
 *	rejects some valid records ("/0" prefixes, modifier names with a
 *	dot), runs "redirect" where it stands, and silently drops the
 *	terms past its 511-byte compile buffer. So greyspf reads every
 *	record itself before libspf2 sees it (research/spf-conformance.md):
 *
 *	spf_record_parse() checks a record of up to SPF_RECORD_MAX bytes
 *	(any a TXT answer can carry) against the ABNF of RFC 7208 section
 *	4.6.1 and 12, as one unit: a syntax error anywhere is a permerror,
 *	whatever comes before it. It returns 0, or -1 with a short reason
 *	in why. It keeps, for the client at hand, the terms that can
 *	decide the result, at most SPF_TERMS_MAX:
 * .IP \(bu
 *	ip4 and ip6 terms are decided here: a non-matching one is left
 *	out, a matching one is kept and ends the record (what follows it
 *	cannot be reached), as "all" does. So "/0" works, IPv6 networks
 *	never match an IPv4 client, and a list of networks costs nothing.
 * .IP \(bu
 *	the DNS-querying mechanisms up to the eleventh, which ends the
 *	record too: evaluating it is a permerror (RFC 7208 4.6.4), so
 *	nothing after it counts;
 * .IP \(bu
 *	redirect= and exp=; unknown modifiers are checked and left out
 *	(RFC 7208 6: ignored).
 * .PP
 *	spf_record_reduce() writes the record that libspf2 evaluates, with
 *	the same result for this client:
 * .IP \(bu
 *	a kept ip4 or ip6 term becomes "all" with its qualifier;
 * .IP \(bu
 *	a and mx keep only the prefix length of the client's family. A "/0"
 *	there ("any address at all") becomes exists: for a over IPv4, and
 *	otherwise a name that greyspf's DNS layer answers with the client's
 *	own address when the real name has any (spf_dns.c);
 * .IP \(bu
 *	the domain-spec of include, a, mx, exists and redirect is written
 *	as the name name_fn gives for it (spf_dns.c: a short alias, so
 *	that long names fit libspf2's buffer), or as it is when name_fn is
 *	NULL or gives none; a "/0" then goes under SPF_ANY_SUFFIX. ptr's
 *	is kept: libspf2 compares it with names, it looks nothing up;
 * .IP \(bu
 *	exp= and redirect= go last, and redirect= is left out when the
 *	record has an "all" (RFC 7208 6.1) or its end cannot be reached.
 * .PP
 *	It returns -1 when the reduced record does not fit in size.
 *
 *	spf_macro_string_check() checks a macro-string (RFC 7208 7.1);
 *	explain allows the c, r and t macros and spaces (explain-string).
 *	It stores where a trailing macro-expand begins (or len).
 *	spf_domain_spec_check() checks a domain-spec.
 * SECURITY
 *	The record is remote data: every loop is bounded by its length, and
 *	what is kept of it by SPF_TERMS_MAX, whatever its length.
 * BUGS
 *	A record whose ptr: names, or domain-specs name_fn gives no name
 *	for, do not fit libspf2's buffer is still a permerror (spf_dns.c).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf_record.h"

struct spf_out {
	char	*buf;
	size_t	size, len;
	int	over;
};

struct spf_names {
	spf_name_fn *fn;	/* NULL: every spec as it is */
	void	*arg;
};

static int spf_why(char *, size_t, const char *, const char *, size_t);
static int spf_toplabel(const char *, size_t);
static int spf_cidr(const char *, size_t, int);
static int spf_tail_cidr(const char *, size_t *, int);
static int spf_mechanism(const char *, size_t, struct spf_term *, char *,
    size_t);
static int spf_modifier(const char *, size_t, struct spf_parsed *,
    struct spf_term *, char *, size_t);
static int spf_keep(struct spf_parsed *, const struct spf_term *,
    const struct netaddr *);
static int spf_net_match(const struct spf_term *, const struct netaddr *);
static void spf_put(struct spf_out *, const char *, size_t);
static void spf_puts(struct spf_out *, const char *);
static void spf_put_mech(struct spf_out *, char, const char *);
static void spf_put_name(struct spf_out *, const char *, const char *,
    size_t, int, const struct spf_names *);
static void spf_put_addr_term(struct spf_out *, const struct spf_term *,
    const struct netaddr *, const struct spf_names *);

/* spf_why - a reason naming the term, printable ASCII only; -1 */

static int
spf_why(char *why, size_t size, const char *what, const char *t, size_t len)
{
	char buf[48];
	size_t i, n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

	/* The term is remote text: printable ASCII only. */
	for (i = 0; i < n; i++)
		buf[i] = (t[i] > 0x20 && t[i] < 0x7f) ? t[i] : '?';
	buf[n] = 0;
	snprintf(why, size, "%s \"%s\"", what, buf);
	return (-1);
}

/* spf_record_is_spf1 - does the TXT text start an SPF version 1 record? */

int
spf_record_is_spf1(const char *text, size_t len)
{
	return (len >= 6 && strncasecmp(text, "v=spf1", 6) == 0
	    && (len == 6 || text[6] == ' '));
}

/* spf_macro_string_check - RFC 7208 7.1 macro-string or explain-string */

int
spf_macro_string_check(const char *s, size_t len, int explain,
    size_t *last_expand_r)
{
	size_t i = 0, start;
	unsigned char c;

	*last_expand_r = len;
	while (i < len) {
		c = (unsigned char)s[i];
		if (c != '%') {
			if ((c >= 0x21 && c <= 0x7e) || (explain && c == ' ')) {
				i++;
				continue;
			}
			return (-1);
		}
		start = i;
		if (i + 1 >= len)
			return (-1);
		c = (unsigned char)s[i + 1];
		if (c == '%' || c == '_' || c == '-') {
			i += 2;
			*last_expand_r = start;
			continue;
		}
		if (c != '{' || i + 2 >= len)
			return (-1);
		i += 2;
		c = (unsigned char)tolower((unsigned char)s[i]);
		if (c == 0 || (strchr("slodiphv", c) == NULL
		    && !(explain && strchr("crt", c) != NULL)))
			return (-1);
		i++;
		if (i < len && isdigit((unsigned char)s[i])) {
			if (s[i] == '0')
				return (-1);	/* must be nonzero */
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
		}
		if (i < len && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < len && strchr(".-+,/_=", s[i]) != NULL && s[i])
			i++;
		if (i >= len || s[i] != '}')
			return (-1);
		i++;
		*last_expand_r = start;
	}
	return (0);
}

/* spf_toplabel - RFC 7208 toplabel (an alphanumeric label, not numeric) */

static int
spf_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0, hyphen = 0;

	if (len == 0 || !isalnum((unsigned char)s[0])
	    || !isalnum((unsigned char)s[len - 1]))
		return (-1);
	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)s[i]))
			alpha = 1;
		else if (s[i] == '-')
			hyphen = 1;
		else if (!isdigit((unsigned char)s[i]))
			return (-1);
	}
	return (alpha || hyphen ? 0 : -1);
}

/* spf_domain_spec_check - macro-string domain-end */

int
spf_domain_spec_check(const char *s, size_t len)
{
	size_t last, dot;

	if (len == 0 || spf_macro_string_check(s, len, 0, &last) < 0)
		return (-1);
	/* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
	if (last < len && s[len - 1] == '}')
		return (0);
	if (last < len && last + 2 == len)
		return (0);	/* %%, %_ or %- at the end */
	if (s[len - 1] == '.')
		len--;
	for (dot = len; dot > 0 && s[dot - 1] != '.'; dot--)
		;
	if (dot == 0)
		return (-1);
	return (spf_toplabel(s + dot, len - dot));
}

/* spf_cidr - "/" ("0" / %x31-39 *DIGIT), at most max; -1 if bad */

static int
spf_cidr(const char *s, size_t len, int max)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return (-1);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v <= max ? v : -1);
}

/* spf_tail_cidr - a "/digits" suffix of s[0..*len), taken off; -2 bad */

static int
spf_tail_cidr(const char *s, size_t *len, int dbl)
{
	size_t i = *len, d;
	int v;

	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	d = *len - i;
	if (d == 0 || i == 0 || s[i - 1] != '/')
		return (-1);
	if (dbl && (i < 2 || s[i - 2] != '/'))
		return (-1);
	if (!dbl && i >= 2 && s[i - 2] == '/')
		return (-1);
	if (d > 1 && s[i] == '0')
		return (-1);	/* "/032" is no cidr-length */
	*len = i - 1 - (dbl ? 1 : 0);
	v = spf_cidr(s + i, d, dbl ? 128 : 32);
	return (v < 0 ? -2 : v);
}

static const struct {
	const char *name;
	enum spf_term_kind kind;
} spf_mechs[] = {
	{"all", SPF_T_ALL}, {"include", SPF_T_INCLUDE}, {"a", SPF_T_A},
	{"mx", SPF_T_MX}, {"ptr", SPF_T_PTR}, {"ip4", SPF_T_IP4},
	{"ip6", SPF_T_IP6}, {"exists", SPF_T_EXISTS}
};

/* spf_mechanism - one directive, without its qualifier */

static int
spf_mechanism(const char *t, size_t len, struct spf_term *m, char *why,
    size_t whysize)
{
	char net[64];
	size_t n, i, rest;
	const char *arg;
	int c;

	for (n = 0; n < len && t[n] != ':' && t[n] != '/'; n++)
		;
	for (i = 0; i < sizeof(spf_mechs) / sizeof(spf_mechs[0]); i++)
		if (strlen(spf_mechs[i].name) == n
		    && strncasecmp(t, spf_mechs[i].name, n) == 0)
			break;
	if (i == sizeof(spf_mechs) / sizeof(spf_mechs[0]))
		return (spf_why(why, whysize, "unknown mechanism", t,
		    len));
	m->kind = spf_mechs[i].kind;
	m->cidr4 = m->cidr6 = -1;
	arg = t + n;
	rest = len - n;
	switch (m->kind) {
	case SPF_T_ALL:
		if (rest != 0)
			goto bad;
		return (0);
	case SPF_T_A:
	case SPF_T_MX:
		if ((c = spf_tail_cidr(arg, &rest, 1)) == -2)
			goto bad;
		m->cidr6 = c;
		if ((c = spf_tail_cidr(arg, &rest, 0)) == -2)
			goto bad;
		m->cidr4 = c;
		/* FALLTHROUGH */
	case SPF_T_PTR:
		if (rest == 0)
			return (0);
		/* FALLTHROUGH */
	case SPF_T_INCLUDE:
	case SPF_T_EXISTS:
		if (rest < 2 || arg[0] != ':'
		    || spf_domain_spec_check(arg + 1, rest - 1) < 0)
			goto bad;
		m->arg = arg + 1;
		m->arglen = rest - 1;
		return (0);
	case SPF_T_IP4:
	case SPF_T_IP6:
		if (rest < 2 || arg[0] != ':')
			goto bad;
		arg++;
		rest--;
		for (n = rest; n > 0 && arg[n - 1] != '/'; n--)
			;
		if (n > 0) {
			c = spf_cidr(arg + n, rest - n,
			    m->kind == SPF_T_IP4 ? 32 : 128);
			if (c < 0)
				goto bad;
			if (m->kind == SPF_T_IP4)
				m->cidr4 = c;
			else
				m->cidr6 = c;
			rest = n - 1;
		}
		if (rest == 0 || rest >= sizeof(net))
			goto bad;
		memcpy(net, arg, rest);
		net[rest] = 0;
		if (inet_pton(m->kind == SPF_T_IP4 ? AF_INET : AF_INET6, net,
		    m->net) != 1)
			goto bad;
		m->arg = arg;
		m->arglen = rest;
		return (0);
	default:
		break;
	}
bad:
	return (spf_why(why, whysize, "invalid term", t, len));
}

/* spf_modifier - name "=" value; 1 if t is not a modifier at all */

static int
spf_modifier(const char *t, size_t len, struct spf_parsed *p,
    struct spf_term *m, char *why, size_t whysize)
{
	size_t n, last;
	int *seen;

	if (len == 0 || !isalpha((unsigned char)t[0]))
		return (1);
	for (n = 1; n < len && (isalnum((unsigned char)t[n])
	    || t[n] == '-' || t[n] == '_' || t[n] == '.'); n++)
		;
	if (n == len || t[n] != '=')
		return (1);
	m->arg = t + n + 1;
	m->arglen = len - n - 1;
	m->cidr4 = m->cidr6 = -1;
	if (n == 8 && strncasecmp(t, "redirect", 8) == 0) {
		m->kind = SPF_T_REDIRECT;
		seen = &p->redirect;
	} else if (n == 3 && strncasecmp(t, "exp", 3) == 0) {
		m->kind = SPF_T_EXP;
		seen = &p->exp;
	} else {
		m->kind = SPF_T_UNKNOWN_MOD;
		if (spf_macro_string_check(m->arg, m->arglen, 0, &last) < 0)
			return (spf_why(why, whysize,
			    "invalid modifier", t, len));
		return (0);
	}
	if (*seen >= 0)
		return (spf_why(why, whysize, "modifier given twice:",
		    t, n));
	if (spf_domain_spec_check(m->arg, m->arglen) < 0)
		return (spf_why(why, whysize, "invalid modifier", t,
		    len));
	*seen = p->nterms;
	return (0);
}

/* spf_keep - does term t, next in the record, count for the client? */

static int
spf_keep(struct spf_parsed *p, const struct spf_term *t,
    const struct netaddr *client)
{
	switch (t->kind) {
	case SPF_T_REDIRECT:
	case SPF_T_EXP:
		return (1);
	case SPF_T_UNKNOWN_MOD:
		return (0);	/* RFC 7208 6: ignored */
	default:
		break;
	}
	if (p->ended)
		return (0);
	switch (t->kind) {
	case SPF_T_IP4:
	case SPF_T_IP6:
		if (!spf_net_match(t, client))
			return (0);
		/* FALLTHROUGH */
	case SPF_T_ALL:
		p->ended = 1;	/* matches: nothing after it is reached */
		return (1);
	default:
		/* Evaluating the 11th is a permerror, whatever follows. */
		if (++p->ndns > SPF_TERMS_LIMIT)
			p->ended = 1;
		return (1);
	}
}

/* spf_record_parse - check a record; keep what counts for the client */

int
spf_record_parse(const char *text, size_t len, const struct netaddr *client,
    struct spf_parsed *p, char *why, size_t whysize)
{
	struct spf_term t;
	size_t i, end;
	int rc;

	p->nterms = p->ndns = p->has_all = p->ended = 0;
	p->redirect = p->exp = -1;
	if (len > SPF_RECORD_MAX) {
		snprintf(why, whysize, "record longer than %d bytes",
		    SPF_RECORD_MAX);
		return (-1);
	}
	if (!spf_record_is_spf1(text, len)) {
		snprintf(why, whysize, "not an SPF version 1 record");
		return (-1);
	}
	for (i = 6; i < len; i = end) {
		while (i < len && text[i] == ' ')
			i++;
		if (i == len)
			break;
		for (end = i; end < len && text[end] != ' '; end++)
			;
		memset(&t, 0, sizeof(t));
		t.qual = '+';
		if ((rc = spf_modifier(text + i, end - i, p, &t, why,
		    whysize)) < 0)
			return (-1);
		if (rc == 1) {
			if (text[i] != 0 && strchr("+-?~", text[i]) != NULL)
				t.qual = text[i++];
			if (spf_mechanism(text + i, end - i, &t, why,
			    whysize) < 0)
				return (-1);
			if (t.kind == SPF_T_ALL)
				p->has_all = 1;
		}
		if (!spf_keep(p, &t, client))
			continue;
		if (p->nterms == SPF_TERMS_MAX) {	/* cannot happen */
			snprintf(why, whysize, "more than %d terms kept",
			    SPF_TERMS_MAX);
			return (-1);
		}
		p->terms[p->nterms++] = t;
	}
	return (0);
}

/* spf_net_match - is the client in the ip4/ip6 term's network? */

static int
spf_net_match(const struct spf_term *m, const struct netaddr *client)
{
	int plen, full, bits;

	if ((m->kind == SPF_T_IP4) != (client->family == 4))
		return (0);
	plen = m->kind == SPF_T_IP4 ? (m->cidr4 < 0 ? 32 : m->cidr4)
	    : (m->cidr6 < 0 ? 128 : m->cidr6);
	full = plen / 8;
	bits = plen % 8;
	if (memcmp(m->net, client->bytes, (size_t)full) != 0)
		return (0);
	return (bits == 0 || ((m->net[full] ^ client->bytes[full])
	    & (0xff << (8 - bits)) & 0xff) == 0);
}

/* spf_put - append n bytes of s, or note that they do not fit */

static void
spf_put(struct spf_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->size) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

/* spf_puts - append a string */

static void
spf_puts(struct spf_out *o, const char *s)
{
	spf_put(o, s, strlen(s));
}

/* spf_put_mech - " [qualifier]name" */

static void
spf_put_mech(struct spf_out *o, char qual, const char *name)
{
	char q[2] = {qual, 0};

	spf_puts(o, " ");
	if (qual != '+')
		spf_puts(o, q);
	spf_puts(o, name);
}

/*
 * spf_put_name - sep and a domain-spec: the name fn gives for it, or the
 * spec itself (with any, under SPF_ANY_SUFFIX)
 */

static void
spf_put_name(struct spf_out *o, const char *sep, const char *spec,
    size_t len, int any, const struct spf_names *n)
{
	const char *name = n->fn ? n->fn(n->arg, spec, len, any) : NULL;

	spf_puts(o, sep);
	if (name != NULL) {
		spf_puts(o, name);
		return;
	}
	spf_put(o, spec, len);
	if (any)
		spf_puts(o, SPF_ANY_SUFFIX);
}

/* spf_put_addr_term - a or mx with the client's family's prefix only */

static void
spf_put_addr_term(struct spf_out *o, const struct spf_term *m,
    const struct netaddr *client, const struct spf_names *n)
{
	const char *name = m->kind == SPF_T_A ? "a" : "mx";
	const char *spec = m->arglen > 0 ? m->arg : "%{d}";
	size_t len = m->arglen > 0 ? m->arglen : 4;
	int plen = client->family == 4 ? m->cidr4 : m->cidr6;
	char cidr[8];

	if (plen == 0 && m->kind == SPF_T_A && client->family == 4) {
		spf_put_mech(o, m->qual, "exists");
		spf_put_name(o, ":", spec, len, 0, n);
		return;
	}
	spf_put_mech(o, m->qual, name);
	if (plen == 0) {
		spf_put_name(o, ":", spec, len, 1, n);
		return;
	}
	if (m->arglen > 0)
		spf_put_name(o, ":", m->arg, m->arglen, 0, n);
	if (plen < 0)
		return;
	snprintf(cidr, sizeof(cidr), client->family == 4 ? "/%d" : "//%d",
	    plen);
	spf_puts(o, cidr);
}

/* spf_record_reduce - the record libspf2 is given, for the client */

int
spf_record_reduce(const struct spf_parsed *p, const struct netaddr *client,
    spf_name_fn *fn, void *arg, char *buf, size_t size, int *nmech_r)
{
	static const char *const names[] = {"all", "include", "a", "mx",
	    "ptr", "ip4", "ip6", "exists"};
	struct spf_out o = {buf, size, 0, 0};
	struct spf_names n = {fn, arg};
	const struct spf_term *m;
	int i, nmech = 0;

	if (size == 0)
		return (-1);
	buf[0] = 0;
	spf_puts(&o, "v=spf1");
	for (i = 0; i < p->nterms; i++) {
		m = &p->terms[i];
		switch (m->kind) {
		case SPF_T_REDIRECT:
		case SPF_T_EXP:
		case SPF_T_UNKNOWN_MOD:
			continue;
		case SPF_T_IP4:
		case SPF_T_IP6:		/* kept: the client's network */
		case SPF_T_ALL:
			spf_put_mech(&o, m->qual, "all");
			break;
		case SPF_T_A:
		case SPF_T_MX:
			spf_put_addr_term(&o, m, client, &n);
			break;
		case SPF_T_PTR:		/* a suffix libspf2 compares */
			spf_put_mech(&o, m->qual, "ptr");
			if (m->arglen > 0) {
				spf_puts(&o, ":");
				spf_put(&o, m->arg, m->arglen);
			}
			break;
		default:
			spf_put_mech(&o, m->qual, names[m->kind]);
			spf_put_name(&o, ":", m->arg, m->arglen, 0, &n);
			break;
		}
		nmech++;
	}
	if (p->redirect >= 0 && !p->has_all && !p->ended) {
		spf_put_name(&o, " redirect=", p->terms[p->redirect].arg,
		    p->terms[p->redirect].arglen, 0, &n);
		nmech++;	/* libspf2 compiles redirect as a mechanism */
	}
	if (p->exp >= 0) {
		spf_puts(&o, " exp=");
		spf_put(&o, p->terms[p->exp].arg, p->terms[p->exp].arglen);
	}
	*nmech_r = nmech;
	return (o.over ? -1 : 0);
}
