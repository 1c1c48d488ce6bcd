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
 *	file of another type, nor a socket a server still answers on: a
 *	second daemon does not take the first one's over), is created
 *	with owner's mode (through the umask) by root, then given owner's
 *	user and group: no moment where it is open wider than configured.
 * SECURITY
 *	Called as root, before privileges are dropped, so that a socket
 *	under Postfix's queue directory or a port below 1024 can be bound.
 *	Whoever may write the socket's directory may swap the socket for
 *	a symlink between the bind and the chown: the chown goes through
 *	a descriptor of what is at the path (O_PATH | O_NOFOLLOW), and
 *	only when it is a socket of ours with one link; nothing follows a
 *	symlink, and no chmod is done at all.
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
static int listen_live(const struct listen_spec *);

void	(*listen_bind_hook)(const char *);

/*
 * listen_owner_set - a unix socket's owner and group (its mode is its
 * bind's). As root, in a directory others may write: never through
 * the path, which may have been swapped since the bind, but through a
 * descriptor of what is there now, once it shows it is a socket of
 * ours (a symlink opened with O_PATH | O_NOFOLLOW is the link itself).
 */

static int
listen_owner_set(const char *path, const struct listen_owner *o)
{
	struct passwd *pw;
	struct group *gr;
	struct stat sb;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int fd, rc;

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
	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return (0);
	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		log_warn("%s: open", path);
		return (-1);
	}
	if (fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode)
	    || sb.st_uid != geteuid() || sb.st_nlink != 1) {
		log_warnx("%s: no longer the socket just bound (replaced "
		    "since?); not changing its owner", path);
		close(fd);
		return (-1);
	}
	rc = fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
	if (rc < 0)
		log_warn("%s: chown", path);
	close(fd);
	return (rc);
}

/* listen_live - does a server answer on the unix socket's path? */

static int
listen_live(const struct listen_spec *s)
{
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (0);
	rc = connect(fd, (const struct sockaddr *)&s->addr, s->addrlen);
	/* EAGAIN: its backlog is full, it is there all the same. */
	rc = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return (rc);
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
			if (listen_live(s)) {
				log_warnx("%s: a server answers there "
				    "(another greyspf?); not taking it over",
				    s->text);
				goto bad;
			}
			(void)unlink(sun->sun_path);
		}
		/* The mode from the bind on: no chmod through a path. */
		old = umask(~(mode_t)o->mode & 0777);
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
	if (s->family == AF_UNIX && listen_bind_hook != NULL)
		listen_bind_hook(sun->sun_path);
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
