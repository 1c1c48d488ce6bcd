/*
 * NAME
 *	policy_spf 3
 * SUMMARY
 *	what an SPF result means for the reply: action, text, header
 * SYNOPSIS
 *	#include "policy_spf.h"
 *
 *	void	policy_spf_result(conf, facts, result_r)
 *	void	policy_spf_header(conf, facts, buf, size)
 * DESCRIPTION
 *	Pure functions: the configuration and the facts of one check in,
 *	the policy result out.
 *
 *	policy_spf_result() applies the configured action for the
 *	identity and result (spf<Identity><Result> in greyspf.conf):
 * .IP \(bu
 *	reject: "550 5.7.23" (fail, softfail, ...) or "550 5.7.24"
 *	(permerror, temperror; RFC 7372), then tumgreyspf's text
 *	QUEUE_ID="..." SPF Reports: '...';
 * .IP \(bu
 *	defer: "451 4.4.3" for temperror (RFC 7208 8.6), "451 4.7.24" for
 *	permerror, "450 4.7.23" otherwise, with the same text;
 * .IP \(bu
 *	header: prepend the header of policy_spf_header();
 * .IP \(bu
 *	dunno: no decision.
 * .PP
 *	The text after "SPF Reports:" is built here from fixed words, the
 *	checked domain and the client address; no text from DNS (exp=)
 *	reaches a reply. Request values are filtered to the characters a
 *	domain name, an address or a queue ID can hold.
 *
 *	policy_spf_header() builds Received-SPF (RFC 7208 9.1) or, with
 *	spfHeader = Authentication-Results, that header (RFC 8601) with
 *	spfAuthservId. Values that are not dot-atoms are quoted strings;
 *	control characters, non-ASCII bytes, and parentheses in comments
 *	become "?"; every value is cut to a fixed length.
 */

#include <stdio.h>
#include <string.h>

#include "policy_spf.h"

/* The configuration's action tables are indexed by the engine's results. */
_Static_assert(CONFIG_SPF_RESULTS == SPF_R_COUNT,
    "lib/config.h and spf/spf.h disagree on the SPF results");
#define SAME(c, r)	((int)CONFIG_SPF_##c == (int)SPF_R_##r)
_Static_assert(SAME(NONE, NONE) && SAME(NEUTRAL, NEUTRAL) && SAME(PASS, PASS)
    && SAME(FAIL, FAIL) && SAME(SOFTFAIL, SOFTFAIL)
    && SAME(TEMPERROR, TEMPERROR) && SAME(PERMERROR, PERMERROR),
    "lib/config.h and spf/spf.h order the SPF results differently");
#undef SAME

#define SPF_FIELD_MAX	200	/* bytes of one request value shown */

/* spf_filter - keep what set allows (others: "?"); cut to max */

static const char *
spf_filter(const char *s, const char *set, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size && i < SPF_FIELD_MAX; i++)
		buf[i] = (strchr(set, s[i]) != NULL && s[i]) ? s[i] : '?';
	buf[i] = 0;
	return (buf);
}

#define SPF_DOMAIN_SET	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
#define SPF_PRINT_SET	" !#$%&*+,-./0123456789:;<=>?@" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`" \
			"abcdefghijklmnopqrstuvwxyz{|}~'"

static const char *const spf_reason_fmt[SPF_R_COUNT] = {
	"SPF none: %s publishes no SPF record",
	"SPF neutral: %s neither permits nor denies %s",
	"SPF pass: %s designates %s as permitted sender",
	("SPF fail - not authorized: %s does not designate %s as "
	    "permitted sender"),
	"SPF softfail: %s does not designate %s as permitted sender",
	"SPF Temporary Error: DNS lookups for %s failed (%s)",
	"SPF Permanent Error: the SPF record of %s is invalid (%s)"
};

