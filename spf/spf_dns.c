/*
 * NAME
 *	spf_dns 3
 * SUMMARY
 *	greyspf's DNS layer under libspf2: limits, records, aliases,
 *	explanations
 * SYNOPSIS
 *	#include "spf_dns.h"
 *
 *	SPF_dns_server_t *spf_dns_layer(explain)
 *	void	spf_dns_begin(query, request, outcome, limits, receiver)
 * DESCRIPTION
 *	spf_dns_layer() returns a libspf2 DNS layer that sits on top of
 *	libspf2's own resolver layer (glibc res_nquery; TCP after a
 *	truncated UDP answer is glibc's). There is no cache layer: libspf2's
 *	keeps DNS errors for 30 minutes and ignores TTLs. The layer does
 *	what libspf2 does not (research/spf-conformance.md, section 8):
 * .IP \(bu
 *	a deadline and a query budget per check: past either, every lookup
 *	fails temporarily and the check ends in temperror;
 * .IP \(bu
 *	RFC 7208 4.6.4 across the whole check (libspf2 restarts its count
 *	in every include): at most 10 DNS-querying terms (a, mx, ptr,
 *	exists, include, redirect) and 2 void lookups, more than 10 MX
 *	records is a permerror, PTR names past the tenth are ignored. The
 *	layer sees queries, not terms: the address lookups of the hosts an
 *	mx or ptr term just returned are counted as part of that term;
 *	any other query starts a new one;
 * .IP \(bu
 *	SPF records (the get_spf hook): greyspf fetches the TXT records
 *	itself, with their exact bytes (libspf2 loses everything after a
 *	NUL), picks the one "v=spf1" record, checks it with
 *	spf_record_parse() and hands libspf2 the record of
 *	spf_record_reduce();
 * .IP \(bu
 *	aliases, so that a valid record of any length fits libspf2's
 *	511-byte compile buffer: each domain-spec of include, a, mx,
 *	exists and redirect is expanded here (spf_macro_expand(), the
 *	current domain, the sender, HELO name and client; cut to 253
 *	octets, RFC 7208 7.3) and handed to libspf2 as "greyspf--N.invalid"
 *	(a reserved label under a reserved name: no real name is one).
 *	The layer looks up the real name for it, and an include or
 *	redirect of an alias is evaluated with the real name as the current
 *	domain (%{d}). A spec with %{p} is left to libspf2: its lookups
 *	belong to the term's evaluation;
 * .IP \(bu
 *	explanations, only when explain is set (the test suites): the
 *	get_exp hook takes exactly one TXT record, printable ASCII, at most
 *	SPF_EXP_MAX bytes, expanded by spf_macro_expand(). libspf2's
 *	explanation compiler (CVE-2023-42118) never sees remote text.
 *	Otherwise the record libspf2 is given has no exp= and the hook
 *	answers at once, so an explanation costs no query and cannot stop
 *	the check (RFC 7208 6.2);
 * .IP \(bu
 *	aliases of a and mx terms with a "/0" prefix, and names under
 *	SPF_ANY_SUFFIX (spf_record_reduce()'s, when there is no alias):
 *	the real name is looked up, and if it has any address the answer
 *	is the client's own.
 * SECURITY
 *	Answers are bounded by glibc's parser and by the buffers here;
 *	a TXT answer of up to 64 KiB is read. An alias stands only for a
 *	name this check's own records gave.
 * BUGS
 *	A record is still a permerror ("record too long for libspf2") when
 *	what libspf2 must be given as it is (ptr: names, specs with %{p})
 *	does not fit its buffer.
 */

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "spf_dns.h"

#include <spf2/spf_dns_resolv.h>

#define SPF_TXT_ANSWER	65536
#define SPF_TXT_MAX	32	/* TXT records looked at */

struct spf_dns_check spf_dns_check;

static SPF_dns_server_t spf_layer;
static int spf_explain;		/* look up exp= (the test suites) */
static struct __res_state spf_res;
static int spf_res_ready;

