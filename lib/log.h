/*	log.h - one logging sink for greyspf and its tools */
#ifndef GREYSPF_LOG_H
#define GREYSPF_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_sink {
	LOG_SINK_STDERR,	/* "prog: message" on stderr (tools) */
	LOG_SINK_SYSLOG,	/* syslog, facility mail (the service) */
	LOG_SINK_NONE		/* nowhere (fuzz targets: the fuzzer's own
				 * output stays on stderr) */
};

void	log_init(const char *, enum log_sink);
void	log_set_verbose(int);
const char *log_progname(void);
const char *log_safe(const char *, char *, size_t);
#define LOG_SAFE_MAX	100	/* bytes of untrusted text in one field */

void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	panic(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
