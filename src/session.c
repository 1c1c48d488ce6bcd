/*
 * NAME
 *	session 3
 * SUMMARY
 *	serve one connection: the request loop
 * SYNOPSIS
 *	#include "session.h"
 *
 *	int	session_run(svc, infd, outfd)
 * DESCRIPTION
 *	session_run() serves one Postfix connection: it reads requests
 *	from infd (proto.c), has each evaluated (service_request()) and
 *	writes the reply to outfd, until end of input, a bad request or a
 *	failed write. Under spawn(8), greyspf is one session on standard
 *	input and output. A daemon's loop process (loop.c) keeps a struct
 *	session per accepted connection, all sharing one struct service,
 *	and drives the same steps without blocking.
 *
 *	What belongs to the connection lives here and ends with it: the
 *	reader's buffers and limits, the messages already given an SPF
 *	header (a message's recipients come on one connection), and the
 *	count of requests answered. What belongs to the process (the
 *	configuration, the database, the SPF worker, the receiver's name)
 *	is struct service (service.c).
 * DIAGNOSTICS
 *	A bad request (past one of proto.c's bounds, requestTimeout from
 *	its first byte to its blank line among them) is logged and the
 *	connection closed without a reply, so that Postfix applies its
 *	default action; a failed write (an error, or idleTimeout without
 *	progress) is logged with its cause. session_run() returns 0 at the
 *	end of input, -1 when it closed the connection for either.
 */

#include <string.h>

#include "log.h"
#include "policy.h"
#include "session.h"

/* session_run - serve one connection until it ends */

int
session_run(struct service *svc, int infd, int outfd)
{
	struct session sess;
	char reply[POLICY_ACTION_MAX];	/* policy_reply()'s longest */
	enum proto_status ps;
	const struct config *conf = svc->conf;
	int rc = 0;

	memset(&sess, 0, sizeof(sess));
	sess.svc = svc;
	proto_init(&sess.p, infd, outfd, (int)conf->idle_timeout * 1000,
	    (int)conf->request_timeout * 1000);
	sess.p.debug = conf->debug_level >= 4;
	while ((ps = proto_read(&sess.p, &sess.req)) == PROTO_REQUEST) {
		service_request(svc, &sess, &sess.req, reply, sizeof(reply));
		if (proto_write_reply(&sess.p, reply) < 0) {
			log_warn("writing reply");
			rc = -1;
			break;
		}
		sess.requests++;
	}
	if (ps == PROTO_ERROR) {
		log_warnx("%s; closing the connection without a reply",
		    sess.p.error);
		rc = -1;
	}
	log_debug("connection closed after %lu requests", sess.requests);
	return (rc);
}
