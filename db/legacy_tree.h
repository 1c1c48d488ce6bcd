/*	legacy_tree.h - walk and write tumgreyspf data trees */
#ifndef GREYSPF_LEGACY_TREE_H
#define GREYSPF_LEGACY_TREE_H

#include <sys/stat.h>

#include <stdint.h>

#include "legacy.h"

struct legacy_file {
	char	*const *comps;	/* components below the root */
	int	ncomps;
	const char *relpath;	/* the same, joined with "/" */
	const struct stat *st;
};

typedef int (*legacy_file_fn)(const struct legacy_file *, void *);
typedef void (*legacy_skip_fn)(const char *, const char *, int, void *);

int	legacy_walk(const char *, legacy_file_fn, legacy_skip_fn, void *);
int	legacy_write_entry(int, const char *, int64_t, int64_t);

#endif
