/*
 * NAME
 *	sockdrive - talk to a policy service over a socket, as spawn does
 * SYNOPSIS
 *	sockdrive [-c chunk] [-k] command [arg...] < input > output
 * DESCRIPTION
 *	Starts command with both ends of a UNIX stream socket as its
 *	standard input and output (which is what Postfix's spawn(8) gives
 *	a policy server), writes standard input to it in writes of chunk
 *	bytes (1: a client that drips one byte at a time), then shuts down
 *	its sending side (-k: keeps it open, so only the server's own idle
 *	limit can end the talk), copies everything the server says to
 *	standard output until it closes, and exits with the server's exit
 *	status (128 + signal if it was killed).
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char in[1 << 20], buf[65536];
	size_t len = 0, off = 0, chunk = sizeof(in);
	int sv[2], c, keep = 0, status;
	ssize_t n;
	pid_t pid;

	while ((c = getopt(argc, argv, "+c:k")) != -1) {
		if (c == 'c')
			chunk = (size_t)strtoul(optarg, NULL, 10);
		else if (c == 'k')
			keep = 1;
		else
			return (2);
	}
	if (optind >= argc || chunk == 0)
		return (2);
	while ((n = read(0, in + len, sizeof(in) - len)) > 0)
		len += (size_t)n;
	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return (1);
	if ((pid = fork()) == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		close(sv[0]);
		close(sv[1]);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(sv[1]);
	/* Write in chunks; the server may close early on bad input. */
	while (off < len) {
		size_t take = len - off < chunk ? len - off : chunk;

		if ((n = write(sv[0], in + off, take)) <= 0)
			break;
		off += (size_t)n;
	}
	if (!keep)
		shutdown(sv[0], SHUT_WR);
	while ((n = read(sv[0], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(sv[0]);
	if (waitpid(pid, &status, 0) < 0)
		return (1);
	fflush(stdout);
	return (WIFEXITED(status) ? WEXITSTATUS(status)
	    : 128 + WTERMSIG(status));
}
