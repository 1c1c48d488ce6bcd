/*	policy_text.h - the greylist reply text, the X-Greylist header */
#ifndef GREYSPF_POLICY_TEXT_H
#define GREYSPF_POLICY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "policy.h"

int	policy_text_custom(const struct config *);
void	policy_text_defer(const struct config *, int64_t, const char *,
	    const char *, const char *, struct policy_result *);
void	policy_text_header(const struct config *, int64_t, int64_t,
	    const char *, char *, size_t);
void	policy_text_date(int64_t, char *, size_t);

#endif
