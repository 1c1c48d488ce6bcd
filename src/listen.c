/*
 * NAME
 *	listen 3
 * SUMMARY
 *	the daemon's listening sockets: parse their specs, bind them
 * SYNOPSIS
 *	#include "listen.h"
 *
 *	int	listen_bind(spec, owner)
 * DESCRIPTION
 *	The specs are parsed by lib/listen_parse.c (listen_parse(),
 *	listen_parse_list(), declared through this header too), which the
 *	configuration reader also uses to check the listen key.
 *
 *	listen_bind() binds and listens (backlog LISTEN_BACKLOG; the kernel
 *	queues connections past the daemon's maxConnections), and returns
 *	the descriptor, non-blocking and close-on-exec, or -1 after a log
 *	line. A unix socket replaces a stale socket at its path (never a
 *	file of another type), is created with no permission for anyone,
 *	then given owner's user and group and mode: no moment where it is
 *	open wider than configured.
 * SECURITY
 *	Called as root, before privileges are dropped, so that a socket
 *	under Postfix's queue directory or a port below 1024 can be bound.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "util.h"

static int listen_owner_set(const char *, const struct listen_owner *);

/* listen_owner_set - a unix socket's owner, group and mode */

static int
listen_owner_set(const char *path, const struct listen_owner *o)
{
	struct passwd *pw;
	struct group *gr;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (o->user[0]) {
		if ((pw = getpwnam(o->user)) == NULL) {
			log_warnx("socketOwner: no user \"%s\"", o->user);
			return (-1);
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (o->group[0]) {
		if ((gr = getgrnam(o->group)) == NULL) {
			log_warnx("socketGroup: no group \"%s\"", o->group);
			return (-1);
		}
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1)
	    && chown(path, uid, gid) < 0) {
		log_warn("%s: chown", path);
		return (-1);
	}
	if (chmod(path, (mode_t)o->mode) < 0) {
		log_warn("%s: chmod", path);
		return (-1);
	}
	return (0);
}

/* listen_bind - bind and listen */

int
listen_bind(const struct listen_spec *s, const struct listen_owner *o)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&s->addr;
	struct stat sb;
	mode_t old;
	int fd, on = 1, rc;

	fd = socket(s->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s: socket", s->text);
		return (-1);
	}
	if (s->family == AF_UNIX) {
		if (lstat(sun->sun_path, &sb) == 0) {
			if (!S_ISSOCK(sb.st_mode)) {
				log_warnx("%s: exists and is not a socket",
				    s->text);
				goto bad;
			}
			(void)unlink(sun->sun_path);
		}
		old = umask(0777);
		rc = bind(fd, (const struct sockaddr *)&s->addr, s->addrlen);
		umask(old);
	} else {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (s->family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
			    sizeof(on));
		rc = bind(fd, (const struct sockaddr *)&s->addr, s->addrlen);
	}
	if (rc < 0) {
		log_warn("%s: bind", s->text);
		goto bad;
	}
	if (s->family == AF_UNIX && listen_owner_set(sun->sun_path, o) < 0)
		goto bad;
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		log_warn("%s: listen", s->text);
		goto bad;
	}
	return (fd);
bad:
	close(fd);
	return (-1);
}
