/*
 * NAME
 *	test_proto - unit tests for the policy protocol reader
 * DESCRIPTION
 *	tumgreyspf's reading of lines (spec 2.1), and every bound. Input
 *	comes through a pipe, as it would from Postfix. The request's time
 *	limit runs on an injected clock; the write limit on a pipe that is
 *	never read.
 */

#include "testlib.h"

#include <errno.h>
#include <fcntl.h>

#include "log.h"
#include "proto.h"

static struct proto p;
static struct request req;

static void
feed(const char *data, size_t len)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_true(len < 65536);
	assert_int_equal(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	if (p.fd > 0)
		close(p.fd);
	proto_init(&p, fds[0], -1, 1000, 0);
}

#define FEED(s) feed((s), sizeof(s) - 1)

static void
test_lines(void **state)
{
	char *diag;

	(void)state;
	log_init("test_proto", LOG_SINK_STDERR);
	FEED("request=smtpd_access_policy\r\n"
	    "  sender = Spacey@X\n"
	    "a=b=c\n"
	    "Sender=ignored\n"
	    "queue_id=AbC123\n"
	    "recipient=Bob@Example.ORG \t\n"
	    "recipient=carol@\xc3\x89xample.org\n"
	    "this line has no equals sign\n"
	    "=novalue\n"
	    "\x1b[2Jfake log line\rinjected\n"
	    "\n");
	capture_begin();
	assert_int_equal(proto_read(&p, &req), PROTO_REQUEST);
	diag = capture_end();
	assert_string_equal(request_get(&req, "sender"), " spacey@x");
	assert_string_equal(request_get(&req, "a"), "b=c");
	assert_string_equal(request_get(&req, "Sender"), "ignored");
	assert_string_equal(request_get(&req, "queue_id"), "AbC123");
	/* Last duplicate wins; only ASCII is lower-cased. */
	assert_string_equal(request_get(&req, "recipient"),
	    "carol@\xc3\x89xample.org");
	assert_null(request_get(&req, "missing"));
	assert_int_equal(req.junk_lines, 3);
	assert_non_null(strstr(diag, "Could not match line \"=novalue\""));
	/* A client's control characters never reach the log. */
	assert_non_null(strstr(diag, "\"?[2Jfake log line?injected\""));
	assert_null(strchr(diag, '\x1b'));
	assert_int_equal(proto_read(&p, &req), PROTO_EOF);
}

static void
test_requests(void **state)
{
	(void)state;
	/* A whitespace-only line ends a request; a lone blank line is an
	 * (empty) request; input ending inside a request is dropped. */
	FEED("a=1\n \t\nb=2\n\n\nc=3\n");
	assert_int_equal(proto_read(&p, &req), PROTO_REQUEST);
	assert_string_equal(request_get(&req, "a"), "1");
	assert_int_equal(proto_read(&p, &req), PROTO_REQUEST);
	assert_string_equal(request_get(&req, "b"), "2");
	assert_null(request_get(&req, "a"));
	assert_int_equal(proto_read(&p, &req), PROTO_REQUEST);
	assert_int_equal(req.nattr, 0);
	assert_int_equal(proto_read(&p, &req), PROTO_EOF);
}

static void
test_bounds(void **state)
{
	static char big[40000];
	size_t n = 0;
	int i;

	(void)state;
	/* A line of exactly PROTO_LINE_MAX bytes passes; one more fails. */
	memset(big, 'v', sizeof(big));
	memcpy(big, "x=", 2);
	big[PROTO_LINE_MAX - 1] = '\n';
	big[PROTO_LINE_MAX] = '\n';
	feed(big, PROTO_LINE_MAX + 1);
	assert_int_equal(proto_read(&p, &req), PROTO_REQUEST);
	memset(big, 'v', sizeof(big));
	memcpy(big, "x=", 2);
	big[PROTO_LINE_MAX] = '\n';
	big[PROTO_LINE_MAX + 1] = '\n';
	feed(big, PROTO_LINE_MAX + 2);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "line too long");
	/* Attribute count. */
	for (i = 0; i <= PROTO_ATTR_MAX; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "a%d=1\n", i);
	big[n++] = '\n';
	feed(big, n);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "too many attributes in one request");
	/* Request size. */
	for (n = 0, i = 0; i < 20; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "a%d=", i);
		memset(big + n, 'v', 1000);
		n += 1000;
		big[n++] = '\n';
	}
	big[n++] = '\n';
	feed(big, n);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "request too large");
	/* NUL. */
	feed("a=1\0\n\n", 6);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "NUL byte in request");
}

/* fake_clock - an injected clock: a second later at every reading */

static int64_t fake_now;

