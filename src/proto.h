/*	proto.h - Postfix policy delegation protocol, bounded */
#ifndef GREYSPF_PROTO_H
#define GREYSPF_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_LINE_MAX		2048	/* bytes, line terminator included */
#define PROTO_ATTR_MAX		100	/* attributes in one request */
#define PROTO_REQUEST_MAX	16384	/* bytes of names and values */
#define PROTO_BUF		4096	/* read buffer */

struct proto_attr {
	const char *name;
	const char *value;
};

struct request {
	struct proto_attr attr[PROTO_ATTR_MAX];
	size_t	nattr;
	char	store[PROTO_REQUEST_MAX];
	size_t	used;
	int	junk_lines;	/* lines that were not name=value */
};

enum proto_status {
	PROTO_REQUEST,		/* a request is complete */
	PROTO_EOF,		/* clean end of input */
	PROTO_ERROR,		/* bad input or I/O: close without reply */
	PROTO_AGAIN		/* nonblock: no more input for now */
};

struct proto {
	int	fd;		/* requests come from here */
	int	outfd;		/* replies go here */
	int	timeout_ms;	/* idle limit for one read or write; -1: none */
	int	request_ms;	/* limit for one request, first byte to blank
				 * line; 0: none */
	int	sock_timeout;	/* fd is a socket with SO_RCVTIMEO set */
	int	sock_sndtimeo;	/* outfd is a socket with SO_SNDTIMEO set */
	int64_t	(*clock_ms)(void);	/* monotonic ms (tests inject one) */
	int64_t	deadline_ms;	/* of the request begun; 0: none begun */
	char	buf[PROTO_BUF];
	size_t	start, end;
	char	line[PROTO_LINE_MAX + 1];
	size_t	linelen;
	int	overflow;
	const char *error;	/* why PROTO_ERROR */
	int	debug;		/* log every line */
	int	nonblock;	/* fd is non-blocking: PROTO_AGAIN, the
				 * caller times the request (loop.c) */
	int	pending;	/* a request is being read */
};

void	proto_init(struct proto *, int, int, int, int);
enum proto_status proto_read(struct proto *, struct request *);
const char *request_get(const struct request *, const char *);
int	proto_add_line(struct request *, char *, const char **);
int	proto_write_reply(struct proto *, const char *);

#endif
