/*
 * NAME
 *	log 3
 * SUMMARY
 *	one logging sink, four severities
 * SYNOPSIS
 *	#include "log.h"
 *
 *	void	log_init(progname, sink)
 *	void	log_debug(fmt, ...), log_info(fmt, ...)
 *	void	log_warn(fmt, ...), log_warnx(fmt, ...)
 *	void	fatal(fmt, ...), fatalx(fmt, ...)
 *	void	panic(fmt, ...)
 * DESCRIPTION
 *	The sink is chosen once, at start-up: stderr for the tools, syslog
 *	(facility mail) for the policy service, whose stdout is the policy
 *	protocol and must never carry anything else. A message goes to one
 *	place only.
 *
 *	log_debug() is printed only after log_set_verbose(1). log_warn()
 *	is a per-request or per-item problem: the caller goes on. fatal()
 *	is a start-up or environment error and exits 1. panic() is a bug
 *	and aborts. The _warn/fatal variants append strerror(errno); the x
 *	variants do not.
 *
 *	log_safe() makes untrusted text (a client's request, a remote
 *	record) fit for a log line: at most LOG_SAFE_MAX bytes, control
 *	characters and DEL shown as "?", NULL shown as <UNKNOWN>.
 * SECURITY
 *	Untrusted text reaches a message only through log_safe(), so a
 *	client cannot forge log lines or send terminal escapes. A message
 *	is cut at 1024 bytes.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "greyspf";
static enum log_sink log_where = LOG_SINK_STDERR;
static int log_verbose;

static void log_vemit(int, const char *, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));

/* log_init - choose the program name and the sink */

void
log_init(const char *progname, enum log_sink sink)
{
	const char *slash;

	if (progname != NULL) {
		slash = strrchr(progname, '/');
		log_prog = slash ? slash + 1 : progname;
	}
	log_where = sink;
	if (sink == LOG_SINK_SYSLOG)
		openlog(log_prog, LOG_PID, LOG_MAIL);	/* connect lazily */
}

/* log_set_verbose - enable log_debug() output */

void
log_set_verbose(int level)
{
	log_verbose = level;
}

/* log_progname - the name used in messages */

const char *
log_progname(void)
{
	return (log_prog);
}

/* log_safe - untrusted text, bounded and without control characters */

const char *
log_safe(const char *text, char *buf, size_t size)
{
	size_t i;

	if (text == NULL)
		return ("<UNKNOWN>");
	for (i = 0; text[i] && i + 1 < size && i < LOG_SAFE_MAX; i++)
		buf[i] = ((unsigned char)text[i] < 0x20
		    || text[i] == 0x7f) ? '?' : text[i];
	buf[i] = 0;
	return (buf);
}

/* log_vemit - format one message and send it to the sink */

static void
log_vemit(int pri, const char *suffix, const char *fmt, va_list ap)
{
	char buf[1024];

	if (log_where == LOG_SINK_NONE)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_where == LOG_SINK_SYSLOG) {
		if (suffix)
			syslog(pri, "%s: %s", buf, suffix);
		else
			syslog(pri, "%s", buf);
	} else {
		if (suffix)
			fprintf(stderr, "%s: %s: %s\n", log_prog, buf, suffix);
		else
			fprintf(stderr, "%s: %s\n", log_prog, buf);
	}
}

#define LOG_BODY(pri, suffix) do { \
	va_list ap; \
	va_start(ap, fmt); \
	log_vemit((pri), (suffix), fmt, ap); \
	va_end(ap); \
} while (0)

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);

	LOG_BODY(LOG_WARNING, err);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);

	LOG_BODY(LOG_CRIT, err);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	exit(1);
}

void
panic(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	abort();
}
