/*	spf_worker.h - SPF checks in a child process */
#ifndef GREYSPF_SPF_WORKER_H
#define GREYSPF_SPF_WORKER_H

#include <sys/types.h>

#include "spf_engine.h"

struct spf_worker {
	pid_t	pid;
	int	fd;		/* -1: no worker */
	int	restarts;
	int	keep_stderr;
	struct spf_limits limits;
	char	receiver[256];
	char	default_exp[SPF_EXP_MAX];
};

void	spf_worker_init(struct spf_worker *, const char *, const char *,
	    const struct spf_limits *, int);
void	spf_worker_check(struct spf_worker *, const struct spf_query *,
	    struct spf_outcome *);
void	spf_worker_close(struct spf_worker *);

#endif
