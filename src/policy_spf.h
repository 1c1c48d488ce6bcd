/*	policy_spf.h - an SPF result as a policy reply */
#ifndef GREYSPF_POLICY_SPF_H
#define GREYSPF_POLICY_SPF_H

#include "config.h"
#include "policy.h"
#include "spf.h"

struct spf_facts {
	enum spf_identity identity;
	enum spf_result result;
	const char *client_text;	/* the client address, as greyspf prints it */
	const char *sender;		/* MAIL FROM ("" for <>) */
	const char *helo;		/* helo_name as sent, or NULL */
	const char *helo_checked;	/* the HELO name checked */
	const char *domain;		/* the domain checked */
	const char *queue_id;		/* or NULL */
	const char *receiver;		/* this host, a safe name */
	const char *problem;		/* why temperror/permerror, or NULL */
};

void	policy_spf_result(const struct config *, const struct spf_facts *,
	    struct policy_result *);
void	policy_spf_header(const struct config *, const struct spf_facts *,
	    char *, size_t);

#endif