struct spf_txt {
	int	n;
	const char *rec[SPF_TXT_MAX];
	size_t	len[SPF_TXT_MAX];
	char	data[SPF_TXT_ANSWER];
};

enum spf_txt_status { TXT_OK, TXT_VOID, TXT_TEMP };

static int64_t spf_ms_left(void);
static void spf_dns_stop(enum spf_stop, const char *);
static int spf_dns_allowed(void);
static int spf_dns_term(void);
static void spf_dns_void(void);
static enum spf_txt_status spf_txt_fetch(const char *, struct spf_txt *);
static SPF_errcode_t spf_dns_perm(const char *, SPF_errcode_t);
static void spf_dns_macro_ctx(struct spf_macro_ctx *);
static int spf_spec_uses(const char *, size_t, const char *);
static const char *spf_dns_alias(void *, const char *, size_t, int);
static const struct spf_alias *spf_dns_unalias(const char *);
static SPF_errcode_t spf_get_spf(SPF_server_t *, SPF_request_t *,
    SPF_response_t *, SPF_record_t **);
static const char *spf_validated_name(void *);
static SPF_errcode_t spf_get_exp(SPF_server_t *, const char *, char **,
    size_t *);
static int spf_dns_is_sub(const char *);
static SPF_dns_rr_t *spf_dns_fail(const char *, ns_type);
static SPF_dns_rr_t *spf_dns_any(const char *, ns_type, SPF_dns_rr_t *);
static SPF_dns_rr_t *spf_dns_mx_any(SPF_dns_rr_t *);
static SPF_dns_rr_t *spf_dns_lookup(SPF_dns_server_t *, const char *,
    ns_type, int);

/* spf_ms_left - milliseconds to the check's deadline */

static int64_t
spf_ms_left(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((int64_t)(spf_dns_check.deadline.tv_sec - now.tv_sec) * 1000
	    + (spf_dns_check.deadline.tv_nsec - now.tv_nsec) / 1000000);
}

/* spf_dns_stop - end the check: every later lookup fails */

