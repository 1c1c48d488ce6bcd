/*
 * NAME
 *	spf_engine 3
 * SUMMARY
 *	one SPF check (RFC 7208) through libspf2, hardened
 * SYNOPSIS
 *	#include "spf_engine.h"
 *
 *	void	spf_engine_init(receiver, default_exp, limits)
 *	void	spf_engine_check(query, outcome_r)
 *	const char *spf_query_domain(query)
 *	int	spf_identity_domain_ok(domain)
 * DESCRIPTION
 *	spf_engine_init() makes the one libspf2 server of the process, on
 *	greyspf's DNS layer (spf_dns.c), and sends libspf2's messages to
 *	greyspf's log: libspf2 never writes to standard output or error.
 *	It runs in the SPF worker process (spf_worker.c), never in the
 *	process that talks to Postfix.
 *
 *	spf_engine_check() checks one identity, MAIL FROM or HELO:
 * .IP \(bu
 *	a name that is no domain (a character other than a letter, digit,
 *	"-" or "_", as in "[192.0.2.5]" or a quoted name; an empty label, a
 *	label over 63 octets, a name over 253, no dot, an all-numeric top
 *	label) is "none" without a lookup (RFC 7208 4.3);
 * .IP \(bu
 *	a loopback client is "none": libspf2 would pass it unseen (the
 *	service skips loopback before it gets here, as tumgreyspf did);
 * .IP \(bu
 *	libspf2 evaluates, over greyspf's layer; what the layer stopped
 *	(limits: permerror; deadline, budget: temperror) overrides it;
 * .IP \(bu
 *	libspf2's SPF_RESULT_INVALID, which 1.2.10 leaves for errors at the
 *	top level, becomes temperror for a DNS error and permerror for the
 *	rest.
 * .PP
 *	With a default_exp (the test suites' switch, spf_worker_explain()),
 *	the explanation of a fail is the domain's exp= text as greyspf
 *	expanded it (spf_dns.c), or the default explanation. With none
 *	(production), no explanation is looked up or made.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "spf_dns.h"
#include "spf_engine.h"

#define SPF_DEFAULT_SENTINEL	"greyspf-default-explanation"

static SPF_server_t *spf_server;
static struct spf_limits spf_limits;
static char spf_receiver[256];
static char spf_default_exp[SPF_EXP_MAX];
static int spf_explain;		/* explanations on (the test suites) */

static const char *const spf_result_names[SPF_R_COUNT] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror"
};

const char *
spf_result_name(enum spf_result r)
{
	return ((unsigned)r < SPF_R_COUNT ? spf_result_names[r] : "none");
}

int
spf_result_parse(const char *s)
{
	int i;

	for (i = 0; i < SPF_R_COUNT; i++)
		if (strcmp(s, spf_result_names[i]) == 0)
			return (i);
	return (-1);
}

/* libspf2's message handlers: to greyspf's log, never stdio */

static void spf_log_error(const char *, int, const char *)
    __attribute__((noreturn));

static void
spf_log_error(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	/* libspf2 calls abort() after this; spf_worker.c contains it. */
	log_warnx("libspf2: %.200s", msg);
	abort();
}

static void
spf_log_warning(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	log_debug("libspf2: %.200s", msg);
}

static void
spf_log_quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

/* spf_query_domain - the domain of the identity checked */

const char *
spf_query_domain(const struct spf_query *q)
{
	const char *at = strrchr(q->sender, '@');

	if (q->identity == SPF_ID_HELO)
		return (q->helo);
	return (at ? at + 1 : q->sender);
}

/*
 * spf_identity_domain_ok - RFC 7208 4.3: a name worth looking up. Labels
 * of letters, digits, "-" and "_" (DNS holds "_", mail hosts use it),
 * 1-63 octets each, at least two, 253 in all, an optional final dot, and
 * a top label that is not all digits: an address literal ("[192.0.2.5]"),
 * a bare address, quotes or spaces are no domain.
 */

int
spf_identity_domain_ok(const char *d)
{
	size_t len = strlen(d), label = 0, i;
	int dots = 0, digits = 1;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return (0);
	for (i = 0; i < len; i++) {
		if (d[i] == '.') {
			if (label == 0)
				return (0);
			label = 0;
			digits = 1;
			dots++;
			continue;
		}
		if (!isalnum((unsigned char)d[i]) && d[i] != '-'
		    && d[i] != '_')
			return (0);
		if (!isdigit((unsigned char)d[i]))
			digits = 0;
		if (++label > 63)
			return (0);
	}
	return (label > 0 && dots > 0 && !digits);
}

void
spf_engine_init(const char *receiver, const char *default_exp,
    const struct spf_limits *lim)
{
	SPF_response_t *resp = NULL;

	SPF_error_handler = spf_log_error;
	SPF_warning_handler = spf_log_warning;
	SPF_info_handler = spf_log_quiet;
	SPF_debug_handler = spf_log_quiet;
	spf_limits = *lim;
	snprintf(spf_receiver, sizeof(spf_receiver), "%s", receiver);
	spf_explain = default_exp != NULL;
	snprintf(spf_default_exp, sizeof(spf_default_exp), "%s",
	    spf_explain ? default_exp : "");
	spf_server = SPF_server_new_dns(spf_dns_layer(spf_explain), 0);
	if (spf_server == NULL)
		fatalx("libspf2: cannot create a server");
	SPF_server_set_rec_dom(spf_server, spf_receiver);
	SPF_server_set_sanitize(spf_server, 1);
	if (SPF_server_set_explanation(spf_server, SPF_DEFAULT_SENTINEL,
	    &resp) != SPF_E_SUCCESS)
		fatalx("libspf2: cannot set the default explanation");
	SPF_response_free(resp);
}

