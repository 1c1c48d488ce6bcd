/*
 * NAME
 *	config 3
 * SUMMARY
 *	read greyspf.conf or an existing tumgreyspf.conf
 * SYNOPSIS
 *	#include "config.h"
 *
 *	void	config_defaults(conf)
 *	int	config_load(path, conf)
 *	int	config_load_stream(fp, path, conf)
 *	int	config_load_default(path, explicit, conf)
 * DESCRIPTION
 *	The master configuration is one "name = value" a line, read with
 *	inih, no section (or a [greyspf] section). The same reader takes
 *	tumgreyspf's tumgreyspf.conf unchanged: that file is Python, but
 *	in practice a list of assignments of quoted strings, numbers and
 *	True/False, with # comments. Accepted values:
 *
 * .IP \(bu
 *	'text' or "text" (the quotes are removed; no escapes), or text
 *	without quotes;
 * .IP \(bu
 *	decimal integers; True/False, yes/no, on/off for switches (an
 *	integer switch is on when > 0, as the original tested it);
 * .IP \(bu
 *	a trailing "# comment" after the value; whole-line comments
 *	start with "#" or ";", and may be indented. Any other indented
 *	line is an error, and so is a ";" after a blank before the "#"
 *	comment, where inih and Python would disagree (config_form()).
 * .PP
 *	The keys, their defaults and ranges are the table below (and
 *	greyspf.conf(5)). An unknown key, a value out of range or of the
 *	wrong type, a line longer than CONFIG_LINE_MAX bytes, a NUL byte
 *	or a line inih cannot parse is an error, reported as
 *	"file:line: reason"; so is a file longer than CONFIG_FILE_MAX
 *	bytes, and anything but a regular file (/dev/zero never ends, a
 *	FIFO would block): nothing is read past the bound, and the open
 *	never blocks. config_load() reports every error it finds and
 *	returns -1 when there was any. Unlike the original, a missing key
 *	(greylistByIPOnly above all) takes its default instead of crashing
 *	on first use.
 *
 *	config_load_default() is for programs with a compiled-in default
 *	path: a missing file at that default path is not an error (the
 *	original silently used its built-in defaults); a missing file
 *	named explicitly (-c) is.
 * SECURITY
 *	The file is trusted (it is root's), but every value is still
 *	bounded: strings by the size of their field, numbers by range.
 * BUGS
 *	A value cannot contain a ";" after a blank, nor go on over an
 *	indented line: inih would cut the first and join the second, so
 *	both are refused (config_form()). Python expressions beyond
 *	literals are not evaluated.
 */

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "listen_parse.h"
#include "log.h"
#include "template.h"
#include "util.h"
#include "whitelist.h"

enum config_type {
	CONFIG_INT, CONFIG_BOOL, CONFIG_STR, CONFIG_URL, CONFIG_ACTION,
	CONFIG_WORD, CONFIG_SPFACT, CONFIG_HOST, CONFIG_NETS, CONFIG_HEADER,
	CONFIG_FILES, CONFIG_GREYACT, CONFIG_TEXT, CONFIG_XHEADER,
	CONFIG_LISTEN,
	CONFIG_MODE,
	CONFIG_FALLBACK
};

struct config_entry {
	const char *name;
	enum config_type type;
	size_t	offset;
	size_t	size;		/* strings: the field size */
	long long min, max;	/* integers */
};

#define CF(name, type, field, min, max) \
	{ name, type, offsetof(struct config, field), \
	  sizeof(((struct config *)0)->field), min, max }
