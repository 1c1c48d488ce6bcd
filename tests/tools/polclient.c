/*
 * NAME
 *	polclient - many policy connections to a daemon, with poll
 * SYNOPSIS
 *	polclient -a address [-c conns] [-r requests] [-t triplets]
 *		[-o offset] [-m max_ms] [-H spf]
 *	polclient -a address -f file
 *	polclient -a address -x count
 *	polclient -a address -i conns -w ms
 *	polclient -a address -s ms
 *	polclient -a address -k ms
 * DESCRIPTION
 *	address is unix:PATH or inet:HOST:PORT (IPv4). The first form opens
 *	conns connections at once and sends requests requests on each, in
 *	sequence as Postfix does, over overlapping triplets: request i of
 *	connection c is for triplet (c * 7 + i + offset) mod triplets
 *	(client 10.x.y.z, sender sN@example.com, recipient rN@example.net);
 *	with -H, helo_name and sender are under the domain spf, for a
 *	test whose DNS server hangs. It prints how many replies each
 *	"action=WORD" got, then "replies N", "errors N" (a connection
 *	refused, closed early, or a reply that is not "action=...\n\n"),
 *	"slow N" (replies over max_ms, with -m), requests per second, and
 *	the p50, p99 and largest latency in microseconds; exit 0 when
 *	errors and slow are 0.
 *
 *	-f sends the requests of file (blocks ending with an empty line)
 *	on one connection, in order, and copies the replies to standard
 *	output. -x opens count connections, a hundred at a time, and
 *	closes each at once. -i opens conns connections, keeps them idle
 *	ms milliseconds (less when the server has closed every one), then
 *	sends one request on each (exit 0 when every one is answered). A
 *	connection that is done is closed at once.
 *	With -h, -f shuts its sending side down after the whole file
 *	(a half-closed socket) and reads the replies until end of input.
 *
 *	-s sends one request a byte every ms milliseconds (on a fixed
 *	schedule: late wake-ups do not add up) and exits 0 when it is
 *	answered. -k sends a request without its empty line, then
 *	waits up to ms milliseconds: exit 0 when the server closes the
 *	connection (with no reply) within it.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN	20000
#define REPLY_MAX 1024
#define NWORDS	16

struct pc {
	int	fd;
	int	sent;		/* requests sent */
	char	req[1024];
	size_t	reqlen, reqoff;
	char	rep[REPLY_MAX];
	size_t	replen;
	long long t0;		/* the request's send time, us */
	int	done;
};

static const char *addr;
static char words[NWORDS][64];
static long counts[NWORDS];
static int nwords;
static long long *lat;
static long nlat;

static long long now_us(void);
static int dial(void);
static void count(const char *, size_t);
static int cmp(const void *, const void *);
static void gen(struct pc *, int, int, int, int, const char *);
static int finish(struct pc *);
static void idle_wait(struct pc *, struct pollfd *, int, int);

/* finish - a connection done: closed at once; 1 */

static int
finish(struct pc *p)
{
	p->done = 1;
	close(p->fd);
	p->fd = -1;
	return (1);
}

/* idle_wait - keep the connections idle ms milliseconds, or less when
 * the server closed (or wrote on) every one of them already */

static void
idle_wait(struct pc *pcs, struct pollfd *pfd, int conns, int ms)
{
	long long end = now_us() + (long long)ms * 1000, left;
	int i, ready;

	while ((left = end - now_us()) > 0) {
		for (i = 0; i < conns; i++) {
			pfd[i].fd = pcs[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)conns, (int)((left + 999) / 1000)) < 0)
			continue;
		for (i = ready = 0; i < conns; i++)
			ready += pfd[i].revents != 0;
		if (ready == conns)
			return;
	}
}

/* now_us - the monotonic clock in microseconds */

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* dial - one blocking connection to addr; -1 on error */

