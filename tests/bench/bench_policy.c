/*
 * NAME
 *	bench_policy - drive a policy service the way Postfix does
 * SYNOPSIS
 *	bench_policy [-j par] [-n conns] [-r reqs] [-o offset] [-c name]
 *	    spawn prog [arg...]
 *	bench_policy [-j par] [-n conns] [-r reqs] [-o offset] [-c name]
 *	    tcp host port
 * DESCRIPTION
 *	Opens conns connections, one after another in each of par client
 *	processes, and sends reqs requests on each in lock step (send a
 *	request, wait for its reply), as smtpd does. "spawn" starts prog
 *	for every connection on a socket pair, as Postfix's spawn(8) does;
 *	"tcp" connects to a running daemon. Every request carries the
 *	attributes Postfix 3.7 sends; half are new triplets, half repeat
 *	an earlier one. offset shifts the triplets so that runs do not
 *	collide. -c gives client_name (unknown: no verified name, as
 *	Postfix says it). Prints one line of key=value results: wall time,
 *	requests per second, time from start (or connect) to the first
 *	answer (p50, p99), and for spawn the CPU time of the spawned
 *	programs per request.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

static const char *client_name = "unknown";	/* -c */

static int
request(char *buf, size_t size, long g)
{
	long t = g % 2 == 0 ? g : g / 2;

	return (snprintf(buf, size, "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nprotocol_name=ESMTP\n"
	    "helo_name=mail%ld.example.net\nqueue_id=\nsender=s%ld@example.com\n"
	    "recipient=r%ld@example.org\nrecipient_count=0\n"
	    "client_address=10.%ld.%ld.%ld\nclient_name=%s\n"
	    "reverse_client_name=unknown\ninstance=%lx.1.1.0\nsasl_method=\n"
	    "sasl_username=\nsasl_sender=\nsize=0\nccert_subject=\n"
	    "ccert_issuer=\nccert_fingerprint=\nencryption_protocol=TLSv1.3\n"
	    "encryption_cipher=TLS_AES_256_GCM_SHA384\nencryption_keysize=256\n"
	    "etrn_domain=\nstress=\n\n", t % 1000, t, t % 100,
	    (t >> 16) & 255, (t >> 8) & 255, t & 255, client_name, g));
}

/* talk - lock-step requests on fd; returns the first answer's time */

static double
talk(int fd, long first, int reqs, double t0)
{
	char buf[2048], in[4096];
	double t_first = 0;
	size_t got;
	ssize_t n;
	int i, len;

	for (i = 0; i < reqs; i++) {
		len = request(buf, sizeof(buf), first + i);
		if (write(fd, buf, (size_t)len) != len)
			exit(3);
		for (got = 0;;) {
			n = read(fd, in + got, sizeof(in) - got - 1);
			if (n <= 0)
				exit(4);
			got += (size_t)n;
			in[got] = 0;
			if (got >= 2 && strcmp(in + got - 2, "\n\n") == 0)
				break;
		}
		if (strncmp(in, "action=", 7) != 0)
			exit(5);
		if (i == 0)
			t_first = now_s() - t0;
	}
	return (t_first);
}

int
main(int argc, char **argv)
{
	long conns = 100, reqs = 100, offset = 0, c, per;
	int par = 1, opt, j, sv[2], fd, status;
	double t0, wall, *first, *all;
	struct sockaddr_in sin;
	struct rusage ru;
	int pfd[2];
	pid_t pid;

	while ((opt = getopt(argc, argv, "+c:j:n:r:o:")) != -1) {
		switch (opt) {
		case 'c': client_name = optarg; break;
		case 'j': par = atoi(optarg); break;
		case 'n': conns = atol(optarg); break;
		case 'r': reqs = atol(optarg); break;
		case 'o': offset = atol(optarg); break;
		default: return (2);
		}
	}
	if (argc - optind < 2 || par < 1 || conns % par)
		return (2);
	per = conns / par;
	all = calloc((size_t)conns, sizeof(*all));
	if (pipe(pfd) < 0)
		return (1);
	t0 = now_s();
	for (j = 0; j < par; j++) {
		if (fork() != 0)
			continue;
		first = calloc((size_t)per, sizeof(*first));
		for (c = 0; c < per; c++) {
			long base = offset + (j * per + c) * reqs;
			double ts = now_s();

			if (strcmp(argv[optind], "spawn") == 0) {
				socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
				if ((pid = fork()) == 0) {
					dup2(sv[1], 0);
					dup2(sv[1], 1);
					close(sv[0]);
					close(sv[1]);
					execv(argv[optind + 1], argv + optind + 1);
					_exit(127);
				}
				close(sv[1]);
				first[c] = talk(sv[0], base, (int)reqs, ts);
				close(sv[0]);
				waitpid(pid, &status, 0);
			} else {
				fd = socket(AF_INET, SOCK_STREAM, 0);
				memset(&sin, 0, sizeof(sin));
				sin.sin_family = AF_INET;
				sin.sin_port = htons((uint16_t)atoi(argv[optind + 2]));
				inet_pton(AF_INET, argv[optind + 1], &sin.sin_addr);
				if (connect(fd, (struct sockaddr *)&sin,
				    sizeof(sin)) < 0)
					exit(6);
				first[c] = talk(fd, base, (int)reqs, ts);
				close(fd);
			}
		}
		if (write(pfd[1], first, (size_t)per * sizeof(*first)) < 0)
			_exit(1);
		getrusage(RUSAGE_CHILDREN, &ru);
		{
			double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
			    + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

			if (write(pfd[1], &cpu, sizeof(cpu)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	{
		double cpu = 0, x;
		size_t off = 0;
		ssize_t n;
		int k;

		for (k = 0; k < par; k++) {
			size_t want = (size_t)per * sizeof(double);
			size_t got = 0;

			while (got < want && (n = read(pfd[0], (char *)(all + off)
			    + got, want - got)) > 0)
				got += (size_t)n;
			off += (size_t)per;
			if (read(pfd[0], &x, sizeof(x)) == sizeof(x))
				cpu += x;
		}
		for (k = 0; k < par; k++) {
			wait(&status);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "bench_policy: client failed "
				    "(status %d)\n", status);
				return (1);
			}
		}
		wall = now_s() - t0;
		qsort(all, (size_t)conns, sizeof(*all), dcmp);
		printf("mode=%s par=%d conns=%ld reqs_per_conn=%ld wall_s=%.3f "
		    "req_per_s=%.0f first_answer_p50_ms=%.3f "
		    "first_answer_p99_ms=%.3f", argv[optind], par, conns, reqs,
		    wall, conns * reqs / wall, all[conns / 2] * 1e3,
		    all[conns * 99 / 100] * 1e3);
		if (strcmp(argv[optind], "spawn") == 0)
			printf(" child_cpu_us_per_req=%.1f",
			    cpu / (conns * reqs) * 1e6);
		printf("\n");
	}
	return (0);
}
