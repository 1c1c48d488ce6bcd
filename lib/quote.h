/*	quote.h - tumgreyspf's address escaping for path components */
#ifndef GREYSPF_QUOTE_H
#define GREYSPF_QUOTE_H

#include <stddef.h>

int	quote_address(const char *, char *, size_t);
int	unquote_address(const char *, char *, size_t);

#endif
