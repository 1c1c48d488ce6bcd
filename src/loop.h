/*	loop.h - a loop process: one event loop over many connections */
#ifndef GREYSPF_LOOP_H
#define GREYSPF_LOOP_H

#include "config.h"

int	loop_run(const struct config *, const char *, const int *, int, int);

#endif