static int
dial(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char host[64];
	const char *colon;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(addr, "unix:", 5) == 0) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", addr + 5);
	} else {
		if (strncmp(addr, "inet:", 5) != 0
		    || (colon = strrchr(addr + 5, ':')) == NULL
		    || (size_t)(colon - addr - 5) >= sizeof(host))
			return (-1);
		memcpy(host, addr + 5, (size_t)(colon - addr - 5));
		host[colon - addr - 5] = 0;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return (-1);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return (-1);
	if (connect(fd, (struct sockaddr *)&ss, ss.ss_family == AF_UNIX
	    ? sizeof(*sun) : sizeof(*sin)) < 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* count - one reply's action word */

static void
count(const char *rep, size_t len)
{
	char w[64];
	size_t n;
	int i;

	n = strcspn(rep, " \n");
	if (n >= sizeof(w) || n > len)
		n = sizeof(w) - 1;
	memcpy(w, rep, n);
	w[n] = 0;
	for (i = 0; i < nwords; i++)
		if (strcmp(words[i], w) == 0)
			break;
	if (i == nwords) {
		if (nwords == NWORDS)
			return;
		snprintf(words[nwords++], sizeof(words[0]), "%s", w);
	}
	counts[i]++;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x < y ? -1 : x > y);
}

/* gen - request i of connection c */

static void
gen(struct pc *p, int c, int i, int trip, int off, const char *spf)
{
	int k = (c * 7 + i + off) % trip;

	/* What Postfix sends (SMTPD_POLICY_README), less the empty ones. */
	p->reqlen = (size_t)snprintf(p->req, sizeof(p->req),
	    "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "protocol_name=ESMTP\nclient_address=10.%d.%d.%d\n"
	    "client_name=unknown\nreverse_client_name=unknown\n"
	    "helo_name=h%d.%s\nsender=s%d@%s\nrecipient=r%d@%s\n"
	    "recipient_count=0\nqueue_id=\ninstance=%d.%d\nsize=0\n\n",
	    (k >> 16) & 255, (k >> 8) & 255, k & 255, k,
	    spf ? spf : "example.com", k, spf ? spf : "example.com", k,
	    spf ? "spf.test" : "example.net", c, i);
	p->reqoff = 0;
	p->replen = 0;
}

int
main(int argc, char **argv)
{
	static struct pc pcs[MAXCONN];
	static struct pollfd pfd[MAXCONN];
	static char file[1 << 20], buf[65536];
	const char *fpath = NULL, *spf = NULL;
	int conns = 1, reqs = 1, trip = 100, off = 0, drop = 0, idle = -1;
	int slow_ms = 0, hold_ms = 0, half = 0;
	int c, i, n, left, errors = 0, slow = 0, fd;
	long long max_us = 0, t0, t1;
	size_t flen = 0, pos, end;
	ssize_t r;
	char *e;
	FILE *fp;

	while ((c = getopt(argc, argv, "a:c:f:hH:i:k:m:o:r:s:t:w:x:")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'c': conns = atoi(optarg); break;
		case 'f': fpath = optarg; break;
		case 'h': half = 1; break;
		case 'H': spf = optarg; break;
		case 'k': hold_ms = atoi(optarg); break;
		case 's': slow_ms = atoi(optarg); break;
		case 'i': conns = atoi(optarg); idle = 0; break;
		case 'm': max_us = atoll(optarg) * 1000; break;
		case 'o': off = atoi(optarg); break;
		case 'r': reqs = atoi(optarg); break;
		case 't': trip = atoi(optarg); break;
		case 'w': idle = atoi(optarg); break;
		case 'x': drop = atoi(optarg); break;
		default: return (2);
		}
	}
	if (addr == NULL || conns < 1 || conns > MAXCONN || reqs < 1
	    || trip < 1)
		return (2);
	signal(SIGPIPE, SIG_IGN);

	if (drop > 0) {
		/* Open and drop: a hundred at a time, each closed unread. */
		for (n = 0; n < drop; n += 100) {
			for (i = 0; i < 100 && n + i < drop; i++)
				if ((pcs[i].fd = dial()) < 0)
					errors++;
			for (i = 0; i < 100 && n + i < drop; i++)
				if (pcs[i].fd >= 0)
					close(pcs[i].fd);
		}
		printf("dropped %d errors %d\n", drop, errors);
		return (errors != 0);
	}

	if (slow_ms > 0 || hold_ms > 0) {
		struct pollfd one;

		if ((fd = dial()) < 0)
			return (1);
		gen(&pcs[0], 0, 0, trip, off, spf);
		if (hold_ms > 0)
			pcs[0].reqlen -= 1;	/* no empty line */
		/* Byte i at t0 + i * slow_ms: a late wake-up on a loaded
		 * machine does not add up over the request's bytes. */
		t0 = now_us();
		for (pos = 0; pos < pcs[0].reqlen; pos++) {
			if (write(fd, pcs[0].req + pos, 1) != 1)
				return (1);
			t1 = t0 + (long long)(pos + 1) * slow_ms * 1000
			    - now_us();
			if (slow_ms > 0 && t1 > 0)
				usleep((useconds_t)t1);
		}
		one.fd = fd;
		one.events = POLLIN;
		if (poll(&one, 1, hold_ms > 0 ? hold_ms : 30000) != 1)
			return (1);
		r = read(fd, buf, sizeof(buf) - 1);
		if (hold_ms > 0)
			return (r != 0);
		if (r <= 0)
			return (1);
		buf[r] = 0;
		printf("%s", buf);
		return (strncmp(buf, "action=", 7) != 0);
	}

	if (fpath != NULL) {
		if ((fp = fopen(fpath, "r")) == NULL)
			return (1);
		flen = fread(file, 1, sizeof(file) - 1, fp);
		fclose(fp);
		if ((fd = dial()) < 0)
			return (1);
	}
	if (fpath != NULL && half) {
		if (write(fd, file, flen) != (ssize_t)flen
		    || shutdown(fd, SHUT_WR) < 0)
			return (1);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)r, stdout);
		return (r < 0 || fflush(stdout) != 0);
	}

	if (fpath != NULL) {
		for (pos = 0; pos < flen; pos = end) {
			/* One request: up to and with its empty line (one of
			 * white space only, as the server reads it). */
			e = NULL;
			for (end = pos; end < flen; ) {
				char *nl = memchr(file + end, '\n', flen - end);
				size_t ls = end;

				end = nl ? (size_t)(nl - file) + 1 : flen;
				if (nl && strspn(file + ls, " \t\r\n\v\f")
				    >= end - ls) {
					e = nl;
					break;
				}
			}
			if (write(fd, file + pos, end - pos)
			    != (ssize_t)(end - pos))
				return (1);
			if (e == NULL)
				break;
			n = 0;
			while (n < 2 || buf[n - 1] != '\n'
			    || buf[n - 2] != '\n') {
				if ((r = read(fd, buf + n, 1)) <= 0)
					return (1);
				n++;
				if (n == (int)sizeof(buf))
					return (1);
			}
			fwrite(buf, 1, (size_t)n, stdout);
		}
		close(fd);
		return (fflush(stdout) != 0);
	}

	lat = calloc((size_t)conns * (size_t)reqs, sizeof(*lat));
	if (lat == NULL)
		return (1);
	for (i = 0; i < conns; i++) {
		if ((pcs[i].fd = dial()) < 0) {
			fprintf(stderr, "polclient: connection %d: %s\n", i,
			    strerror(errno));
			return (1);
		}
		fcntl(pcs[i].fd, F_SETFL, O_NONBLOCK);
		gen(&pcs[i], i, 0, trip, off, spf);
	}
	if (idle > 0)
		idle_wait(pcs, pfd, conns, idle);
	t0 = now_us();
	left = conns;
	while (left > 0) {
		for (i = 0; i < conns; i++) {
			pfd[i].fd = pcs[i].done ? -1 : pcs[i].fd;
			pfd[i].events = pcs[i].reqoff < pcs[i].reqlen
			    ? POLLOUT : POLLIN;
		}
		if (poll(pfd, (nfds_t)conns, 30000) <= 0) {
			fprintf(stderr, "polclient: no progress in 30 s\n");
			errors += left;
			break;
		}
		for (i = 0; i < conns; i++) {
			struct pc *p = &pcs[i];

			if (p->done || pfd[i].revents == 0)
				continue;
			if (p->reqoff < p->reqlen) {
				if (p->reqoff == 0)
					p->t0 = now_us();
				r = write(p->fd, p->req + p->reqoff,
				    p->reqlen - p->reqoff);
				if (r > 0)
					p->reqoff += (size_t)r;
				else if (r < 0 && errno != EAGAIN) {
					errors++;
					left -= finish(p);
				}
				continue;
			}
			r = read(p->fd, p->rep + p->replen,
			    sizeof(p->rep) - 1 - p->replen);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0) {
				errors++;
				left -= finish(p);
				continue;
			}
			p->replen += (size_t)r;
			p->rep[p->replen] = 0;
			if (p->replen < 2 || strcmp(p->rep + p->replen - 2,
			    "\n\n") != 0)
				continue;
			t1 = now_us();
			lat[nlat++] = t1 - p->t0;
			if (max_us > 0 && t1 - p->t0 > max_us)
				slow++;
			if (strncmp(p->rep, "action=", 7) != 0
			    || strchr(p->rep, '\n') != p->rep + p->replen - 2)
				errors++;
			else
				count(p->rep, p->replen);
			if (++p->sent == reqs || idle >= 0) {
				left -= finish(p);
				continue;
			}
			gen(p, i, p->sent, trip, off, spf);
		}
	}
	t1 = now_us();
	for (i = 0; i < nwords; i++)
		printf("%ld %s\n", counts[i], words[i]);
	qsort(lat, (size_t)nlat, sizeof(*lat), cmp);
	printf("replies %ld\nerrors %d\nslow %d\n", nlat, errors, slow);
	printf("rps %.0f\n", nlat * 1e6 / (double)(t1 - t0 > 0 ? t1 - t0 : 1));
	if (nlat > 0)
		printf("p50_us %lld\np99_us %lld\nmax_us %lld\n",
		    lat[nlat / 2], lat[nlat * 99 / 100], lat[nlat - 1]);
	for (i = 0; i < conns; i++)
		if (pcs[i].fd >= 0)
			close(pcs[i].fd);
	return (errors != 0 || slow != 0);
}
