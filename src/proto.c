/*
 * NAME
 *	proto 3
 * SUMMARY
 *	read policy requests, write replies, within fixed bounds
 * SYNOPSIS
 *	#include "proto.h"
 *
 *	void	proto_init(p, infd, outfd, timeout_ms, request_ms)
 *	enum proto_status proto_read(p, req)
 *	const char *request_get(req, name)
 *	int	proto_write_reply(p, action)
 * DESCRIPTION
 *	Postfix's policy delegation protocol (SMTPD_POLICY_README), read as
 *	tumgreyspf read it (tumgreyspf-spec section 2.1):
 *
 * .IP \(bu
 *	trailing white space (blank, tab, CR, LF, VT, FF) is removed from
 *	every line, so CRLF works and a line of white space is empty;
 * .IP \(bu
 *	an empty line ends the request, which is then answered (also when
 *	it holds no attribute: the reply keeps client and server in step);
 * .IP \(bu
 *	other lines must be: optional white space, a name of characters
 *	other than "=" and white space, optional white space, "=", the value
 *	(leading blanks kept). Lines that do not fit are logged and
 *	ignored, as the original did;
 * .IP \(bu
 *	values are lower-cased (ASCII only) except for protocol_state,
 *	protocol_name and queue_id; the last of repeated names wins.
 * .PP
 *	Bounds, each checked before anything is stored: a line of at most
 *	PROTO_LINE_MAX bytes, at most PROTO_ATTR_MAX attributes and
 *	PROTO_REQUEST_MAX bytes of names and values in one request, no NUL
 *	byte, timeout_ms of silence at most while a read is pending
 *	(SO_RCVTIMEO on a socket, poll() otherwise), and request_ms at most
 *	from the first byte of a request to its blank line (a client that
 *	sends a byte now and then keeps no process for hours; poll(), with
 *	what is left of it, whenever a request waits for more input).
 *	Past any bound proto_read() returns PROTO_ERROR with p->error set:
 *	the caller logs it and closes the connection without a reply, so
 *	that Postfix applies its default_action. Input that ends inside a
 *	request is dropped without a reply (PROTO_EOF), as the original did.
 *
 *	With p->nonblock set (the daemon's event loop, on a non-blocking
 *	socket), proto_read() never waits: it returns PROTO_AGAIN when the
 *	input runs out inside a request or before one, keeps what it has
 *	read, and goes on from there at the next call with the same req.
 *	The caller times the request from its first byte (p->deadline_ms,
 *	set here) and the idle time itself.
 *
 *	proto_write_reply() writes "action=", the action and the empty line
 *	in one writev(), retrying short writes, with no length limit (so no
 *	reply is ever too long for it). A write that makes no progress for
 *	timeout_ms fails (SO_SNDTIMEO on a socket, poll() otherwise), so a
 *	peer that never reads its replies keeps no process either; it
 *	returns -1 with errno set (ETIMEDOUT for that).
 * SECURITY
 *	Nothing read is ever echoed to the client. The buffers are fixed:
 *	a hostile client can make the process read and discard, never grow.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "timefmt.h"

#define PROTO_WS " \t\r\n\v\f"

static int proto_fill(struct proto *);
static const char *proto_store(struct request *, const char *, size_t);
static int proto_keeps_case(const char *);
static int proto_end_line(struct proto *, struct request *, int *);

void
proto_init(struct proto *p, int infd, int outfd, int timeout_ms,
    int request_ms)
{
	struct timeval tv;

	memset(p, 0, sizeof(*p));
	p->fd = infd;
	p->outfd = outfd;
	p->timeout_ms = timeout_ms;
	p->request_ms = request_ms;
	p->clock_ms = timefmt_mono_ms;
	/* Under spawn both are a socket: let the kernel time reads and
	 * writes out (SO_RCVTIMEO, SO_SNDTIMEO) and save a poll() per
	 * request. Pipes and terminals (make run, tests) use poll(). */
	if (timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		p->sock_timeout = setsockopt(infd, SOL_SOCKET, SO_RCVTIMEO,
		    &tv, sizeof(tv)) == 0;
		p->sock_sndtimeo = setsockopt(outfd, SOL_SOCKET, SO_SNDTIMEO,
		    &tv, sizeof(tv)) == 0;
	}
}

