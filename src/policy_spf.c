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
 *	become "?"; a request value is cut to 200 bytes. The header is
 *	never cut: the mandatory key-value pairs come first, and the
 *	sender and HELO values (up to 402 bytes each, quoted) share the room
 *	the rest leaves in size bytes, cut before their closing quote, never
 *	inside an escape; problem= and then the comment are added only
 *	where they fit whole.
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
#define SPF_VALUE_MAX	(2 * SPF_FIELD_MAX + 2)	/* quoted, all escaped */
#define SPF_HOST_MAX	255	/* bytes of receiver or authserv-id */

/*
 * The key-value pairs of Received-SPF, with the longest receiver and
 * client address, leave the two values at least 2 bytes ("") each.
 */
_Static_assert(sizeof("Received-SPF: permerror client-ip=; envelope-from=; "
    "helo=; receiver=; identity=mailfrom;") - 1 + ADDR_TEXT_MAX - 1
    + SPF_HOST_MAX + 4 <= POLICY_HEADER_MAX,
    "POLICY_HEADER_MAX cannot hold a Received-SPF header");
_Static_assert(POLICY_HEADER_MAX < POLICY_TEXT_MAX, "a header fits a text");

static const char *spf_filter(const char *, const char *, char *, size_t);
static void spf_reason(const struct spf_facts *, char *, size_t);
static const char *spf_value(const char *, size_t, char *, size_t);
static void spf_share(size_t, size_t, size_t, size_t *, size_t *);
static void spf_header_received(const struct spf_facts *, char *, size_t);
static void spf_header_ar(const struct config *, const struct spf_facts *,
    char *, size_t);

/* spf_filter - keep what set allows (others: "?"); cut to size - 1 */

static const char *
spf_filter(const char *s, const char *set, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		buf[i] = (strchr(set, s[i]) != NULL && s[i]) ? s[i] : '?';
	buf[i] = 0;
	return (buf);
}

