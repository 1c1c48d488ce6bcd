/*	listen.h - the daemon's listening sockets: specs, binding */
#ifndef GREYSPF_LISTEN_H
#define GREYSPF_LISTEN_H

#include <sys/socket.h>
#include <sys/un.h>

#define LISTEN_MAX	16	/* listening sockets */
#define LISTEN_BACKLOG	1024	/* connections the kernel queues */

struct listen_spec {
	int	family;			/* AF_UNIX, AF_INET, AF_INET6 */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char	text[128];		/* as given, for messages */
};

/* The unix sockets' owner, group and mode (socketOwner, ...). */
struct listen_owner {
	const char *user;		/* "": leave it */
	const char *group;		/* "": leave it */
	int	mode;			/* permission bits */
};

int	listen_parse(const char *, struct listen_spec *, const char **);
int	listen_parse_list(const char *, struct listen_spec *, int, int *,
	    const char **);
int	listen_bind(const struct listen_spec *, const struct listen_owner *);

#endif
