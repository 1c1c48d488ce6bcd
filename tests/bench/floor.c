/*
 * NAME
 *	floor - the trivial policy server: "action=dunno" to every request
 * SYNOPSIS
 *	floor path
 * DESCRIPTION
 *	Listens on the unix socket path and answers every request (bytes up
 *	to an empty line) with "action=dunno", from one epoll loop: the
 *	floor a policy daemon is measured against in make bench (no
 *	parsing, no state, no logging). Runs until killed.
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXEV	64

struct fconn {
	int	fd;
	int	nl;		/* the last byte was a newline */
};

int
main(int argc, char **argv)
{
	static const char reply[] = "action=dunno\n\n";
	struct epoll_event ev[MAXEV], e;
	struct sockaddr_un sun;
	struct fconn *c;
	char buf[16384];
	int lfd, ep, n, i, fd, k, replies;
	ssize_t r;

	if (argc != 2)
		return (2);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0
	    || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0
	    || listen(lfd, 1024) < 0 || (ep = epoll_create1(0)) < 0) {
		perror("floor");
		return (1);
	}
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	for (;;) {
		n = epoll_wait(ep, ev, MAXEV, -1);
		for (i = 0; i < n; i++) {
			if ((c = ev[i].data.ptr) == NULL) {
				if ((fd = accept(lfd, NULL, NULL)) < 0)
					continue;
				if ((c = calloc(1, sizeof(*c))) == NULL)
					return (1);
				c->fd = fd;
				e.events = EPOLLIN;
				e.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
				continue;
			}
			if ((r = read(c->fd, buf, sizeof(buf))) <= 0) {
				close(c->fd);
				free(c);
				continue;
			}
			/* One reply per empty line ("\n\n"). */
			for (replies = 0, k = 0; k < r; k++) {
				if (buf[k] == '\n' && c->nl)
					replies++;
				c->nl = buf[k] == '\n';
			}
			while (replies-- > 0)
				if (write(c->fd, reply, sizeof(reply) - 1) < 0)
					break;
		}
	}
}
