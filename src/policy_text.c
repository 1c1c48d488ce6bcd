/*
 * NAME
 *	policy_text 3
 * SUMMARY
 *	the greylist reply's action and text, the X-Greylist header
 * SYNOPSIS
 *	#include "policy_text.h"
 *
 *	int	policy_text_custom(conf)
 *	void	policy_text_defer(conf, left_us, recipient, client, host,
 *		    result)
 *	void	policy_text_header(conf, delay_us, now, host, buf, size)
 *	void	policy_text_date(now, buf, size)
 * DESCRIPTION
 *	policy_text_defer() turns the greylist checker's defer (result,
 *	POLICY_DEFER with the original's text) into the configured reply:
 *	greylistAction, then greylistText expanded (%s: seconds left,
 *	rounded up; %r: the recipient's domain; %a: the client's address;
 *	%h: this host's name, spfReceiver; %%: "%"), or the original's text
 *	when greylistText is empty. With both keys at their defaults the
 *	result is left as it is, so the replies are the original's, byte
 *	for byte; policy_text_custom() says whether they are not (the
 *	caller then looks up the request's values).
 *
 *	policy_text_header() writes the X-Greylist header of a first pass,
 *	xGreylistHeaderFormat expanded (%t: the delay in seconds; %v:
 *	greyspf's version; %h: this host's name; %d: now as an RFC 5322
 *	date, policy_text_date(), in local time; %%: "%").
 *
 *	Pure functions: the caller passes the time and the request's
 *	values. (policy_text_date() reads the time zone, as localtime_r()
 *	does.)
 * SECURITY
 *	The recipient's domain and the client's address come from the
 *	client: each is cut to TEMPLATE_VALUE_MAX bytes and every byte but
 *	printable ASCII written as "?" (template.c); the domain is what
 *	follows the recipient's last "@".
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policy_text.h"
#include "template.h"

#ifndef GREYSPF_VERSION
#define GREYSPF_VERSION	"unknown"
#endif

/* policy_text_custom - 1: greylistAction or greylistText is set */

int
policy_text_custom(const struct config *conf)
{
	return (conf->greylist_text[0] != 0
	    || strcmp(conf->greylist_action, "defer_if_permit") != 0);
}

/* policy_text_defer - greylistAction and greylistText on a defer */

void
policy_text_defer(const struct config *conf, int64_t left_us,
    const char *recipient, const char *client, const char *host,
    struct policy_result *res)
{
	char secs[24], text[POLICY_TEXT_MAX];
	const char *domain = NULL;
	struct template_var v[4];

	if (res->value != POLICY_DEFER || !policy_text_custom(conf))
		return;
	if (conf->greylist_text[0]) {
		if (recipient != NULL && (domain = strrchr(recipient, '@'))
		    != NULL)
			domain++;
		snprintf(secs, sizeof(secs), "%lld", left_us > 0
		    ? (long long)((left_us + 999999) / 1000000) : 0LL);
		v[0].letter = 's', v[0].value = secs;
		v[1].letter = 'r', v[1].value = domain;
		v[2].letter = 'a', v[2].value = client;
		v[3].letter = 'h', v[3].value = host;
		template_expand(conf->greylist_text, v, 4, text, sizeof(text));
	} else
		snprintf(text, sizeof(text), "%s", res->text);
	/* POLICY_RAW: the action is written as configured. */
	res->value = POLICY_RAW;
	if ((size_t)snprintf(res->text, sizeof(res->text), "%s %s",
	    conf->greylist_action, text) >= sizeof(res->text))
		res->text[sizeof(res->text) - 1] = 0;
}

/* policy_text_header - the X-Greylist header of a pass after delay_us */

void
policy_text_header(const struct config *conf, int64_t delay_us,
    int64_t now, const char *host, char *buf, size_t size)
{
	char delay[24], date[64];
	struct template_var v[4];

	snprintf(delay, sizeof(delay), "%lld", delay_us > 0
	    ? (long long)(delay_us / 1000000) : 0LL);
	policy_text_date(now, date, sizeof(date));
	v[0].letter = 't', v[0].value = delay;
	v[1].letter = 'v', v[1].value = GREYSPF_VERSION;
	v[2].letter = 'h', v[2].value = host;
	v[3].letter = 'd', v[3].value = date;
	if (size > POLICY_HEADER_MAX + 1)
		size = POLICY_HEADER_MAX + 1;
	template_expand(conf->x_greylist_format, v, 4, buf, size);
}

/* policy_text_date - now (microseconds) as an RFC 5322 date, local */

void
policy_text_date(int64_t now, char *buf, size_t size)
{
	time_t t = (time_t)(now / 1000000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL
	    || strftime(buf, size, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		snprintf(buf, size, "?");
}