/* An SPF action key: identity 0 (MAIL FROM) or 1 (HELO), a result. */
#define SPFA(name, id, result) \
	CF(name, CONFIG_SPFACT, spf_action[id][CONFIG_SPF_##result], 0, 0)

static const struct config_entry config_table[] = {
	CF("debugLevel", CONFIG_INT, debug_level, 0, 4),
	CF("defaultSeedOnly", CONFIG_BOOL, default_seed_only, 0, 0),
	CF("defaultAllowTime", CONFIG_INT, default_allow_time, 0, 31536000),
	CF("configPath", CONFIG_URL, config_path, 0, 0),
	CF("greylistDir", CONFIG_STR, greylist_dir, 0, 0),
	CF("blackholeDir", CONFIG_STR, blackhole_dir, 0, 0),
	CF("spfqueryPath", CONFIG_STR, spfquery_path, 0, 0),
	CF("ignoreLastByte", CONFIG_BOOL, ignore_last_byte, 0, 0),
	CF("greylistByIPOnly", CONFIG_BOOL, greylist_by_ip_only, 0, 0),
	CF("spfAcceptOnPermError", CONFIG_BOOL, spf_accept_on_perm_error,
	    0, 0),
	CF("database", CONFIG_STR, database, 0, 0),
	CF("databaseMapSize", CONFIG_INT, map_size_mb, 1, 1048576),
	CF("databaseMapSizeMax", CONFIG_INT, map_size_max_mb, 1, 1048576),
	CF("databaseLockWait", CONFIG_INT, lock_wait_s, 1, 600),
	CF("greylistRetryWindow", CONFIG_INT, retry_window_s, 0, 31536000),
	CF("autoWhitelistClients", CONFIG_INT, awl_clients, 0, 1000000),
	CF("autoWhitelistMaxAge", CONFIG_INT, awl_max_age_days, 1, 3650),
	CF("counterDays", CONFIG_INT, counter_days, 0, 3660),
	CF("ipv4NetworkPrefix", CONFIG_INT, ipv4_prefix, 8, 32),
	CF("ipv6NetworkPrefix", CONFIG_INT, ipv6_prefix, 16, 128),
	CF("greylistNullSender", CONFIG_BOOL, greylist_null_sender, 0, 0),
	CF("greylistNoRecipient", CONFIG_BOOL, greylist_no_recipient, 0, 0),
	CF("storeErrorAction", CONFIG_ACTION, store_error_action, 0, 0),
	CF("configErrorAction", CONFIG_ACTION, config_error_action, 0, 0),
	CF("user", CONFIG_WORD, user, 0, 0),
	CF("idleTimeout", CONFIG_INT, idle_timeout, 1, 86400),
	CF("requestTimeout", CONFIG_INT, request_timeout, 1, 86400),
	CF("databaseSync", CONFIG_BOOL, database_sync, 0, 0),
	CF("databaseKeyPrefix", CONFIG_STR, key_prefix, 0, 0),
	CF("databasePasswordFile", CONFIG_STR, password_file, 0, 0),
	CF("databaseSentinelPasswordFile", CONFIG_STR, sentinel_password_file,
	    0, 0),
	CF("databaseConnectTimeout", CONFIG_INT, connect_timeout_ms, 1, 60000),
	CF("databaseCommandTimeout", CONFIG_INT, command_timeout_ms, 1, 60000),
	CF("storeFallback", CONFIG_FALLBACK, store_fallback, 0, 0),
	CF("storeFallbackDatabase", CONFIG_STR, fallback_database, 0, 0),
	SPFA("spfMailFromNone", 0, NONE),
	SPFA("spfMailFromNeutral", 0, NEUTRAL),
	SPFA("spfMailFromPass", 0, PASS),
	SPFA("spfMailFromFail", 0, FAIL),
	SPFA("spfMailFromSoftfail", 0, SOFTFAIL),
	SPFA("spfMailFromTemperror", 0, TEMPERROR),
	SPFA("spfMailFromPermerror", 0, PERMERROR),
	SPFA("spfHeloNone", 1, NONE),
	SPFA("spfHeloNeutral", 1, NEUTRAL),
	SPFA("spfHeloPass", 1, PASS),
	SPFA("spfHeloFail", 1, FAIL),
	SPFA("spfHeloSoftfail", 1, SOFTFAIL),
	SPFA("spfHeloTemperror", 1, TEMPERROR),
	SPFA("spfHeloPermerror", 1, PERMERROR),
	CF("spfHeloCheck", CONFIG_BOOL, spf_helo_check, 0, 0),
	CF("spfHeader", CONFIG_HEADER, spf_header_ar, 0, 0),
	CF("spfAuthservId", CONFIG_HOST, spf_authserv_id, 0, 0),
	CF("spfReceiver", CONFIG_HOST, spf_receiver, 0, 0),
	CF("spfTrustedRelays", CONFIG_NETS, spf_trusted_text, 0, 0),
	CF("spfPassSkipsGreylist", CONFIG_BOOL, spf_pass_skips_greylist, 0, 0),
	CF("spfTimeout", CONFIG_INT, spf_timeout, 1, 300),
	CF("spfDnsTimeout", CONFIG_INT, spf_dns_timeout, 1, 30),
	CF("spfDnsAttempts", CONFIG_INT, spf_dns_attempts, 1, 5),
	CF("spfQueryBudget", CONFIG_INT, spf_query_budget, 10, 1000),
	CF("whitelistClients", CONFIG_FILES, whitelist_clients, 0, 0),
	CF("whitelistRecipients", CONFIG_FILES, whitelist_recipients, 0, 0),
	CF("greylistAction", CONFIG_GREYACT, greylist_action, 0, 0),
	CF("greylistText", CONFIG_TEXT, greylist_text, 0, 0),
	CF("xGreylistHeader", CONFIG_BOOL, x_greylist_header, 0, 0),
	CF("xGreylistHeaderFormat", CONFIG_XHEADER, x_greylist_format, 0, 0),
	/* Daemon mode (src/daemon.c, src/loop.c). */
	CF("listen", CONFIG_LISTEN, listen, 0, 0),
	CF("socketOwner", CONFIG_WORD, socket_owner, 0, 0),
	CF("socketGroup", CONFIG_WORD, socket_group, 0, 0),
	CF("socketMode", CONFIG_MODE, socket_mode, 0, 0),
	CF("daemonProcesses", CONFIG_INT, daemon_processes, 1, 64),
	CF("maxConnections", CONFIG_INT, max_connections, 1, 1000000),
	CF("spfWorkers", CONFIG_INT, spf_workers, 1, 256),
};

static const char *const config_spf_actions[] = {"dunno", "header",
    "reject", "defer"};
static const char *const config_fallbacks[] = {"defer", "dunno", "local"};

const char *
config_spf_action_name(int a)
{
	return (a >= 0 && a < 4 ? config_spf_actions[a] : "unset");
}

/* config_fallback_name - a storeFallback value as written */

const char *
config_fallback_name(int f)
{
	return (f >= 0 && f < 3 ? config_fallbacks[f] : "unset");
}

#define CONFIG_NENTRIES (sizeof(config_table) / sizeof(config_table[0]))

struct config_parse {
	FILE	*fp;
	const char *path;
	struct config *conf;
	int	lineno;		/* line last handed to inih */
	int	errors;
	int	error_line;	/* last line we reported */
	size_t	total;		/* bytes read */
};

static void config_spf_finish(struct config *);
static const char *config_form(const char *);
static int config_grey_action_ok(const char *);
static int config_xheader_ok(const char *);
static const char *config_string_why(enum config_type, const char *);
static const char *config_listen_why(const char *);

/* config_defaults - the built-in values */

void
config_defaults(struct config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->default_allow_time = 600;
	strcpy(conf->config_path, "/etc/greyspf/config");
	strcpy(conf->greylist_dir, "/var/local/lib/tumgreyspf/data");
	strcpy(conf->blackhole_dir, "/var/local/lib/tumgreyspf/blackhole");
	strcpy(conf->database, "/var/lib/greyspf/db");
	conf->spf_accept_on_perm_error = 1;
	conf->map_size_mb = 16;
	conf->map_size_max_mb = 16384;
	conf->lock_wait_s = 10;
	conf->ipv4_prefix = 24;
	conf->ipv6_prefix = 64;
	conf->awl_max_age_days = 35;
	conf->counter_days = 400;
	strcpy(conf->store_error_action, "defer_if_permit Service "
	    "temporarily unavailable, greylist database error.");
	strcpy(conf->config_error_action, "defer_if_permit Service "
	    "temporarily unavailable, configuration error.");
	strcpy(conf->user, "greyspf");
	strcpy(conf->greylist_action, "defer_if_permit");
	strcpy(conf->x_greylist_format, "X-Greylist: delayed %t seconds by "
	    "greyspf-%v at %h; %d");
	conf->idle_timeout = 3600;
	conf->request_timeout = 60;
	strcpy(conf->key_prefix, "greyspf:");
	conf->connect_timeout_ms = 100;
	conf->command_timeout_ms = 100;
	conf->store_fallback = CONFIG_FALLBACK_LOCAL;
	strcpy(conf->fallback_database, "/var/lib/greyspf/fallback");
	config_spf_finish(conf);
	conf->spf_timeout = 20;
	conf->spf_dns_timeout = 3;
	conf->spf_dns_attempts = 2;
	conf->spf_query_budget = 60;
	conf->socket_mode = 0660;
	conf->daemon_processes = 2;
	conf->max_connections = 1100;
	conf->spf_workers = 4;
}

/*
 * config_spf_finish - the actions left unset: tumgreyspf's (spec 4.1).
 * fail rejects, temperror defers, none decides nothing, permerror is a
 * header or a reject by spfAcceptOnPermError, the rest add a header.
 */

static void
config_spf_finish(struct config *conf)
{
	static const int compat[CONFIG_SPF_RESULTS] = {SPF_ACT_DUNNO,
	    SPF_ACT_HEADER, SPF_ACT_HEADER, SPF_ACT_REJECT, SPF_ACT_HEADER,
	    SPF_ACT_DEFER, SPF_ACT_HEADER};
	int id, r;

	for (id = 0; id < 2; id++)
		for (r = 0; r < CONFIG_SPF_RESULTS; r++) {
			if (conf->spf_action_set & (1u << (id * 8 + r)))
				continue;
			conf->spf_action[id][r] = compat[r];
			if (r == CONFIG_SPF_RESULTS - 1
			    && !conf->spf_accept_on_perm_error)
				conf->spf_action[id][r] = SPF_ACT_REJECT;
		}
}

/* config_action_ok - "word" or "word text": printable, no newline */

static int
config_action_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");

	if (n == 0 || (s[n] != 0 && s[n] != ' '))
		return (0);
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return (0);
	return (1);
}

/*
 * config_grey_action_ok - a temporary failure: defer_if_permit,
 * defer_if_reject, defer, or 4NN (not 421) with an optional enhanced
 * code 4.N.N (greylisting must never bounce mail)
 */

static int
config_grey_action_ok(const char *s)
{
	static const char *const words[] = {"defer_if_permit",
	    "defer_if_reject", "defer"};
	size_t i, n;

	for (i = 0; i < 3; i++)
		if (strcasecmp(s, words[i]) == 0)
			return (1);
	/* 421 would also close the client's connection. */
	if (s[0] != '4' || strspn(s, "0123456789") != 3
	    || strncmp(s, "421", 3) == 0)
		return (0);
	if (s[3] == 0)
		return (1);
	s += 3;
	if (s[0] != ' ' || s[1] != '4' || s[2] != '.')
		return (0);
	s += 3;
	for (i = 0; i < 2; i++, s += n + 1) {
		n = strspn(s, "0123456789");
		if (n < 1 || n > 3 || s[n] != (i == 0 ? '.' : 0))
			return (0);
	}
	return (1);
}

/* config_xheader_ok - "Name: template": a header line's form */

static int
config_xheader_ok(const char *s)
{
	size_t n = strcspn(s, ": ");

	return (n > 0 && s[n] == ':'
	    && template_check(s, CONFIG_HEADER_VARS) == 0);
}

/* config_listen_why - what the listen key must be; NULL: it is (empty:
 * none, the spawn service) */

static const char *
config_listen_why(const char *text)
{
	static char why[160];
	struct listen_spec specs[LISTEN_MAX];
	const char *what;
	int n = 0;

	if (*text == 0 || listen_parse_list(text, specs, LISTEN_MAX, &n,
	    &what) == 0)
		return (NULL);
	snprintf(why, sizeof(why), "unix:/PATH, inet:ADDRESS:PORT or "
	    "inet:[ADDRESS]:PORT, comma-separated, at most %d (%s)",
	    LISTEN_MAX, what);
	return (why);
}

/* config_string_why - what a checked string must be; NULL: it is */

static const char *
config_string_why(enum config_type type, const char *text)
{
	_Static_assert(WHITELIST_FILES_MAX == 16, "the message says 16");

	switch (type) {
	case CONFIG_FILES:
		return (whitelist_files_ok(text) < 0 ? "absolute paths "
		    "separated by commas, at most 16" : NULL);
	case CONFIG_GREYACT:
		return (!config_grey_action_ok(text) ? "a temporary failure: "
		    "defer_if_permit, defer_if_reject, defer, or 4NN (not "
		    "421) with an optional enhanced code (450 4.7.1)" : NULL);
	case CONFIG_TEXT:
		return (template_check(text, CONFIG_TEXT_VARS) < 0
		    ? "printable text with %s, %r, %a, %h or %%" : NULL);
	case CONFIG_LISTEN:
		return (config_listen_why(text));
	default:
		return (!config_xheader_ok(text) ? "\"Name: text\" with %t, "
		    "%v, %h, %d or %%" : NULL);
	}
}

/* config_error - report one error at the current line */

static void __attribute__((format(printf, 2, 3)))
config_error(struct config_parse *cp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%d: %s", cp->path, cp->lineno, msg);
	cp->errors++;
	cp->error_line = cp->lineno;
}

/*
 * config_reader - inih's reader: counts lines, bounds them and the file
 * by the bytes read, catches NUL bytes. A line it refuses reaches inih
 * as a comment, so that no part of it is used as a value.
 */

static char *
config_reader(char *str, int num, void *stream)
{
	struct config_parse *cp = stream;
	const char *why;
	long len;

	if (num < CONFIG_LINE_MAX + 1)
		panic("inih line buffer of %d bytes", num);
	len = file_read_line(cp->fp, str, CONFIG_LINE_MAX + 1, &cp->total,
	    CONFIG_FILE_MAX);
	if (len == -1)
		return (NULL);
	cp->lineno++;
	if (len == -2) {
		config_error(cp, "file longer than %d bytes", CONFIG_FILE_MAX);
		return (NULL);
	}
	if (len > CONFIG_LINE_MAX)
		config_error(cp, "line longer than %d bytes", CONFIG_LINE_MAX);
	else if ((long)strlen(str) != len)
		config_error(cp, "NUL byte in line");
	else if ((why = config_form(str)) != NULL)
		config_error(cp, "%s", why);
	else
		return (str);
	strcpy(str, "#");
	return (str);
}

/*
 * config_form - why inih would read a line otherwise than Python and
 * greyspf.conf(5), or NULL. inih takes an indented line for more of the
 * value above (INI_ALLOW_MULTILINE: "database = /a" then "  /b" sets
 * /b), and cuts a value at a ";" after a blank (inline comments), while
 * Python refuses the first and "#" is the only comment after a value.
 * Both forms are refused here; a ";" inside what config_unquote() takes
 * for a "#" comment is harmless.
 */

static const char *
config_form(const char *line)
{
	const char *blanks = " \t\r\f\v", *p, *end;

	p = line + strspn(line, blanks);
	if (*p == 0 || *p == '#' || *p == ';')
		return (NULL);		/* blank or a comment line */
	if (p != line)
		return ("indented line (inih would take it for more of the "
		    "value above): remove the indentation");
	if (*p == '[')
		return (NULL);		/* a section: inih ignores the rest */
	/* Where a "#" comment starts, as config_unquote() sees it. */
	end = p + strcspn(p, "=:");
	if (*end) {
		end += 1 + strspn(end + 1, " \t");
		if ((*end == '\'' || *end == '"')
		    && (p = strchr(end + 1, *end)) != NULL)
			end = p + 1 + strcspn(p + 1, "#");
		else
			for (p = end; *end && !(*end == '#' && (end == p
			    || end[-1] == ' ' || end[-1] == '\t')); end++)
				;
	}
	for (p = line + 1; p < end; p++)
		if (*p == ';' && (p[-1] == ' ' || p[-1] == '\t'))
			return ("\" ;\" would cut the value (an inih comment): "
			    "comments after a value start with \"#\"");
	return (NULL);
}

/* config_unquote - Python literal or bare text; -1 on junk */

static int
config_unquote(const char *raw, char *buf, size_t size)
{
	const char *end, *p;
	size_t len;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (*raw == '\'' || *raw == '"') {
		if ((end = strchr(raw + 1, *raw)) == NULL)
			return (-1);
		for (p = end + 1; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != 0 && *p != '#')
			return (-1);
		raw++;
		len = (size_t)(end - raw);
	} else {
		/* A bare value ends at " #" (a Python comment). */
		for (p = raw; *p && !(*p == '#' && (p == raw
		    || p[-1] == ' ' || p[-1] == '\t')); p++)
			;
		len = (size_t)(p - raw);
		while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
			len--;
	}
	if (len >= size)
		return (-1);
	memcpy(buf, raw, len);
	buf[len] = 0;
	return (0);
}

/* config_bool - switch words, or an integer tested "> 0" */

static int
config_bool(const char *text, int *value_r)
{
	static const char *const on[] = {"true", "yes", "on"};
	static const char *const off[] = {"false", "no", "off"};
	long long v;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(text, on[i]) == 0)
			return (*value_r = 1, 0);
		if (strcasecmp(text, off[i]) == 0)
			return (*value_r = 0, 0);
	}
	if (strnum_ll(text, -1000000, 1000000, &v) < 0)
		return (-1);
	*value_r = v > 0;
	return (0);
}

