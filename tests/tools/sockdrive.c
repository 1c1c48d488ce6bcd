/*
 * NAME
 *	sockdrive - talk to a policy service over a socket, as spawn does
 * SYNOPSIS
 *	sockdrive [-c chunk] [-w ms] [-kn] command [arg...] < input > output
 * DESCRIPTION
 *	Starts command with both ends of a UNIX stream socket as its
 *	standard input and output (which is what Postfix's spawn(8) gives
 *	a policy server), writes standard input to it in writes of chunk
 *	bytes (1: a client that drips one byte at a time), ms milliseconds
 *	apart with -w, then shuts down its sending side (-k: keeps it open,
 *	so only the server's own limits can end the talk), copies
 *	everything the server says to standard output until it closes
 *	(-n: never reads it, a peer that lets the replies pile up), and
 *	exits with the server's exit status (128 + signal if it was
 *	killed). Writing and reading go on together (poll), so a long
 *	input never deadlocks on full socket buffers.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void);

/* now_ms - the monotonic clock in milliseconds */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
main(int argc, char **argv)
{
	static char in[1 << 20], buf[65536];
	size_t len = 0, off = 0, chunk = sizeof(in);
	int sv[2], c, keep = 0, noread = 0, status, wait;
	long long gap = 0, next = 0;
	ssize_t n;
	pid_t pid;

	while ((c = getopt(argc, argv, "+c:knw:")) != -1) {
		if (c == 'c')
			chunk = (size_t)strtoul(optarg, NULL, 10);
		else if (c == 'k')
			keep = 1;
		else if (c == 'n')
			noread = 1;
		else if (c == 'w')
			gap = strtoll(optarg, NULL, 10);
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
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	/* Write in chunks and read replies as they come (poll), so neither
	 * side blocks on a full socket buffer; the server may close early
	 * on bad input. */
	for (;;) {
		struct pollfd pfd = {sv[0], noread ? 0 : POLLIN, 0};

		wait = -1;
		if (off < len && now_ms() < next)
			wait = (int)(next - now_ms());	/* -w: not yet */
		else if (off < len)
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, wait) < 0)
			break;
		if (noread && (pfd.revents & (POLLHUP | POLLERR)))
			break;
		if (pfd.revents & POLLOUT) {
			size_t take = len - off < chunk ? len - off : chunk;

			next = now_ms() + gap;
			n = write(sv[0], in + off, take);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				n = 0;
			else if (n <= 0)
				len = off;	/* peer gone: stop writing */
			off += n > 0 ? (size_t)n : 0;
			if (off == len && !keep)
				shutdown(sv[0], SHUT_WR);
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sv[0], buf, sizeof(buf));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0)
				break;
			fwrite(buf, 1, (size_t)n, stdout);
		}
	}
	if (len == 0 && !keep)
		shutdown(sv[0], SHUT_WR);
	close(sv[0]);
	if (waitpid(pid, &status, 0) < 0)
		return (1);
	fflush(stdout);
	return (WIFEXITED(status) ? WEXITSTATUS(status)
	    : 128 + WTERMSIG(status));
}
