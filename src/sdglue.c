/*
 * NAME
 *	sdglue 3
 * SUMMARY
 *	systemd's socket activation and readiness, through libsystemd
 *	loaded only when systemd asks for them
 * SYNOPSIS
 *	#include "sdglue.h"
 *
 *	int	sdglue_listen_fds(void)
 *	void	sdglue_notify(state)
 * DESCRIPTION
 *	sdglue_listen_fds() is sd_listen_fds(3) (unsetting the variables):
 *	the number of listening sockets systemd passed from descriptor 3
 *	on, 0 when none. sdglue_notify() is sd_notify(3) with state
 *	("READY=1", "STOPPING=1", "RELOADING=1").
 *
 *	libsystemd is opened with dlopen(3), and only when LISTEN_FDS or
 *	NOTIFY_SOCKET is set: linked in, it and its libraries (libgcrypt,
 *	liblzma, libzstd, liblz4, libcap) cost every start-up about 0.6
 *	ms (measured: 1,000 execs of a program linked with it, 1.23-1.34
 *	s, without it 0.61-1.00 s), and spawn mode starts once per SMTP
 *	connection. Without libsystemd both do nothing.
 * DIAGNOSTICS
 *	A missing libsystemd when systemd asked is logged once.
 */

#include <dlfcn.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "sdglue.h"

static void *sdglue_open(void);

/* sdglue_open - libsystemd, or NULL */

static void *
sdglue_open(void)
{
	static void *h;
	static int tried;

	if (!tried) {
		tried = 1;
		if ((h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL))
		    == NULL)
			log_warnx("systemd: cannot load libsystemd: %s",
			    dlerror());
	}
	return (h);
}

int
sdglue_listen_fds(void)
{
	__typeof__(&sd_listen_fds) fn;
	void *h;
	int n;

	if (getenv("LISTEN_FDS") == NULL || (h = sdglue_open()) == NULL)
		return (0);
	if ((fn = (__typeof__(&sd_listen_fds))dlsym(h, "sd_listen_fds"))
	    == NULL)
		return (0);
	if ((n = fn(1)) < 0) {
		log_warnx("systemd: sd_listen_fds failed");
		return (0);
	}
	return (n);
}

void
sdglue_notify(const char *state)
{
	__typeof__(&sd_notify) fn;
	void *h;

	if (getenv("NOTIFY_SOCKET") == NULL || (h = sdglue_open()) == NULL)
		return;
	if ((fn = (__typeof__(&sd_notify))dlsym(h, "sd_notify")) != NULL)
		(void)fn(0, state);
}