/* config_handler - inih callback: one name = value */

static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse *cp = user;
	const struct config_entry *ce = NULL;
	char text[PATH_MAX];
	const char *why;
	char *field;
	long long v;
	size_t i;
	int b;

	if (cp->error_line == cp->lineno)
		return (1);		/* already reported (long line) */
	if (*section && strcmp(section, "greyspf") != 0) {
		config_error(cp, "unknown section [%.50s]", section);
		return (1);
	}
	for (i = 0; i < CONFIG_NENTRIES; i++)
		if (strcmp(config_table[i].name, name) == 0)
			ce = &config_table[i];
	if (ce == NULL) {
		config_error(cp, "unknown key \"%.100s\"", name);
		return (1);
	}
	field = (char *)cp->conf + ce->offset;
	if (config_unquote(value, text, sizeof(text)) < 0) {
		config_error(cp, "bad value for %s (unbalanced quote, "
		    "junk after it, or too long)", ce->name);
		return (1);
	}
	switch (ce->type) {
	case CONFIG_INT:
		if (strnum_ll(text, ce->min, ce->max, &v) < 0) {
			config_error(cp, "%s must be an integer from %lld "
			    "to %lld", ce->name, ce->min, ce->max);
			return (1);
		}
		if (ce->size == sizeof(int))
			*(int *)field = (int)v;
		else
			*(long long *)field = v;
		break;
	case CONFIG_BOOL:
		if (config_bool(text, &b) < 0) {
			config_error(cp, "%s must be True/False, yes/no, "
			    "on/off or a number", ce->name);
			return (1);
		}
		*(int *)field = b;
		break;
	case CONFIG_ACTION:
		if (!config_action_ok(text) || strlen(text) >= ce->size) {
			config_error(cp, "%s must be a Postfix action: a word, "
			    "then optional printable text", ce->name);
			return (1);
		}
		strcpy(field, text);
		break;
	case CONFIG_SPFACT:
		for (b = 0; b < 4; b++)
			if (strcasecmp(text, config_spf_actions[b]) == 0)
				break;
		if (b == 4) {
			config_error(cp, "%s must be reject, defer, header or "
			    "dunno", ce->name);
			return (1);
		}
		*(int *)field = b;
		i = (ce->offset - offsetof(struct config, spf_action))
		    / sizeof(int);
		cp->conf->spf_action_set |= 1u << ((i / CONFIG_SPF_RESULTS) * 8
		    + i % CONFIG_SPF_RESULTS);
		break;
	case CONFIG_FALLBACK:
		for (b = 0; b < 3; b++)
			if (strcasecmp(text, config_fallbacks[b]) == 0)
				break;
		if (b == 3) {
			config_error(cp, "%s must be defer, dunno or local",
			    ce->name);
			return (1);
		}
		*(int *)field = b;
		break;
	case CONFIG_HEADER:
		if (strcasecmp(text, "Received-SPF") == 0)
			*(int *)field = 0;
		else if (strcasecmp(text, "Authentication-Results") == 0)
			*(int *)field = 1;
		else {
			config_error(cp, "%s must be Received-SPF or "
			    "Authentication-Results", ce->name);
			return (1);
		}
		break;
	case CONFIG_HOST:
		if (text[0] == 0 || strlen(text) >= ce->size || strspn(text,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-.") != strlen(text)) {
			config_error(cp, "%s must be a host name", ce->name);
			return (1);
		}
		strcpy(field, text);
		break;
	case CONFIG_NETS:
		if (strlen(text) >= ce->size || (b = addr_parse_list(text,
		    cp->conf->spf_trusted, CONFIG_NETS_MAX)) < 0) {
			config_error(cp, "%s must be addresses or networks "
			    "(CIDR) separated by commas, at most %d", ce->name,
			    CONFIG_NETS_MAX);
			return (1);
		}
		cp->conf->spf_ntrusted = b;
		strcpy(field, text);
		break;
	case CONFIG_FILES:
	case CONFIG_GREYACT:
	case CONFIG_TEXT:
	case CONFIG_XHEADER:
	case CONFIG_LISTEN:
		if ((why = config_string_why(ce->type, text)) != NULL
		    || strlen(text) >= ce->size) {
			config_error(cp, "%s must be %s", ce->name, why ? why
			    : "shorter");
			return (1);
		}
		strcpy(field, text);
		break;
	case CONFIG_MODE:
		/* Permission bits, in octal as chmod(1) takes them. */
		if (strlen(text) < 3 || strlen(text) > 4
		    || strspn(text, "01234567") != strlen(text)) {
			config_error(cp, "%s must be an octal mode, such as "
			    "0660", ce->name);
			return (1);
		}
		for (b = 0, i = 0; text[i]; i++)
			b = b * 8 + (text[i] - '0');
		*(int *)field = b;
		break;
	case CONFIG_WORD:
		if (text[0] == 0 || strlen(text) >= ce->size || strspn(text,
		    "abcdefghijklmnopqrstuvwxyz0123456789_-.") != strlen(text)) {
			config_error(cp, "%s must be a user name", ce->name);
			return (1);
		}
		strcpy(field, text);
		break;
	case CONFIG_URL:
		/* configPath: "file:///dir" as the original, or "/dir" */
		if (strncmp(text, "file://", 7) == 0)
			memmove(text, text + 7, strlen(text + 7) + 1);
		if (text[0] != '/') {
			config_error(cp, "%s must be file:///directory or "
			    "an absolute path", ce->name);
			return (1);
		}
		/* FALLTHROUGH */
	case CONFIG_STR:
		if (strlen(text) >= ce->size || text[0] == 0) {
			config_error(cp, "%s must be a non-empty path", ce->name);
			return (1);
		}
		strcpy(field, text);
		break;
	}
	return (1);
}