static int64_t
fake_clock(void)
{
	return (fake_now += 1000);
}

static void
test_request_deadline(void **state)
{
	int fds[2];

	(void)state;
	/* A request begun and not finished: its time is counted from the
	 * first byte, not reset by each byte that comes. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "a=1\nb=", 6), 6);
	proto_init(&p, fds[0], -1, 60000, 1000);
	p.clock_ms = fake_clock;
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "request timeout");
	/* On the real clock, a 50 ms limit ends the wait long before the
	 * idle limit (a minute) would. */
	proto_init(&p, fds[0], -1, 60000, 50);
	assert_int_equal(write(fds[1], "c=1\n", 4), 4);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "request timeout");
	/* Between requests only the idle limit counts. */
	proto_init(&p, fds[0], -1, 50, 0);
	assert_int_equal(proto_read(&p, &req), PROTO_ERROR);
	assert_string_equal(p.error, "idle timeout");
	close(fds[0]);
	close(fds[1]);
	p.fd = -1;
}

static void
test_reply_bytes(void **state)
{
	static char big[8192], buf[sizeof(big) + 16];
	int fds[2];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	proto_init(&p, -1, fds[1], 1000, 0);
	assert_int_equal(proto_write_reply(&p, "dunno"), 0);
	n = read(fds[0], buf, sizeof(buf));
	assert_int_equal(n, 14);
	assert_memory_equal(buf, "action=dunno\n\n", 14);
	/* No length limit: a reply is never cut, nor refused. */
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(proto_write_reply(&p, big), 0);
	n = read(fds[0], buf, sizeof(buf));
	assert_int_equal(n, (ssize_t)(sizeof(big) - 1 + 9));
	assert_memory_equal(buf + 7, big, sizeof(big) - 1);
	assert_memory_equal(buf + n - 2, "\n\n", 2);
	close(fds[0]);
	close(fds[1]);
}

static void
test_write_timeout(void **state)
{
	int fds[2], i, rc = 0;

	(void)state;
	/* A peer that never reads: once the pipe is full, the write that
	 * makes no progress for the idle limit (20 ms) fails. */
	assert_int_equal(pipe(fds), 0);
	proto_init(&p, -1, fds[1], 20, 0);
	for (i = 0; i < 100000 && (rc = proto_write_reply(&p, "dunno")) == 0;
	    i++)
		;
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(i > 100);
	close(fds[0]);
	close(fds[1]);
}

/*
 * test_nonblock - the daemon's reader: input given a byte at a time on a
 * non-blocking pipe gives PROTO_AGAIN until the blank line, keeps what it
 * read in between, and then the next request (two in one write) at once.
 */

static void
test_nonblock(void **state)
{
	static const char one[] = "sender=A@x\nrecipient=b@y\n\n";
	static const char two[] = "sender=c@x\n\nsender=d@x\n\n";
	struct proto np;
	struct request nreq;
	int fds[2], again = 0;
	size_t i;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	proto_init(&np, fds[0], -1, 1000, 5000);
	np.nonblock = 1;
	assert_int_equal(proto_read(&np, &nreq), PROTO_AGAIN);
	assert_int_equal(np.deadline_ms, 0);	/* no byte: no request */
	for (i = 0; i < sizeof(one) - 1; i++) {
		assert_int_equal(write(fds[1], one + i, 1), 1);
		if (proto_read(&np, &nreq) == PROTO_AGAIN) {
			again++;
			assert_true(np.deadline_ms > 0);
		}
	}
	assert_int_equal(again, (int)sizeof(one) - 2);
	assert_int_equal(nreq.nattr, 2);
	assert_string_equal(request_get(&nreq, "sender"), "a@x");
	assert_string_equal(request_get(&nreq, "recipient"), "b@y");
	assert_int_equal(write(fds[1], two, sizeof(two) - 1),
	    (ssize_t)sizeof(two) - 1);
	assert_int_equal(proto_read(&np, &nreq), PROTO_REQUEST);
	assert_string_equal(request_get(&nreq, "sender"), "c@x");
	assert_int_equal(nreq.nattr, 1);
	assert_int_equal(proto_read(&np, &nreq), PROTO_REQUEST);
	assert_string_equal(request_get(&nreq, "sender"), "d@x");
	assert_int_equal(proto_read(&np, &nreq), PROTO_AGAIN);
	close(fds[1]);
	assert_int_equal(proto_read(&np, &nreq), PROTO_EOF);
	close(fds[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_request_deadline),
		cmocka_unit_test(test_reply_bytes),
		cmocka_unit_test(test_write_timeout),
		cmocka_unit_test(test_nonblock),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