/* proto_fill - read more input; 1 data, 0 EOF, -1 error or timeout,
 * -2 no input yet on a non-blocking fd. Between requests, on a socket,
 * SO_RCVTIMEO times the read out (EAGAIN); otherwise poll() waits first,
 * no longer than the idle limit and what is left of the request's. */

static int
proto_fill(struct proto *p)
{
	struct pollfd pfd;
	int64_t left;
	ssize_t n;
	int rc, wait, by_request;

	for (;;) {
		wait = p->timeout_ms;
		by_request = 0;
		if (p->deadline_ms != 0) {
			left = p->deadline_ms - p->clock_ms();
			if (left <= 0) {
				p->error = "request timeout";
				return (-1);
			}
			if (wait < 0 || left < wait) {
				wait = (int)left;
				by_request = 1;
			}
		}
		if (!p->nonblock && (!p->sock_timeout
		    || p->deadline_ms != 0)) {
			pfd.fd = p->fd;
			pfd.events = POLLIN;
			rc = poll(&pfd, 1, wait);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc <= 0) {
				p->error = rc < 0 ? "poll error" : by_request
				    ? "request timeout" : "idle timeout";
				return (-1);
			}
		}
		n = read(p->fd, p->buf, sizeof(p->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && p->nonblock && (errno == EAGAIN
		    || errno == EWOULDBLOCK))
			return (-2);
		if (n < 0) {
			p->error = errno == EAGAIN || errno == EWOULDBLOCK
			    ? "idle timeout" : "read error";
			return (-1);
		}
		p->start = 0;
		p->end = (size_t)n;
		return (n > 0);
	}
}

/* proto_store - copy a string into the request's own storage */

static const char *
proto_store(struct request *req, const char *s, size_t len)
{
	char *dst;

	if (req->used + len + 1 > sizeof(req->store))
		return (NULL);
	dst = req->store + req->used;
	memcpy(dst, s, len);
	dst[len] = 0;
	req->used += len + 1;
	return (dst);
}

/* proto_keeps_case - does this attribute keep its case? */

static int
proto_keeps_case(const char *name)
{
	return (strcmp(name, "protocol_state") == 0
	    || strcmp(name, "protocol_name") == 0
	    || strcmp(name, "queue_id") == 0);
}

/* proto_add_line - one stripped, non-empty line; -1 past a bound */

int
proto_add_line(struct request *req, char *line, const char **why_r)
{
	const char *name, *value;
	char *p, *eq, *v;
	size_t nlen;

	p = line + strspn(line, PROTO_WS);
	nlen = strcspn(p, "=" PROTO_WS);
	eq = p + nlen + strspn(p + nlen, PROTO_WS);
	if (nlen == 0 || *eq != '=') {
		char safe[LOG_SAFE_MAX + 1];

		log_warnx("ERROR: Could not match line \"%s\"",
		    log_safe(line, safe, sizeof(safe)));
		req->junk_lines++;
		return (0);
	}
	if (req->nattr == PROTO_ATTR_MAX) {
		*why_r = "too many attributes in one request";
		return (-1);
	}
	p[nlen] = 0;
	if ((name = proto_store(req, p, nlen)) == NULL
	    || (value = proto_store(req, eq + 1, strlen(eq + 1))) == NULL) {
		*why_r = "request too large";
		return (-1);
	}
	if (!proto_keeps_case(name))
		for (v = (char *)value; *v; v++)
			if (*v >= 'A' && *v <= 'Z')
				*v = (char)(*v - 'A' + 'a');
	req->attr[req->nattr].name = name;
	req->attr[req->nattr].value = value;
	req->nattr++;
	return (0);
}

