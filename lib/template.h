/*	template.h - %-escape templates: reply texts and header formats */
#ifndef GREYSPF_TEMPLATE_H
#define GREYSPF_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_VALUE_MAX	255	/* bytes of one value put in */

struct template_var {
	char	letter;		/* %letter */
	const char *value;	/* NULL: put nothing */
};

int	template_check(const char *, const char *);
size_t	template_expand(const char *, const struct template_var *, size_t,
	    char *, size_t);

#endif
