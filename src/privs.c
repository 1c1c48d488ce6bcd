/*
 * NAME
 *	privs 3
 * SUMMARY
 *	drop root privileges before any untrusted input
 * SYNOPSIS
 *	#include "privs.h"
 *
 *	void	privs_drop(user)
 * DESCRIPTION
 *	When the process runs as root (started by hand, or by a master.cf
 *	line without user=), it becomes user: supplementary groups, then
 *	group, then user (setgroups, setresgid, setresuid), and checks that
 *	root cannot be regained. It does nothing when not root: Postfix's
 *	spawn already runs greyspf as the master.cf user.
 *
 *	Called before the database is opened (so nothing greyspf creates
 *	is root's) and before the first request is read.
 * DIAGNOSTICS
 *	fatal() when the user does not exist or a step fails: running on
 *	as root is never the fallback.
 */

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "log.h"
#include "privs.h"

void
privs_drop(const char *user)
{
	struct passwd *pw;
	uid_t r, e, s;

	if (geteuid() != 0)
		return;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("user \"%s\" (config key user) does not exist", user);
	if (pw->pw_uid == 0)
		fatalx("user \"%s\" is root: refusing to run as root", user);
	if (setgroups(1, &pw->pw_gid) < 0
	    || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0
	    || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		fatal("cannot drop privileges to %s", user);
	if (getresuid(&r, &e, &s) < 0 || r == 0 || e == 0 || s == 0
	    || setuid(0) == 0)
		fatalx("privileges were not dropped");
}