static void
spf_reason(const struct spf_facts *f, char *buf, size_t size)
{
	char dom[SPF_FIELD_MAX + 1];

	spf_filter(f->domain, SPF_DOMAIN_SET, dom, sizeof(dom));
	/* The format is one of the table's; the arguments are filtered. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(buf, size, spf_reason_fmt[f->result], dom, f->client_text);
#pragma GCC diagnostic pop
}

void
policy_spf_result(const struct config *conf, const struct spf_facts *f,
    struct policy_result *res)
{
	char reason[400], q[40], text[POLICY_TEXT_MAX];
	const char *code;
	int act = conf->spf_action[f->identity][f->result];
	int err = f->result == SPF_R_TEMPERROR || f->result == SPF_R_PERMERROR;

	switch (act) {
	case SPF_ACT_HEADER:
		res->value = POLICY_PREPEND;
		policy_spf_header(conf, f, res->text, sizeof(res->text));
		return;
	case SPF_ACT_REJECT:
		code = err ? "550 5.7.24" : "550 5.7.23";
		break;
	case SPF_ACT_DEFER:
		code = f->result == SPF_R_TEMPERROR ? "451 4.4.3"
		    : f->result == SPF_R_PERMERROR ? "451 4.7.24"
		    : "450 4.7.23";
		break;
	case SPF_ACT_DUNNO:
	default:
		policy_set(res, POLICY_NONE, "");
		return;
	}
	spf_reason(f, reason, sizeof(reason));
	snprintf(text, sizeof(text), "%s QUEUE_ID=\"%s\" SPF Reports: '%s'",
	    code, f->queue_id ? spf_filter(f->queue_id, SPF_DOMAIN_SET, q,
	    sizeof(q)) : "<UNKNOWN>", reason);
	policy_set(res, POLICY_RAW, text);
}

/* spf_value - a dot-atom as is, anything else as a quoted-string */

static const char *
spf_value(const char *s, char *buf, size_t size)
{
	char tmp[SPF_FIELD_MAX + 1];
	size_t i, o = 0;

	spf_filter(s, SPF_PRINT_SET SPF_DOMAIN_SET "\"\\", tmp, sizeof(tmp));
	if (tmp[0] != 0 && strspn(tmp, SPF_DOMAIN_SET "@+=") == strlen(tmp)
	    && tmp[0] != '.' && tmp[strlen(tmp) - 1] != '.')
		return (spf_filter(tmp, SPF_DOMAIN_SET "@+=", buf, size));
	buf[o++] = '"';
	for (i = 0; tmp[i] && o + 3 < size; i++) {
		if (tmp[i] == '"' || tmp[i] == '\\')
			buf[o++] = '\\';
		buf[o++] = tmp[i];
	}
	buf[o++] = '"';
	buf[o] = 0;
	return (buf);
}

static const char *const spf_comment_fmt[SPF_R_COUNT] = {
	"%s: domain of %s does not designate permitted sender hosts",
	"%s: %s is neither permitted nor denied by domain of %s",
	"%s: domain of %s designates %s as permitted sender",
	"%s: domain of %s does not designate %s as permitted sender",
	("%s: transitioning domain of %s does not designate %s as "
	    "permitted sender"),
	"%s: error in processing during lookup of %s",
	"%s: permanent error in processing during lookup of %s"
};

void
policy_spf_header(const struct config *conf, const struct spf_facts *f,
    char *buf, size_t size)
{
	char who[SPF_FIELD_MAX + 1], comment[600];
	char sender[2 * SPF_FIELD_MAX + 3], helo[2 * SPF_FIELD_MAX + 3];
	char prob[2 * SPF_FIELD_MAX + 3];
	const char *id = f->identity == SPF_ID_HELO ? "helo" : "mailfrom";
	const char *name = spf_result_name(f->result);

	/* Comment text: no parentheses, quotes or backslashes. */
	spf_filter(f->identity == SPF_ID_HELO ? f->helo_checked : f->sender,
	    SPF_DOMAIN_SET "@+=", who, sizeof(who));
	spf_value(f->sender, sender, sizeof(sender));
	spf_value(f->helo ? f->helo : "", helo, sizeof(helo));
	if (conf->spf_header_ar) {
		snprintf(buf, size, "Authentication-Results: %s; spf=%s "
		    "smtp.%s=%s", conf->spf_authserv_id[0]
		    ? conf->spf_authserv_id : f->receiver, name, id,
		    f->identity == SPF_ID_HELO ? helo : sender);
		return;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (f->result == SPF_R_NEUTRAL)
		snprintf(comment, sizeof(comment), spf_comment_fmt[f->result],
		    f->receiver, f->client_text, who);
	else
		snprintf(comment, sizeof(comment), spf_comment_fmt[f->result],
		    f->receiver, who, f->client_text);
#pragma GCC diagnostic pop
	if (f->problem && f->problem[0] && (f->result == SPF_R_PERMERROR
	    || f->result == SPF_R_TEMPERROR))
		snprintf(buf, size, "Received-SPF: %s (%s) client-ip=%s; "
		    "envelope-from=%s; helo=%s; receiver=%s; identity=%s; "
		    "problem=%s;", name, comment, f->client_text, sender, helo,
		    f->receiver, id, spf_value(f->problem, prob, sizeof(prob)));
	else
		snprintf(buf, size, "Received-SPF: %s (%s) client-ip=%s; "
		    "envelope-from=%s; helo=%s; receiver=%s; identity=%s;",
		    name, comment, f->client_text, sender, helo, f->receiver,
		    id);
}