static void
spf_dns_stop(enum spf_stop stop, const char *why)
{
	struct spf_dns_check *c = &spf_dns_check;

	if (c->stop != SPF_STOP_NONE)
		return;
	c->stop = stop;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

/* spf_dns_allowed - may one more query go out? */

static int
spf_dns_allowed(void)
{
	struct spf_dns_check *c = &spf_dns_check;

	if (c->stop != SPF_STOP_NONE)
		return (0);
	if (c->out->queries >= c->budget) {
		spf_dns_stop(SPF_STOP_TEMP, "DNS query budget exhausted");
		return (0);
	}
	if (spf_ms_left() <= 0) {
		spf_dns_stop(SPF_STOP_TEMP, "DNS lookups took too long");
		return (0);
	}
	c->out->queries++;
	return (1);
}

/* spf_dns_term - one more DNS-querying term; 0 if over the limit */

static int
spf_dns_term(void)
{
	struct spf_dns_check *c = &spf_dns_check;

	c->nsubs = 0;
	if (++c->out->terms > SPF_TERMS_LIMIT) {
		spf_dns_stop(SPF_STOP_PERM, "more than 10 DNS-querying terms");
		return (0);
	}
	return (1);
}

/* spf_dns_void - one more void lookup; past 2, a permerror */

static void
spf_dns_void(void)
{
	if (++spf_dns_check.out->voids > SPF_VOID_LIMIT)
		spf_dns_stop(SPF_STOP_PERM, "more than 2 void lookups");
}

/* spf_txt_fetch - the TXT records of name, exact bytes, strings joined */

static enum spf_txt_status
spf_txt_fetch(const char *name, struct spf_txt *t)
{
	static unsigned char ans[SPF_TXT_ANSWER];
	const unsigned char *rd;
	ns_msg msg;
	ns_rr rr;
	size_t used = 0, rdlen, k, n;
	int len, i;

	t->n = 0;
	if (!spf_dns_allowed())
		return (TXT_TEMP);
	if (!spf_res_ready) {
		if (res_ninit(&spf_res) != 0)
			return (TXT_TEMP);
		spf_res_ready = 1;
	}
	len = res_nquery(&spf_res, name, ns_c_in, ns_t_txt, ans, sizeof(ans));
	if (len < 0) {
		if (spf_res.res_h_errno == HOST_NOT_FOUND
		    || spf_res.res_h_errno == NO_DATA)
			return (TXT_VOID);
		return (TXT_TEMP);
	}
	if (len > (int)sizeof(ans) || ns_initparse(ans, len, &msg) < 0)
		return (TXT_TEMP);
	for (i = 0; i < ns_msg_count(msg, ns_s_an) && t->n < SPF_TXT_MAX;
	    i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
			return (TXT_TEMP);
		if (ns_rr_type(rr) != ns_t_txt)
			continue;
		rd = ns_rr_rdata(rr);
		rdlen = ns_rr_rdlen(rr);
		t->rec[t->n] = t->data + used;
		t->len[t->n] = 0;
		for (k = 0; k < rdlen; k += n + 1) {
			n = rd[k];
			if (k + 1 + n > rdlen || used + n + 1 > sizeof(t->data))
				return (TXT_TEMP);
			memcpy(t->data + used, rd + k + 1, n);
			used += n;
			t->len[t->n] += n;
		}
		t->data[used++] = 0;
		t->n++;
	}
	return (t->n == 0 ? TXT_VOID : TXT_OK);
}

/* spf_dns_perm - a permerror libspf2 does not see; err for libspf2 */

static SPF_errcode_t
spf_dns_perm(const char *why, SPF_errcode_t err)
{
	spf_dns_stop(SPF_STOP_PERM, why);
	return (err);
}

/* spf_dns_macro_ctx - the macros' values in the check at hand */

static void
spf_dns_macro_ctx(struct spf_macro_ctx *mc)
{
	struct spf_dns_check *c = &spf_dns_check;

	memset(mc, 0, sizeof(*mc));
	mc->sender = c->q->sender;
	mc->domain = c->req->cur_dom;
	mc->helo = c->q->helo;
	mc->receiver = c->receiver;
	mc->client = &c->q->client;
	mc->now = c->q->now;
}

/* spf_spec_uses - does the macro-string use one of the macro letters? */

static int
spf_spec_uses(const char *spec, size_t len, const char *letters)
{
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		if (spec[i] != '%')
			continue;
		if (spec[i + 1] == '{' && strchr(letters, tolower(
		    (unsigned char)spec[i + 2])) != NULL)
			return (1);
		i++;		/* "%%", "%_", "%-" or "%{" */
	}
	return (0);
}

/*
 * spf_dns_alias - spf_record_reduce()'s names: the domain-spec, expanded,
 * as a short alias of this check; NULL to leave it to libspf2 (%{p},
 * %{h} without a HELO name, no room)
 */

static const char *
spf_dns_alias(void *arg, const char *spec, size_t len, int any)
{
	static char alias[32];
	struct spf_dns_check *c = arg;
	struct spf_macro_ctx mc;
	char name[1024];

	if (c->nalias == SPF_ALIAS_MAX || spf_spec_uses(spec, len, "p")
	    || (c->q->helo[0] == 0 && spf_spec_uses(spec, len, "h")))
		return (NULL);
	spf_dns_macro_ctx(&mc);
	if (spf_macro_expand(spec, len, 0, &mc, name, sizeof(name)) < 0)
		return (NULL);
	spf_domain_truncate(name);
	if (strlen(name) >= sizeof(c->alias[0].name))
		return (NULL);
	strcpy(c->alias[c->nalias].name, name);
	c->alias[c->nalias].any = any;
	snprintf(alias, sizeof(alias), SPF_ALIAS_PREFIX "%d.invalid",
	    c->nalias++);
	return (alias);
}

/* spf_dns_unalias - the alias of this check a name is, or NULL */

