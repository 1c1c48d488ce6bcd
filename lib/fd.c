/*
 * NAME
 *	fd 3
 * SUMMARY
 *	descriptors a child must not inherit
 * SYNOPSIS
 *	#include "fd.h"
 *
 *	int	fd_close_from(low)
 *	int	fd_close_each(low)
 * DESCRIPTION
 *	fd_close_from() closes every descriptor from low up, with
 *	close_range(2), and where the kernel has none (before Linux 5.9:
 *	ENOSYS) or refuses it, with fd_close_each(): one close(2) a
 *	descriptor up to the limit of open files. The SPF worker calls it
 *	so that libspf2 never holds the database's descriptors or any
 *	other of the service's.
 * DIAGNOSTICS
 *	0, or -1 when the limit of open files cannot be read.
 */

#include <sys/resource.h>

#include <unistd.h>

#include "fd.h"

/* The most descriptors fd_close_each() visits (RLIMIT_NOFILE may be
 * vast; greyspf opens a handful). */
#define FD_SCAN_MAX	65536

int
fd_close_each(int low)
{
	struct rlimit rl;
	rlim_t fd, max;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return (-1);
	max = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FD_SCAN_MAX
	    ? FD_SCAN_MAX : rl.rlim_cur;
	for (fd = (rlim_t)low; fd < max; fd++)
		(void)close((int)fd);
	return (0);
}

int
fd_close_from(int low)
{
	if (close_range((unsigned)low, ~0U, 0) == 0)
		return (0);
	return (fd_close_each(low));
}
