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
 *	Syslog's ident is the program name with the pid, "greyspf[1234]",
 *	written here (and again in a child after fork()) rather than asked
 *	of syslog(3) with LOG_PID, which calls getpid() at every line: the
 *	same line, one system call fewer a request.
 *
 *	log_debug() is printed only after log_set_verbose(1). log_warn()
 *	is a per-request or per-item problem: the caller goes on. fatal()
 *	is a start-up or environment error and exits 1. panic() is a bug
 *	and aborts. The _warn/fatal variants append strerror(errno); the x
 *	variants do not.
 *
 *	log_safe() makes untrusted text (a client's request, a remote
 *	record) fit for a log line: at most LOG_SAFE_MAX bytes, never half
 *	a character; control characters, DEL, C1 controls (raw 0x80-0x9f
 *	or as UTF-8) and bytes that are not UTF-8 shown as "?"; well-formed
 *	UTF-8 (an SMTPUTF8 address) kept; NULL shown as <UNKNOWN>.
 * SECURITY
 *	Untrusted text reaches a message only through log_safe(), so a
 *	client cannot forge log lines or send terminal escapes. A message
 *	is cut at 1024 bytes.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "greyspf";
static enum log_sink log_where = LOG_SINK_STDERR;
static int log_verbose;
static char log_ident[64];		/* "prog[pid]", syslog's ident */
static int log_atfork_set;

static void log_ident_set(void);
static size_t log_utf8_len(const unsigned char *);
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
	if (sink == LOG_SINK_SYSLOG) {
		log_ident_set();
		if (!log_atfork_set && pthread_atfork(NULL, NULL,
		    log_ident_set) == 0)
			log_atfork_set = 1;
	}
}

/* log_ident_set - syslog's ident for this process: "prog[pid]" */

static void
log_ident_set(void)
{
	if (log_where != LOG_SINK_SYSLOG)
		return;
	snprintf(log_ident, sizeof(log_ident), "%.40s[%ld]", log_prog,
	    (long)getpid());
	openlog(log_ident, 0, LOG_MAIL);	/* connect lazily */
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

/*
 * log_utf8_len - the bytes of one printable character at p: 1 for ASCII
 * but the controls, 2 to 4 for a well-formed UTF-8 sequence (no
 * overlong form, no surrogate) that is not a C1 control (U+0080 to
 * U+009F); 0 for anything else. A raw byte 0x80 to 0x9f is CSI and the
 * like on an 8-bit terminal, and never reaches a log line.
 */

static size_t
log_utf8_len(const unsigned char *p)
{
	unsigned cp;
	size_t n, k;

	if (p[0] < 0x80)
		return (p[0] < 0x20 || p[0] == 0x7f ? 0 : 1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return (0);
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return (0);	/* also the NUL at the end */
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000
	    || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)
	    || (cp >= 0x80 && cp <= 0x9f))
		return (0);
	return (n);
}

/* log_safe - untrusted text, bounded and without control characters */

const char *
log_safe(const char *text, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n, k;

	if (text == NULL)
		return ("<UNKNOWN>");
	while (*p && i + 1 < size && i < LOG_SAFE_MAX) {
		n = log_utf8_len(p);
		if (n == 0) {		/* a control, or not UTF-8 */
			buf[i++] = '?';
			p++;
			continue;
		}
		if (i + n >= size || i + n > LOG_SAFE_MAX)
			break;		/* never half a character */
		for (k = 0; k < n; k++)
			buf[i++] = (char)*p++;
	}
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
