/*	fd.h - descriptors a child must not inherit */
#ifndef GREYSPF_FD_H
#define GREYSPF_FD_H

int	fd_close_from(int);
int	fd_close_each(int);

#endif