static const struct spf_alias *
spf_dns_unalias(const char *name)
{
	struct spf_dns_check *c = &spf_dns_check;
	size_t plen = strlen(SPF_ALIAS_PREFIX);
	const char *p = name + plen;
	int n = 0;

	if (strncasecmp(name, SPF_ALIAS_PREFIX, plen) != 0
	    || !isdigit((unsigned char)*p) || (*p == '0'
	    && isdigit((unsigned char)p[1])))
		return (NULL);
	for (; isdigit((unsigned char)*p) && n < SPF_ALIAS_MAX; p++)
		n = n * 10 + (*p - '0');
	if (n >= c->nalias || strcasecmp(p, ".invalid") != 0)
		return (NULL);
	return (&c->alias[n]);
}

/* spf_get_spf - libspf2's get_spf hook: fetch, check, reduce, compile */

static SPF_errcode_t
spf_get_spf(SPF_server_t *server, SPF_request_t *req, SPF_response_t *resp,
    SPF_record_t **recordp)
{
	static struct spf_txt txt;
	static struct spf_parsed parsed;
	static char reduced[4096];
	struct spf_dns_check *c = &spf_dns_check;
	const struct spf_alias *a;
	char why[SPF_WHY_MAX];
	int i, found = -1, nfound = 0, nmech, top;
	SPF_errcode_t err;

	*recordp = NULL;
	/* An include or redirect of an alias: %{d} is the real name. */
	if ((a = spf_dns_unalias(req->cur_dom)) != NULL)
		req->cur_dom = a->name;
	top = c->records++ == 0;
	if (!top && !spf_dns_term())
		return (SPF_E_BIG_DNS);
	switch (spf_txt_fetch(req->cur_dom, &txt)) {
	case TXT_TEMP:
		return (SPF_E_DNS_ERROR);
	case TXT_VOID:
		if (!top)
			spf_dns_void();
		break;
	case TXT_OK:
		break;
	}
	for (i = 0; i < txt.n; i++)
		if (spf_record_is_spf1(txt.rec[i], txt.len[i])) {
			found = i;
			nfound++;
		}
	if (nfound == 0) {
		resp->result = SPF_RESULT_NONE;
		resp->reason = SPF_REASON_FAILURE;
		return (SPF_E_NOT_SPF);
	}
	if (nfound > 1)
		return (spf_dns_perm("more than one SPF record",
		    SPF_E_MULTIPLE_RECORDS));
	if (spf_record_parse(txt.rec[found], txt.len[found], &c->q->client,
	    &parsed, why, sizeof(why)) < 0)
		return (spf_dns_perm(why, SPF_E_SYNTAX));
	if (!spf_explain)
		parsed.exp = -1;	/* libspf2 never expands it */
	if (spf_record_reduce(&parsed, &c->q->client, spf_dns_alias, c,
	    reduced, sizeof(reduced), &nmech) < 0)
		return (spf_dns_perm("record too long for libspf2",
		    SPF_E_BIG_MECH));
	err = SPF_record_compile(server, resp, recordp, reduced);
	if (err != SPF_E_SUCCESS || *recordp == NULL) {
		log_debug("libspf2 rejected \"%.200s\": %s", reduced,
		    SPF_strerror(err));
		return (spf_dns_perm("record not accepted by libspf2",
		    SPF_E_SYNTAX));
	}
	if ((*recordp)->num_mech != nmech)
		return (spf_dns_perm("record too long for libspf2",
		    SPF_E_BIG_MECH));
	return (SPF_E_SUCCESS);
}

/* spf_validated_name - %{p}: libspf2's validated client name */

static const char *
spf_validated_name(void *arg)
{
	SPF_request_t *req = arg;
	const char *p = SPF_request_get_client_dom(req);

	return (p && *p ? p : "unknown");
}

/* spf_get_exp - libspf2's get_exp hook: the explanation, RFC 7208 6.2 */

