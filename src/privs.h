/*	privs.h - drop root privileges */
#ifndef GREYSPF_PRIVS_H
#define GREYSPF_PRIVS_H

void	privs_drop(const char *);

#endif
