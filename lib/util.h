/*	util.h - memory, numbers, standard descriptors, configuration files */
#ifndef GREYSPF_UTIL_H
#define GREYSPF_UTIL_H

#include <stddef.h>
#include <stdio.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

int	strnum_ll(const char *, long long, long long, long long *);
int	strnum_double(const char *, double, double, double *);

int	std_fds_guard(void);
int	file_open_regular(const char *, FILE **);
long	file_read_line(FILE *, char *, size_t, size_t *, size_t);

#endif