static SPF_errcode_t
spf_get_exp(SPF_server_t *server, const char *domain, char **bufp,
    size_t *lenp)
{
	static struct spf_txt txt;
	struct spf_dns_check *c = &spf_dns_check;
	struct spf_macro_ctx mc;
	char name[1024], text[SPF_EXP_MAX];
	enum spf_txt_status st;
	size_t i;

	(void)server;
	if (!spf_explain)
		return (SPF_E_NOT_SPF);
	snprintf(name, sizeof(name), "%s", domain);	/* aliases *bufp */
	spf_domain_truncate(name);
	c->in_exp++;
	st = spf_txt_fetch(name, &txt);
	c->in_exp--;
	if (st != TXT_OK || txt.n != 1 || txt.len[0] >= SPF_EXP_MAX)
		return (SPF_E_NOT_SPF);
	for (i = 0; i < txt.len[0]; i++)
		if (txt.rec[0][i] < 0x20 || txt.rec[0][i] > 0x7e)
			return (SPF_E_NOT_SPF);
	spf_dns_macro_ctx(&mc);
	mc.validated = spf_validated_name;
	mc.arg = c->req;
	c->in_exp++;
	i = (size_t)spf_macro_expand(txt.rec[0], txt.len[0], 1, &mc, text,
	    sizeof(text));
	c->in_exp--;
	if (i != 0)
		return (SPF_E_NOT_SPF);
	if (*lenp < strlen(text) + 1) {
		char *p = realloc(*bufp, strlen(text) + 1);

		if (p == NULL)
			return (SPF_E_NO_MEMORY);
		*bufp = p;
		*lenp = strlen(text) + 1;
	}
	strcpy(*bufp, text);
	return (SPF_E_SUCCESS);
}

/* spf_dns_is_sub - is name one an mx or ptr term just returned? */

static int
spf_dns_is_sub(const char *name)
{
	struct spf_dns_check *c = &spf_dns_check;
	int i;

	for (i = 0; i < c->nsubs; i++)
		if (strcasecmp(c->subs[i], name) == 0) {
			c->subs[i][0] = 0;
			return (1);
		}
	return (0);
}

/* spf_dns_fail - a temporary failure for libspf2 */

static SPF_dns_rr_t *
spf_dns_fail(const char *domain, ns_type type)
{
	return (SPF_dns_rr_new_init(&spf_layer, domain, type, 0, TRY_AGAIN));
}

/* spf_dns_any - the answer for a SPF_ANY_SUFFIX name: the client itself */

static SPF_dns_rr_t *
spf_dns_any(const char *domain, ns_type type, SPF_dns_rr_t *real)
{
	const struct netaddr *cl = &spf_dns_check.q->client;
	SPF_dns_rr_t *rr;

	if (real->herrno != NETDB_SUCCESS || real->num_rr == 0
	    || (type != ns_t_a && type != ns_t_aaaa))
		return (real);
	SPF_dns_rr_free(real);
	rr = SPF_dns_rr_new_init(&spf_layer, domain, type, 0, NETDB_SUCCESS);
	if (rr == NULL || SPF_dns_rr_buf_realloc(rr, 0,
	    sizeof(struct in6_addr)) != SPF_E_SUCCESS)
		return (rr);
	if (type == ns_t_a)
		memcpy(&rr->rr[0]->a, cl->bytes, 4);
	else
		memcpy(&rr->rr[0]->aaaa, cl->bytes, 16);
	rr->num_rr = 1;
	return (rr);
}

/* spf_dns_mx_any - MX hosts of a SPF_ANY_SUFFIX name keep the suffix */

static SPF_dns_rr_t *
spf_dns_mx_any(SPF_dns_rr_t *rr)
{
	char name[300];
	int i;

	for (i = 0; rr->herrno == NETDB_SUCCESS && i < rr->num_rr; i++) {
		snprintf(name, sizeof(name), "%s%s", rr->rr[i]->mx,
		    SPF_ANY_SUFFIX);
		if (SPF_dns_rr_buf_realloc(rr, i, strlen(name) + 1)
		    != SPF_E_SUCCESS)
			break;
		strcpy(rr->rr[i]->mx, name);
	}
	return (rr);
}

/* spf_dns_lookup - the layer's lookup: limits, then libspf2's resolver */

