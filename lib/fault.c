/*
 * NAME
 *	fault 3
 * SUMMARY
 *	a memory fault inside the database costs an answer, not silence
 * SYNOPSIS
 *	#include "fault.h"
 *
 *	void	fault_init(on_fault)
 *	void	fault_arm(void)
 *	void	fault_disarm(void)
 * DESCRIPTION
 *	LMDB reads its file through a memory map and has no checksums: a
 *	file cut short after it was opened, or bytes flipped on disk, show
 *	as SIGBUS or SIGSEGV inside LMDB, or as SIGABRT: one of LMDB's
 *	assertions, or malloc's own check after LMDB copied a node whose
 *	size a flipped byte changed. store.c arms the guard around
 *	every call into a backend; a fault while it is armed calls the
 *	program's on_fault(sig), which must not return: the service
 *	answers the request in flight with storeErrorAction and exits, a
 *	tool says the database is damaged and exits 1.
 *
 *	A fault while the guard is not armed is a bug of greyspf's own:
 *	it goes to the handler that was there before (a sanitizer's), or
 *	kills the process as it would have without this module.
 * SECURITY
 *	on_fault runs in a signal handler: it may only use async-signal-
 *	safe calls (write(2), _exit(2)).
 */

#include <signal.h>
#include <string.h>

#include "fault.h"

static void (*fault_cb)(int);
static volatile sig_atomic_t fault_armed;
#define FAULT_SIGS	3
static struct sigaction fault_old[FAULT_SIGS];
static const int fault_sigs[FAULT_SIGS] = {SIGBUS, SIGSEGV, SIGABRT};

/* fault_handler - the database's fault, or somebody else's */

static void
fault_handler(int sig, siginfo_t *info, void *uctx)
{
	int i = sig == SIGBUS ? 0 : sig == SIGSEGV ? 1 : 2;

	if (fault_armed && fault_cb != NULL)
		fault_cb(sig);		/* does not return */
	if (fault_old[i].sa_flags & SA_SIGINFO) {
		if (fault_old[i].sa_sigaction != NULL) {
			fault_old[i].sa_sigaction(sig, info, uctx);
			return;
		}
	} else if (fault_old[i].sa_handler != SIG_DFL
	    && fault_old[i].sa_handler != SIG_IGN) {
		fault_old[i].sa_handler(sig);
		return;
	}
	/* The default action: die of the signal, as without us. */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* fault_init - install the handlers */

void
fault_init(void (*on_fault)(int))
{
	struct sigaction sa;
	int i;

	fault_cb = on_fault;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < FAULT_SIGS; i++)
		sigaction(fault_sigs[i], &sa, &fault_old[i]);
}

void
fault_arm(void)
{
	fault_armed = 1;
}

void
fault_disarm(void)
{
	fault_armed = 0;
}