/* proto_end_line - a whole line is in p->line */

static int
proto_end_line(struct proto *p, struct request *req, int *done)
{
	size_t len = p->linelen;

	p->linelen = 0;
	if (memchr(p->line, 0, len) != NULL) {
		p->error = "NUL byte in request";
		return (-1);
	}
	while (len > 0 && strchr(PROTO_WS, p->line[len - 1]) != NULL)
		len--;
	p->line[len] = 0;
	if (p->debug) {
		char safe[LOG_SAFE_MAX + 1];

		log_info("Read line: \"%s\"", log_safe(p->line, safe,
		    sizeof(safe)));
	}
	if (len == 0) {
		*done = 1;
		return (0);
	}
	return (proto_add_line(req, p->line, &p->error));
}

/* proto_read - the next complete request */

enum proto_status
proto_read(struct proto *p, struct request *req)
{
	char *nl;
	size_t take;
	int done = 0, rc;

	/* A request left half read (PROTO_AGAIN) goes on where it was. */
	if (!p->pending) {
		req->nattr = 0;
		req->used = 0;
		req->junk_lines = 0;
		p->deadline_ms = 0;
		p->pending = 1;
	}
	p->error = NULL;
	while (!done) {
		if (p->start == p->end) {
			if ((rc = proto_fill(p)) == -2)
				return (PROTO_AGAIN);
			p->pending = 0;
			if (rc < 0)
				return (PROTO_ERROR);
			if (rc == 0)
				return (PROTO_EOF);
			p->pending = 1;
		}
		/* The request's first byte: its time starts. */
		if (p->deadline_ms == 0 && p->request_ms > 0)
			p->deadline_ms = p->clock_ms() + p->request_ms;
		nl = memchr(p->buf + p->start, '\n', p->end - p->start);
		take = (nl ? (size_t)(nl - (p->buf + p->start)) + 1
		    : p->end - p->start);
		if (p->linelen + take > PROTO_LINE_MAX) {
			p->error = "line too long";
			p->pending = 0;
			return (PROTO_ERROR);
		}
		memcpy(p->line + p->linelen, p->buf + p->start, take);
		p->linelen += take;
		p->start += take;
		if (nl && proto_end_line(p, req, &done) < 0) {
			p->pending = 0;
			return (PROTO_ERROR);
		}
	}
	p->pending = 0;
	return (PROTO_REQUEST);
}

/* request_get - value of the last attribute called name, or NULL */

const char *
request_get(const struct request *req, const char *name)
{
	size_t i;

	for (i = req->nattr; i > 0; i--)
		if (strcmp(req->attr[i - 1].name, name) == 0)
			return (req->attr[i - 1].value);
	return (NULL);
}

/* proto_write_reply - "action=...", the empty line; -1 with errno */

int
proto_write_reply(struct proto *p, const char *action)
{
	struct iovec iov[3], *v = iov;
	struct pollfd pfd;
	ssize_t n;
	int cnt = 3, rc;

	iov[0].iov_base = (void *)"action=";
	iov[0].iov_len = sizeof("action=") - 1;
	iov[1].iov_base = (void *)action;
	iov[1].iov_len = strlen(action);
	iov[2].iov_base = (void *)"\n\n";
	iov[2].iov_len = 2;
	while (cnt > 0) {
		if (!p->sock_sndtimeo) {
			pfd.fd = p->outfd;
			pfd.events = POLLOUT;
			rc = poll(&pfd, 1, p->timeout_ms);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc == 0)
				errno = ETIMEDOUT;
			if (rc <= 0)
				return (-1);
		}
		n = writev(p->outfd, v, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			errno = ETIMEDOUT;	/* SO_SNDTIMEO */
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* no progress, no reason */
			return (-1);
		}
		/* A short write: go on after what was written. */
		for (; cnt > 0 && (size_t)n >= v->iov_len; v++, cnt--)
			n -= (ssize_t)v->iov_len;
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return (0);
}