#define SPF_DOMAIN_SET	"abcdefghijklmnopqrstuvwxyz" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
#define SPF_PRINT_SET	" !#$%&*+,-./0123456789:;<=>?@" \
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`" \
			"abcdefghijklmnopqrstuvwxyz{|}~'"
#define SPF_ADDR_SET	"0123456789abcdefABCDEF:."

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

/* spf_reason - the text after "SPF Reports:", fixed words and values */

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

/* policy_spf_result - the configured action for a check, as a reply */

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

/*
 * spf_value - a dot-atom as is, anything else as a quoted-string, in at
 * most max bytes: a longer value is cut a character at a time, never
 * inside an escape, and its quote is always closed. max is at least 2.
 */

static const char *
spf_value(const char *s, size_t max, char *buf, size_t size)
{
	char tmp[SPF_FIELD_MAX + 1];
	size_t i, o = 0, need;

	if (max > size - 1)
		max = size - 1;
	spf_filter(s, SPF_PRINT_SET SPF_DOMAIN_SET "\"\\", tmp, sizeof(tmp));
	if (tmp[0] != 0 && strspn(tmp, SPF_DOMAIN_SET "@+=") == strlen(tmp)
	    && tmp[0] != '.' && tmp[strlen(tmp) - 1] != '.'
	    && strlen(tmp) <= max)
		return (spf_filter(tmp, SPF_DOMAIN_SET "@+=", buf, size));
	buf[o++] = '"';
	for (i = 0; tmp[i]; i++) {
		need = tmp[i] == '"' || tmp[i] == '\\' ? 2 : 1;
		if (o + need + 1 > max)
			break;
		if (need == 2)
			buf[o++] = '\\';
		buf[o++] = tmp[i];
	}
	buf[o++] = '"';
	buf[o] = 0;
	return (buf);
}

/* spf_share - split room between two values that want a and b bytes */

static void
spf_share(size_t room, size_t a, size_t b, size_t *a_r, size_t *b_r)
{
	if (a + b <= room) {
		*a_r = a;
		*b_r = b;
	} else if (a <= room / 2) {
		*a_r = a;
		*b_r = room - a;
	} else if (b <= room / 2) {
		*a_r = room - b;
		*b_r = b;
	} else {
		*a_r = room / 2;
		*b_r = room - room / 2;
	}
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

/*
 * spf_header_received - Received-SPF (RFC 7208 9.1) in size bytes: the
 * key-value pairs first, the sender and HELO values sized to the room
 * they leave; then problem= and the comment, each whole or not at all.
 */

static void
spf_header_received(const struct spf_facts *f, char *buf, size_t size)
{
	char who[SPF_FIELD_MAX + 1], comment[600], rcv[SPF_HOST_MAX + 1];
	char cip[ADDR_TEXT_MAX], sender[SPF_VALUE_MAX + 1];
	char helo[SPF_VALUE_MAX + 1], prob[SPF_VALUE_MAX + 1];
	const char *id = f->identity == SPF_ID_HELO ? "helo" : "mailfrom";
	const char *name = spf_result_name(f->result);
	size_t used, room, smax, hmax, add;
	int with_problem = 0, with_comment = 0;

	spf_filter(f->receiver, SPF_DOMAIN_SET, rcv, sizeof(rcv));
	spf_filter(f->client_text, SPF_ADDR_SET, cip, sizeof(cip));
	used = strlen("Received-SPF:  client-ip=; envelope-from=; helo=; "
	    "receiver=; identity=;") + strlen(name) + strlen(cip)
	    + strlen(rcv) + strlen(id);
	room = used + 4 < size ? size - 1 - used : 4;
	spf_share(room, strlen(spf_value(f->sender, SPF_VALUE_MAX, sender,
	    sizeof(sender))), strlen(spf_value(f->helo ? f->helo : "",
	    SPF_VALUE_MAX, helo, sizeof(helo))), &smax, &hmax);
	used += strlen(spf_value(f->sender, smax, sender, sizeof(sender)));
	used += strlen(spf_value(f->helo ? f->helo : "", hmax, helo,
	    sizeof(helo)));
	if (f->problem && f->problem[0] && (f->result == SPF_R_PERMERROR
	    || f->result == SPF_R_TEMPERROR)) {
		add = strlen(" problem=;") + strlen(spf_value(f->problem,
		    SPF_VALUE_MAX, prob, sizeof(prob)));
		if ((with_problem = used + add < size))
			used += add;
	}
	/* Comment text: no parentheses, quotes or backslashes. */
	spf_filter(f->identity == SPF_ID_HELO ? f->helo_checked : f->sender,
	    SPF_DOMAIN_SET "@+=", who, sizeof(who));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (f->result == SPF_R_NEUTRAL)
		snprintf(comment, sizeof(comment), spf_comment_fmt[f->result],
		    rcv, cip, who);
	else
		snprintf(comment, sizeof(comment), spf_comment_fmt[f->result],
		    rcv, who, cip);
#pragma GCC diagnostic pop
	with_comment = used + strlen(" ()") + strlen(comment) < size;
	snprintf(buf, size, "Received-SPF: %s%s%s%s client-ip=%s; "
	    "envelope-from=%s; helo=%s; receiver=%s; identity=%s;%s%s%s",
	    name, with_comment ? " (" : "", with_comment ? comment : "",
	    with_comment ? ")" : "", cip, sender, helo, rcv, id,
	    with_problem ? " problem=" : "", with_problem ? prob : "",
	    with_problem ? ";" : "");
}

/* spf_header_ar - Authentication-Results (RFC 8601) in size bytes */

static void
spf_header_ar(const struct config *conf, const struct spf_facts *f,
    char *buf, size_t size)
{
	char aid[SPF_HOST_MAX + 1], value[SPF_VALUE_MAX + 1];
	const char *id = f->identity == SPF_ID_HELO ? "helo" : "mailfrom";
	const char *name = spf_result_name(f->result);
	size_t used;

	spf_filter(conf->spf_authserv_id[0] ? conf->spf_authserv_id
	    : f->receiver, SPF_DOMAIN_SET, aid, sizeof(aid));
	used = strlen("Authentication-Results: ; spf= smtp.=") + strlen(aid)
	    + strlen(name) + strlen(id);
	spf_value(f->identity == SPF_ID_HELO ? (f->helo ? f->helo : "")
	    : f->sender, used + 2 < size ? size - 1 - used : 2, value,
	    sizeof(value));
	snprintf(buf, size, "Authentication-Results: %s; spf=%s smtp.%s=%s",
	    aid, name, id, value);
}

/* policy_spf_header - the SPF header spfHeader names, whole, in size */

void
policy_spf_header(const struct config *conf, const struct spf_facts *f,
    char *buf, size_t size)
{
	/* One line, unfolded: Postfix prepends it as it is. */
	if (size > POLICY_HEADER_MAX + 1)
		size = POLICY_HEADER_MAX + 1;
	if (conf->spf_header_ar)
		spf_header_ar(conf, f, buf, size);
	else
		spf_header_received(f, buf, size);
}