/* config_load - read one file over the current values */

int
config_load(const char *path, struct config *conf)
{
	FILE *fp;
	int rc;

	if ((rc = file_open_regular(path, &fp)) != 0) {
		log_warnx("%s: %s", path, rc < 0 ? "not a regular file"
		    : strerror(rc));
		return (-1);
	}
	rc = config_load_stream(fp, path, conf);
	fclose(fp);
	return (rc);
}

/* config_load_stream - read an open file, named path in messages */

int
config_load_stream(FILE *fp, const char *path, struct config *conf)
{
	struct config_parse cp;
	int rc;

	memset(&cp, 0, sizeof(cp));
	cp.path = path;
	cp.conf = conf;
	cp.fp = fp;
	rc = ini_parse_stream(config_reader, &cp, config_handler, &cp);
	if (ferror(cp.fp)) {
		log_warn("%s: read error", path);
		cp.errors++;
	}
	/* inih's own syntax errors never reach the handler. */
	if (rc > 0 && rc != cp.error_line) {
		log_warnx("%s:%d: syntax error (expected name = value)", path,
		    rc);
		cp.errors++;
	} else if (rc < 0) {
		log_warnx("%s: inih could not parse the file (%d)", path, rc);
		cp.errors++;
	}
	if (cp.errors)
		return (-1);
	config_spf_finish(conf);
	if (strlen(path) < sizeof(conf->source))
		strcpy(conf->source, path);
	if (conf->map_size_mb > conf->map_size_max_mb) {
		log_warnx("%s: databaseMapSize %lld exceeds databaseMapSizeMax "
		    "%lld", path, conf->map_size_mb, conf->map_size_max_mb);
		return (-1);
	}
	return (0);
}

/* config_load_default - defaults, then the file if there is one */

int
config_load_default(const char *path, int explicit, struct config *conf)
{
	config_defaults(conf);
	if (path == NULL)
		path = CONFIG_DEFAULT_PATH;
	if (!explicit && access(path, F_OK) < 0 && errno == ENOENT)
		return (0);
	return (config_load(path, conf));
}
