/*	listen_parse.h - the daemon's listen specs, parsed */
#ifndef GREYSPF_LISTEN_PARSE_H
#define GREYSPF_LISTEN_PARSE_H

#include <sys/socket.h>
#include <sys/un.h>

#define LISTEN_MAX	16	/* listening sockets */

struct listen_spec {
	int	family;			/* AF_UNIX, AF_INET, AF_INET6 */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char	text[128];		/* as given, for messages */
};

int	listen_parse(const char *, struct listen_spec *, const char **);
int	listen_parse_list(const char *, struct listen_spec *, int, int *,
	    const char **);

#endif
