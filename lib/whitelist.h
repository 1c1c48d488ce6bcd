/*	whitelist.h - postgrey's whitelist files: clients and recipients */
#ifndef GREYSPF_WHITELIST_H
#define GREYSPF_WHITELIST_H

#include <stddef.h>

#define WHITELIST_LINE_MAX	1024	/* bytes of a line, newline included */
#define WHITELIST_FILE_MAX	(1024 * 1024)	/* bytes of one file */
#define WHITELIST_FILES_MAX	16	/* files of one list */

enum whitelist_kind {
	WHITELIST_CLIENTS,	/* addresses, networks, names, /regex/ */
	WHITELIST_RECIPIENTS	/* user@, domain, user@domain, /regex/ */
};

/* One problem: file, line (0: the file as a whole), what. */
typedef void whitelist_report_fn(void *, const char *, int, const char *);

/* Where a request matched. */
struct whitelist_match {
	const char *file;	/* as named in the configuration */
	int	line;
	enum whitelist_kind kind;
};

struct whitelist;

struct whitelist *whitelist_new(whitelist_report_fn *, void *);
int	whitelist_parse(struct whitelist *, enum whitelist_kind, const char *,
	    const char *, size_t);
int	whitelist_load(struct whitelist *, enum whitelist_kind, const char *);
int	whitelist_compile(struct whitelist *);
size_t	whitelist_count(const struct whitelist *, enum whitelist_kind);
int	whitelist_client(struct whitelist *, const char *, const char *,
	    struct whitelist_match *);
int	whitelist_recipient(struct whitelist *, const char *,
	    struct whitelist_match *);
void	whitelist_free(struct whitelist *);
int	whitelist_files_ok(const char *);

#endif