static SPF_dns_rr_t *
spf_dns_lookup(SPF_dns_server_t *layer, const char *domain, ns_type type,
    int cache)
{
	struct spf_dns_check *c = &spf_dns_check;
	char real[NS_MAXDNAME];
	size_t len = strlen(domain), slen = strlen(SPF_ANY_SUFFIX);
	const struct spf_alias *a;
	int any = 0, term = 0, i;
	SPF_dns_rr_t *rr;

	if (!c->in_exp && !((type == ns_t_a || type == ns_t_aaaa)
	    && spf_dns_is_sub(domain))) {
		term = 1;
		if (!spf_dns_term())
			return (spf_dns_fail(domain, type));
	}
	if (!spf_dns_allowed())
		return (spf_dns_fail(domain, type));
	snprintf(real, sizeof(real), "%s", domain);
	if (len > slen && len < sizeof(real)
	    && strcasecmp(domain + len - slen, SPF_ANY_SUFFIX) == 0) {
		real[len - slen] = 0;
		any = 1;
	}
	if ((a = spf_dns_unalias(real)) != NULL) {
		any |= a->any;
		snprintf(real, sizeof(real), "%s", a->name);
	}
	rr = SPF_dns_lookup(layer->layer_below, real, type, cache);
	if (rr == NULL)
		return (spf_dns_fail(domain, type));
	if (term && (rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA
	    || (rr->herrno == NETDB_SUCCESS && rr->num_rr == 0)))
		spf_dns_void();
	if (c->stop != SPF_STOP_NONE) {
		SPF_dns_rr_free(rr);
		return (spf_dns_fail(domain, type));
	}
	if (type == ns_t_mx && term && rr->num_rr > SPF_SUBS_MAX) {
		SPF_dns_rr_free(rr);
		spf_dns_stop(SPF_STOP_PERM, "more than 10 MX records");
		return (spf_dns_fail(domain, type));
	}
	if (type == ns_t_ptr && rr->num_rr > SPF_SUBS_MAX)
		rr->num_rr = SPF_SUBS_MAX;	/* RFC 7208 4.6.4: ignore */
	if (any && type == ns_t_mx)
		rr = spf_dns_mx_any(rr);
	else if (any)
		rr = spf_dns_any(domain, type, rr);
	if (term && (type == ns_t_mx || type == ns_t_ptr)
	    && rr->herrno == NETDB_SUCCESS) {
		for (i = 0; i < rr->num_rr && i < SPF_SUBS_MAX; i++)
			snprintf(c->subs[i], sizeof(c->subs[i]), "%s",
			    type == ns_t_mx ? rr->rr[i]->mx : rr->rr[i]->ptr);
		c->nsubs = i;
	}
	return (rr);
}

/* spf_dns_layer - the layer; explain: look explanations up */

SPF_dns_server_t *
spf_dns_layer(int explain)
{
	spf_explain = explain;
	if (spf_layer.lookup == NULL) {
		spf_layer.lookup = spf_dns_lookup;
		spf_layer.get_spf = spf_get_spf;
		spf_layer.get_exp = spf_get_exp;
		spf_layer.layer_below = SPF_dns_resolv_new(NULL, "resolv", 0);
		spf_layer.name = "greyspf";
		if (spf_layer.layer_below == NULL)
			fatalx("libspf2: cannot create its resolver layer");
	}
	return (&spf_layer);
}

/* spf_dns_begin - a new check: its limits, counts and aliases */

void
spf_dns_begin(const struct spf_query *q, SPF_request_t *req,
    struct spf_outcome *out, const struct spf_limits *lim,
    const char *receiver)
{
	struct spf_dns_check *c = &spf_dns_check;

	memset(c, 0, sizeof(*c));
	c->q = q;
	c->req = req;
	c->out = out;
	c->receiver = receiver;
	c->budget = lim->query_budget;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += lim->deadline_ms / 1000;
	c->deadline.tv_nsec += (long)(lim->deadline_ms % 1000) * 1000000;
	if (c->deadline.tv_nsec >= 1000000000) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000;
	}
}