static enum spf_result
spf_map(SPF_result_t r, SPF_errcode_t err, SPF_response_t *resp)
{
	int i;

	switch (r) {
	case SPF_RESULT_NEUTRAL:
		return (SPF_R_NEUTRAL);
	case SPF_RESULT_PASS:
		return (SPF_R_PASS);
	case SPF_RESULT_FAIL:
		return (SPF_R_FAIL);
	case SPF_RESULT_SOFTFAIL:
		return (SPF_R_SOFTFAIL);
	case SPF_RESULT_NONE:
		return (SPF_R_NONE);
	case SPF_RESULT_TEMPERROR:
		return (SPF_R_TEMPERROR);
	case SPF_RESULT_PERMERROR:
		return (SPF_R_PERMERROR);
	case SPF_RESULT_INVALID:
	default:
		break;
	}
	if (err != SPF_E_DNS_ERROR)
		return (SPF_R_PERMERROR);
	for (i = 0; i < SPF_response_messages(resp); i++) {
		SPF_error_t *e = SPF_response_message(resp, i);

		if (SPF_error_code(e) == SPF_E_DNS_ERROR
		    && strncmp(SPF_error_message(e), "Unrecoverable", 13) == 0)
			return (SPF_R_PERMERROR);
	}
	return (SPF_R_TEMPERROR);
}

/* spf_explanation - the fail explanation: exp= text or the default */

static void
spf_explanation(SPF_response_t *resp, const struct spf_query *q,
    struct spf_outcome *out)
{
	struct spf_macro_ctx mc;
	const char *e = SPF_response_get_explanation(resp);
	size_t i;

	/* Not the default: the text spf_dns.c expanded; checked again. */
	if (e != NULL && strcmp(e, SPF_DEFAULT_SENTINEL) != 0
	    && strlen(e) < sizeof(out->explanation)) {
		for (i = 0; e[i]; i++)
			out->explanation[i] = (e[i] >= 0x20 && e[i] < 0x7f)
			    ? e[i] : '?';
		out->explanation[i] = 0;
		return;
	}
	memset(&mc, 0, sizeof(mc));
	mc.sender = q->sender;
	mc.domain = spf_query_domain(q);
	mc.helo = q->helo;
	mc.receiver = spf_receiver;
	mc.client = &q->client;
	mc.now = q->now;
	if (spf_macro_expand(spf_default_exp, strlen(spf_default_exp), 1, &mc,
	    out->explanation, sizeof(out->explanation)) < 0)
		out->explanation[0] = 0;
}

void
spf_engine_check(const struct spf_query *q, struct spf_outcome *out)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	struct in_addr a4;
	struct in6_addr a6;
	SPF_errcode_t err;

	memset(out, 0, sizeof(*out));
	if (!spf_identity_domain_ok(spf_query_domain(q))) {
		out->result = SPF_R_NONE;
		snprintf(out->problem, sizeof(out->problem),
		    "malformed domain");
		return;
	}
	if (addr_is_loopback(&q->client)) {
		/* libspf2 passes loopback unseen; greyspf does not check it. */
		out->result = SPF_R_NONE;
		snprintf(out->problem, sizeof(out->problem),
		    "loopback client, not checked");
		return;
	}
	if ((req = SPF_request_new(spf_server)) == NULL) {
		out->result = SPF_R_TEMPERROR;
		snprintf(out->problem, sizeof(out->problem), "out of memory");
		return;
	}
	if (q->client.family == 4) {
		memcpy(&a4, q->client.bytes, 4);
		SPF_request_set_ipv4(req, a4);
	} else {
		memcpy(&a6, q->client.bytes, 16);
		SPF_request_set_ipv6(req, a6);
	}
	if (q->helo[0] != 0)
		SPF_request_set_helo_dom(req, q->helo);
	SPF_request_set_env_from(req, q->sender);
	if (q->identity == SPF_ID_HELO)
		req->use_helo = 1;
	spf_dns_begin(q, req, out, &spf_limits, spf_receiver);
	err = SPF_request_query_mailfrom(req, &resp);
	out->result = spf_map(SPF_response_result(resp), err, resp);
	if (spf_dns_check.stop != SPF_STOP_NONE) {
		out->result = spf_dns_check.stop == SPF_STOP_PERM
		    ? SPF_R_PERMERROR : SPF_R_TEMPERROR;
		snprintf(out->problem, sizeof(out->problem), "%s",
		    spf_dns_check.why);
	} else if (out->result == SPF_R_TEMPERROR)
		snprintf(out->problem, sizeof(out->problem),
		    "DNS lookup failed");
	else if (out->result == SPF_R_PERMERROR)
		snprintf(out->problem, sizeof(out->problem),
		    "invalid SPF record");
	if (out->result == SPF_R_FAIL && spf_explain)
		spf_explanation(resp, q, out);
	else
		out->explanation[0] = 0;
	SPF_response_free(resp);
	SPF_request_free(req);
}
