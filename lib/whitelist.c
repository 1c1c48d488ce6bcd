/*
 * NAME
 *	whitelist 3
 * SUMMARY
 *	postgrey's whitelist files: read them, match a client or a
 *	recipient
 * SYNOPSIS
 *	#include "whitelist.h"
 *
 *	struct whitelist *whitelist_new(report, arg)
 *	int	whitelist_load(wl, kind, list)
 *	int	whitelist_parse(wl, kind, name, text, len)
 *	int	whitelist_compile(wl)
 *	size_t	whitelist_count(wl, kind)
 *	int	whitelist_client(wl, address, name, match_r)
 *	int	whitelist_recipient(wl, recipient, match_r)
 *	void	whitelist_free(wl)
 *	int	whitelist_files_ok(list)
 * DESCRIPTION
 *	The files are postgrey's (1.37), read as postgrey reads them, so
 *	that /etc/postgrey/whitelist_clients and its .local work unchanged.
 *	A "#" starts a comment anywhere on a line (inside a /regex/ too, as
 *	in postgrey); blanks around what is left are dropped, and an empty
 *	line is skipped. Then, for clients, in postgrey's order:
 *
 * .IP \(bu
 *	/regex/ (no blank inside): a Perl regular expression (PCRE2,
 *	caseless) searched in the client's name;
 * .IP \(bu
 *	a.b.c.d or a.b.c.d/len: an IPv4 address or network (host bits are
 *	cleared, as postgrey's NetAddr::IP does); a.b.c: a.b.c.0/24; a.b:
 *	a.b.0.0/24 (postgrey's code, although its comment says /16);
 * .IP \(bu
 *	anything with two colons: an IPv6 address or network;
 * .IP \(bu
 *	anything else without a blank: a name, matching a client name equal
 *	to it or ending in "." and it (postgrey's (?:^|\\.)NAME$, caseless).
 * .PP
 *	For recipients: /regex/ against the whole address; user@domain (and
 *	user+ext@domain); user@ (that user, any domain, + extensions too);
 *	a domain (an address ending in @domain or .domain). All caseless.
 *
 *	whitelist_client() tries the networks first (in file order), then
 *	the names (the client's own, then each domain above it: the
 *	longest listed wins), then the regular expressions, and says which
 *	file and line matched.
 *	Names are matched only against a real name: an empty one or
 *	Postfix's "unknown" (no verified name) never matches, whatever the
 *	file says. The caller passes Postfix's client_name (forward-
 *	confirmed), never reverse_client_name, which the client controls.
 *
 *	Cost: loading parses, it does not compile. A regular expression is
 *	compiled the first time a name reaches it, once per process; and a
 *	name reaches it only when it ends with the literal text the
 *	expression must end with (the "suffix": .rr.com for
 *	/^ms-smtp.*\\.rr\\.com$/), which wl_suffix() finds conservatively
 *	(no suffix when in doubt). So a spawned process that sees an
 *	unnamed client, or a name no expression can match, compiles
 *	nothing: compiling Debian's 34 expressions costs 25-100 us, as
 *	much as the whole load. whitelist_compile() compiles every
 *	expression now: greyspf-configtest (which must see every error)
 *	and a long-lived daemon call it. The names go into a hash table,
 *	and the expressions into buckets by the last byte of their suffix,
 *	at the first named lookup; the networks are kept apart, IPv4 as
 *	masked numbers. Debian's 310-line file: about 130,000 instructions
 *	to load (15-30 us), 1,200 a request for an unnamed client, 2,700 for
 *	a named one.
 *
 *	whitelist_load() reads a comma-separated list of files;
 *	whitelist_parse() parses one file's text (pure: the fuzz target
 *	and the unit tests call it). whitelist_files_ok() checks a list as
 *	the configuration key takes it: at most WHITELIST_FILES_MAX
 *	absolute paths.
 * DIAGNOSTICS
 *	Every problem goes to the report function given to whitelist_new()
 *	as (file, line, text), line 0 for the whole file, and the line is
 *	skipped: postgrey warns and skips too, and a service must never stop
 *	answering over one line. Problems: a line longer than
 *	WHITELIST_LINE_MAX or with a NUL byte, a file over
 *	WHITELIST_FILE_MAX (the rest is ignored), a bad network, a line with
 *	a blank that is no regular expression, a bad regular expression
 *	(when it is compiled), and forms that can never match although
 *	postgrey takes them (a name with a leading dot, a recipient
 *	"@domain"), which are kept. A missing file whose name ends in
 *	".local" is not a problem (postgrey's rule: the site may have none).
 *	The load functions return the number of problems.
 * BUGS
 *	postgrey's Perl regular expressions are read by PCRE2: the rare
 *	Perl-only constructs fail to compile and are reported.
 */

#define PCRE2_CODE_UNIT_WIDTH 8

#include <sys/stat.h>

#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "log.h"
#include "util.h"
#include "whitelist.h"

#define WL_SFX_MAX	32	/* bytes of a regex's required suffix */
#define WL_SFX_ANY	'\001'	/* a suffix byte that matches any byte */
/* Backtracking steps one match may take: a bad expression must not hold
 * up a reply. */
#define WL_MATCH_LIMIT	100000
/* Byte classes, by table: a file is scanned byte by byte. */
#define WL_C_BLANK	1	/* Perl's \s, as postgrey trims lines */
#define WL_C_WORD	2	/* letters, digits, "-", "_" */
#define WL_C_UPPER	4
static const unsigned char wl_class[256] = {
	[' '] = WL_C_BLANK, ['\t' ... '\r'] = WL_C_BLANK,
	['0' ... '9'] = WL_C_WORD, ['a' ... 'z'] = WL_C_WORD,
	['A' ... 'Z'] = WL_C_WORD | WL_C_UPPER, ['-'] = WL_C_WORD,
	['_'] = WL_C_WORD,
};
#define WL_BLANK(c)	(wl_class[(unsigned char)(c)] & WL_C_BLANK)
#define WL_LOWER(c)	((unsigned char)(c) | (wl_class[(unsigned char)(c)] \
			    & WL_C_UPPER ? 0x20 : 0))

enum wl_type {
	WL_NET,			/* client address in a network */
	WL_NAME,		/* client name, or a subdomain of it */
	WL_REGEX,		/* client name or recipient address */
	WL_USERDOM,		/* user@domain */
	WL_USER,		/* user@ */
	WL_DOMAIN		/* domain */
};

struct wl_entry {
	unsigned char kind;	/* enum whitelist_kind */
	unsigned char type;	/* enum wl_type */
	signed char re_state;	/* 0: not compiled yet, 1: ready, -1: bad */
	unsigned char sfxlen;	/* bytes of sfx; 0: no suffix known */
	int	file;		/* index in names[] and texts[] */
	int	line;
	struct netaddr net;	/* WL_NET */
	const char *a;		/* name, pattern, user or domain */
	const char *b;		/* WL_USERDOM's domain */
	size_t	alen, blen;
	pcre2_code *re;
	char	sfx[WL_SFX_MAX];	/* lower case; WL_SFX_ANY: any byte */
};

/* A network, and the entry it came from; IPv4 as numbers. */
struct wl_net {
	struct netaddr net;
	uint32_t v4, mask4;	/* host order */
	uint32_t entry;
};

/* Client expressions by the last byte of their suffix; one more bucket
 * for those without. */
#define WL_BUCKETS	257

struct whitelist {
	whitelist_report_fn *report;
	void	*arg;
	char	*names[2 * WHITELIST_FILES_MAX];	/* files read */
	char	*texts[2 * WHITELIST_FILES_MAX];	/* their bytes */
	int	nfiles;
	struct wl_entry *e;
	size_t	n, size;
	size_t	count[2];	/* entries per kind */
	int	problems;	/* reported so far */
	struct wl_net *nets;	/* the networks, packed for the scan */
	size_t	nnets, nets_size;
	uint32_t *res;		/* client expressions: entry indices */
	size_t	nres, res_size;
	uint32_t *names_ix;	/* hash of the names: entry index + 1 */
	size_t	names_size;	/* slots, a power of two; 0: not built */
	uint32_t *rx_order;	/* res by bucket, file order within one */
	uint32_t rx_start[WL_BUCKETS + 1];	/* bucket b: [b], [b+1] */
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

static void wl_report(struct whitelist *, const char *, int,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
static struct wl_entry *wl_add(struct whitelist *, enum whitelist_kind,
	    enum wl_type, int, int);
static int wl_parse_owned(struct whitelist *, enum whitelist_kind,
	    const char *, char *, size_t);
static void wl_line(struct whitelist *, enum whitelist_kind, int, int,
	    char *, size_t);
static int wl_regex_line(const char *, size_t);
static void wl_client_line(struct whitelist *, int, int, char *, size_t);
static void wl_recipient_line(struct whitelist *, int, int, char *,
	    size_t);
static int wl_ipv4(const char *, struct netaddr *, int *);
static int wl_ipv6(const char *, struct netaddr *);
static size_t wl_suffix(const char *, size_t, char *);
static int wl_suffix_ok(const struct wl_entry *, const char *, size_t);
static int wl_compile(struct whitelist *, struct wl_entry *);
static int wl_regex_match(struct whitelist *, struct wl_entry *,
	    const char *, size_t);
static size_t wl_blanks(const char *, size_t);
static int wl_digits(const char *, size_t, int, int *);
static int wl_in_net(const struct netaddr *, const struct netaddr *);
static unsigned wl_bucket(const struct wl_entry *);
static uint32_t wl_hash(const char *, size_t);
static void wl_names_index(struct whitelist *);
static const struct wl_entry *wl_name_find(struct whitelist *,
	    const char *, size_t);
static int wl_user_prefix(const char *, const char *, size_t,
	    const char **);
static int wl_recipient_match(const struct wl_entry *, const char *,
	    size_t);
static void wl_hit(const struct whitelist *, const struct wl_entry *,
	    struct whitelist_match *);

/* whitelist_new - an empty whitelist; report gets every problem */

struct whitelist *
whitelist_new(whitelist_report_fn *report, void *arg)
{
	struct whitelist *wl = xcalloc(1, sizeof(*wl));

	wl->report = report;
	wl->arg = arg;
	return (wl);
}

/* whitelist_free - everything, compiled expressions included */

void
whitelist_free(struct whitelist *wl)
{
	size_t i;
	int f;

	if (wl == NULL)
		return;
	for (i = 0; i < wl->n; i++)
		pcre2_code_free(wl->e[i].re);
	for (f = 0; f < wl->nfiles; f++) {
		free(wl->names[f]);
		free(wl->texts[f]);
	}
	pcre2_match_data_free(wl->md);
	pcre2_match_context_free(wl->mc);
	free(wl->names_ix);
	free(wl->rx_order);
	free(wl->nets);
	free(wl->res);
	free(wl->e);
	free(wl);
}

/* wl_report - one problem in file name at line (0: the whole file) */

static void
wl_report(struct whitelist *wl, const char *name, int line,
    const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	wl->problems++;
	if (wl->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wl->report(wl->arg, name, line, msg);
}

/* whitelist_files_ok - a key's value: comma-separated absolute paths */

int
whitelist_files_ok(const char *list)
{
	const char *p = list, *end;
	int n = 0;

	while (*p) {
		p += strspn(p, " \t");
		end = strchrnul(p, ',');
		if (*p != '/' || ++n > WHITELIST_FILES_MAX)
			return (-1);
		p = *end ? end + 1 : end;
		if (*end && p[strspn(p, " \t")] == 0)
			return (-1);	/* a trailing comma */
	}
	return (0);
}

/* whitelist_count - entries of one kind */

size_t
whitelist_count(const struct whitelist *wl, enum whitelist_kind kind)
{
	return (wl->count[kind]);
}

/*
 * whitelist_load - read each file of a comma-separated list; returns
 * the problems reported
 */

int
whitelist_load(struct whitelist *wl, enum whitelist_kind kind,
    const char *list)
{
	char path[4096], *buf;
	const char *p = list, *end;
	struct stat st;
	size_t len, got;
	int rc, before = wl->problems;
	FILE *fp;

	while (*p) {
		p += strspn(p, " \t");
		end = strchrnul(p, ',');
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len >= sizeof(path))
			len = sizeof(path) - 1;
		memcpy(path, p, len);
		path[len] = 0;
		p = *end ? end + 1 : end;
		if (len == 0)
			continue;
		if ((rc = file_open_regular(path, &fp)) != 0) {
			/* postgrey: a site may have no .local file. */
			if (rc == ENOENT && len > 6
			    && strcmp(path + len - 6, ".local") == 0)
				continue;
			wl_report(wl, path, 0, "%s", rc < 0 ? "not a regular "
			    "file" : strerror(rc));
			continue;
		}
		/* One allocation of the file's size, not of the bound, at
		 * every spawn; a file that grows meanwhile is cut. */
		len = fstat(fileno(fp), &st) == 0 && st.st_size > 0
		    ? (size_t)st.st_size : 0;
		if (len > WHITELIST_FILE_MAX + 1)
			len = WHITELIST_FILE_MAX + 1;
		buf = xmalloc(len + 1);
		got = fread(buf, 1, len, fp);
		if (ferror(fp)) {
			wl_report(wl, path, 0, "read error");
			free(buf);
		} else
			wl_parse_owned(wl, kind, path, buf, got);
		fclose(fp);
	}
	return (wl->problems - before);
}

/* whitelist_parse - one file's text, named name; returns the problems */

int
whitelist_parse(struct whitelist *wl, enum whitelist_kind kind,
    const char *name, const char *text, size_t len)
{
	int before = wl->problems;
	char *buf;

	if (len > WHITELIST_FILE_MAX + 1)
		len = WHITELIST_FILE_MAX + 1;
	buf = xmalloc(len + 1);
	memcpy(buf, text, len);
	wl_parse_owned(wl, kind, name, buf, len);
	return (wl->problems - before);
}

/* wl_parse_owned - parse buf (len bytes and room for a NUL); keeps it */

static int
wl_parse_owned(struct whitelist *wl, enum whitelist_kind kind,
    const char *name, char *buf, size_t len)
{
	char *line, *nl, *end;
	int f, lineno = 0, nul;

	if (wl->nfiles == 2 * WHITELIST_FILES_MAX) {
		wl_report(wl, name, 0, "too many files");
		free(buf);
		return (-1);
	}
	f = wl->nfiles++;
	wl->names[f] = xstrdup(name);
	wl->texts[f] = buf;
	if (len > WHITELIST_FILE_MAX) {
		/* Up to the last whole line: a cut "example.co" would
		 * match other names. */
		len = WHITELIST_FILE_MAX;
		while (len > 0 && buf[len - 1] != '\n')
			len--;
		wl_report(wl, name, 0, "longer than %d bytes: the rest is "
		    "ignored", WHITELIST_FILE_MAX);
	}
	buf[len] = 0;
	end = buf + len;
	/* The names' index is built again at the next lookup. */
	free(wl->names_ix);
	wl->names_ix = NULL;
	wl->names_size = 0;
	free(wl->rx_order);
	wl->rx_order = NULL;
	nul = memchr(buf, 0, len) != NULL;
	for (line = buf; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		*nl = 0;
		if (nl - line >= WHITELIST_LINE_MAX)
			wl_report(wl, name, lineno, "line longer than %d bytes",
			    WHITELIST_LINE_MAX - 1);
		else if (nul && strlen(line) != (size_t)(nl - line))
			wl_report(wl, name, lineno, "NUL byte in line");
		else
			wl_line(wl, kind, f, lineno, line, (size_t)(nl - line));
	}
	return (0);
}

/* wl_add - a new entry of file f, line */

static struct wl_entry *
wl_add(struct whitelist *wl, enum whitelist_kind kind, enum wl_type type,
    int f, int line)
{
	struct wl_entry *e;

	if (wl->n == wl->size) {
		wl->size = wl->size ? 2 * wl->size : 256;
		wl->e = xreallocarray(wl->e, wl->size, sizeof(*wl->e));
	}
	if (kind == WHITELIST_CLIENTS && type == WL_REGEX) {
		if (wl->nres == wl->res_size) {
			wl->res_size = wl->res_size ? 2 * wl->res_size : 64;
			wl->res = xreallocarray(wl->res, wl->res_size,
			    sizeof(*wl->res));
		}
		wl->res[wl->nres++] = (uint32_t)wl->n;
	}
	e = &wl->e[wl->n++];
	memset(e, 0, sizeof(*e));
	e->kind = (unsigned char)kind;
	e->type = (unsigned char)type;
	e->file = f;
	e->line = line;
	wl->count[kind]++;
	return (e);
}

/* wl_line - one line: comment cut, blanks trimmed, then its kind's form */

static void
wl_line(struct whitelist *wl, enum whitelist_kind kind, int f, int lineno,
    char *line, size_t len)
{
	char *hash;
	size_t i;

	if ((hash = memchr(line, '#', len)) != NULL)
		len = (size_t)(hash - line);
	for (i = 0; i < len && WL_BLANK(line[i]); i++)
		;
	line += i;
	len -= i;
	while (len > 0 && WL_BLANK(line[len - 1]))
		len--;
	line[len] = 0;
	if (len == 0)
		return;
	if (wl_regex_line(line, len)) {
		struct wl_entry *e = wl_add(wl, kind, WL_REGEX, f, lineno);

		line[len - 1] = 0;
		e->a = line + 1;
		e->alen = len - 2;
		e->sfxlen = (unsigned char)wl_suffix(e->a, e->alen, e->sfx);
		return;
	}
	if (kind == WHITELIST_CLIENTS)
		wl_client_line(wl, f, lineno, line, len);
	else
		wl_recipient_line(wl, f, lineno, line, len);
}

/* wl_regex_line - postgrey's ^/(\S+)/$ */

static int
wl_regex_line(const char *line, size_t len)
{
	if (len < 3 || line[0] != '/' || line[len - 1] != '/')
		return (0);
	return (wl_blanks(line, len) == len);
}

/* wl_client_line - a network or a name */

static void
wl_client_line(struct whitelist *wl, int f, int lineno, char *line,
    size_t len)
{
	char text[ADDR_TEXT_MAX];
	struct wl_entry *e;
	struct netaddr net;
	int octets;
	size_t i;

	if (line[0] >= '0' && line[0] <= '9'
	    && strspn(line, "0123456789./") == len) {
		if (wl_ipv4(line, &net, &octets) < 0) {
			wl_report(wl, wl->names[f], lineno, "bad IPv4 address "
			    "or network \"%.100s\"", line);
			return;
		}
		if (octets == 2) {
			addr_format_net(&net, text, sizeof(text));
			wl_report(wl, wl->names[f], lineno, "\"%s\" is read "
			    "as postgrey reads it, %s, not as a /16: write "
			    "the network in full", line, text);
		}
	} else if (strchr(line, ':') != NULL
	    && strchr(strchr(line, ':') + 1, ':') != NULL) {
		if (wl_ipv6(line, &net) < 0) {
			wl_report(wl, wl->names[f], lineno, "bad IPv6 address "
			    "or network \"%.100s\"", line);
			return;
		}
	} else if (wl_blanks(line, len) != len) {
		wl_report(wl, wl->names[f], lineno, "not a host name, "
		    "address, network or /regex/: \"%.100s\"", line);
		return;
	} else {
		if (line[0] == '.')
			wl_report(wl, wl->names[f], lineno, "\"%.100s\" never "
			    "matches (a name matches its subdomains without "
			    "a leading dot)", line);
		e = wl_add(wl, WHITELIST_CLIENTS, WL_NAME, f, lineno);
		for (i = 0; i < len; i++)
			line[i] = (char)WL_LOWER(line[i]);
		e->a = line;
		e->alen = len;
		return;
	}
	e = wl_add(wl, WHITELIST_CLIENTS, WL_NET, f, lineno);
	e->net = net;
	if (wl->nnets == wl->nets_size) {
		wl->nets_size = wl->nets_size ? 2 * wl->nets_size : 64;
		wl->nets = xreallocarray(wl->nets, wl->nets_size,
		    sizeof(*wl->nets));
	}
	wl->nets[wl->nnets].net = net;
	wl->nets[wl->nnets].v4 = (uint32_t)net.bytes[0] << 24
	    | (uint32_t)net.bytes[1] << 16 | (uint32_t)net.bytes[2] << 8
	    | net.bytes[3];
	wl->nets[wl->nnets].mask4 = net.plen == 0 ? 0
	    : 0xffffffffu << (32 - (net.plen > 32 ? 32 : net.plen));
	wl->nets[wl->nnets++].entry = (uint32_t)(e - wl->e);
}

/* wl_blanks - how many of the len bytes at s come before a blank */

static size_t
wl_blanks(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && !WL_BLANK(s[i]); i++)
		;
	return (i);
}

/*
 * wl_digits - the n digits at s (1 to 3: postgrey's \d{1,3}, so no
 * overflow) as a number up to max; strnum_ll() would cost a copy and
 * strtol() for each of a file's octets
 */

static int
wl_digits(const char *s, size_t n, int max, int *v_r)
{
	int v = 0;
	size_t i;

	if (n < 1 || n > 3)
		return (-1);
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	if (v > max)
		return (-1);
	*v_r = v;
	return (0);
}

/*
 * wl_ipv4 - postgrey's IPv4 forms: d.d.d.d[/m], d.d.d, d.d (1-3 digits
 * each, octets to 255, m to 32); host bits cleared
 */

static int
wl_ipv4(const char *s, struct netaddr *net, int *octets_r)
{
	size_t n;
	int i = 0, plen, v;

	memset(net, 0, sizeof(*net));
	for (;;) {
		n = strspn(s, "0123456789");
		if (i == 4 || wl_digits(s, n, 255, &v) < 0)
			return (-1);
		net->bytes[i++] = (uint8_t)v;
		s += n;
		if (*s != '.')
			break;
		s++;
	}
	if (i < 2)
		return (-1);
	plen = i == 4 ? 32 : 24;
	if (*s == '/') {
		n = strspn(++s, "0123456789");
		if (i != 4 || n > 2 || s[n] != 0 || wl_digits(s, n, 32, &v) < 0)
			return (-1);
		plen = v;
	} else if (*s != 0)
		return (-1);
	net->family = 4;
	addr_mask(net, plen);
	*octets_r = i;
	return (0);
}

/* wl_ipv6 - an IPv6 address or address/len; host bits cleared */

static int
wl_ipv6(const char *s, struct netaddr *net)
{
	char buf[ADDR_TEXT_MAX];
	const char *slash = strrchr(s, '/');
	long long v = -1;
	size_t n;

	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return (-1);
	memcpy(buf, s, n);
	buf[n] = 0;
	if (addr_parse(buf, net) < 0)
		return (-1);
	if (slash != NULL && (slash[1] == 0 || strspn(slash + 1,
	    "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 3
	    || strnum_ll(slash + 1, 0, 128, &v) < 0))
		return (-1);
	if (v < 0)
		v = 128;
	/* ::ffff:a.b.c.d is the IPv4 client a.b.c.d (addr.c). */
	if (net->family == 4) {
		if (v < 96)
			return (-1);
		v -= 96;
	}
	addr_mask(net, (int)v);
	return (0);
}

/* wl_recipient_line - user@domain, user@ or domain */

static void
wl_recipient_line(struct whitelist *wl, int f, int lineno, char *line,
    size_t len)
{
	struct wl_entry *e;
	char *at;

	if (wl_blanks(line, len) != len) {
		wl_report(wl, wl->names[f], lineno, "not an address, domain "
		    "or /regex/: \"%.100s\"", line);
		return;
	}
	if ((at = strchr(line, '@')) == NULL) {
		e = wl_add(wl, WHITELIST_RECIPIENTS, WL_DOMAIN, f, lineno);
		e->a = line;
		e->alen = len;
		return;
	}
	*at = 0;
	if (at[1] == 0) {
		e = wl_add(wl, WHITELIST_RECIPIENTS, WL_USER, f, lineno);
	} else {
		if (at == line)
			wl_report(wl, wl->names[f], lineno, "\"@%.100s\" only "
			    "matches an empty local part (postgrey's rule): "
			    "write the domain alone", at + 1);
		e = wl_add(wl, WHITELIST_RECIPIENTS, WL_USERDOM, f, lineno);
		e->b = at + 1;
		e->blen = strlen(at + 1);
	}
	e->a = line;
	e->alen = (size_t)(at - line);
}

/*
 * wl_suffix - the literal text every match of pattern must end with, in
 * lower case, WL_SFX_ANY for "." (its last WL_SFX_MAX bytes); 0 when
 * not sure. Only the simplest case is taken: the pattern ends with "$"
 * after a run of letters, digits, "-", "_", "." and escaped punctuation,
 * with no alternation outside parentheses and none of the constructs
 * that could change what those mean (\Q, \c, (?flags), (*VERB)).
 */

static size_t
wl_suffix(const char *p, size_t len, char *sfx)
{
	char run[WL_SFX_MAX];
	size_t i = 0, n = 0;
	int depth = 0;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)p[i++];
		if (c == '\\') {
			if (i == len)
				return (0);
			c = (unsigned char)p[i++];
			if (c == 'Q' || c == 'E' || c == 'c')
				return (0);
			if ((wl_class[c] & WL_C_WORD && c != '-' && c != '_')
			    || c >= 0x80) {
				n = 0;		/* \d, \w, \b, \x41 ... */
				continue;
			}
		} else if (c == '[') {
			/* A class: its end, past a leading ] or ^], escapes
			 * and [:name:] */
			if (i < len && p[i] == '^')
				i++;
			if (i < len && p[i] == ']')
				i++;
			while (i < len && p[i] != ']') {
				if (p[i] == '\\')
					i++;
				else if (p[i] == '[' && i + 1 < len
				    && p[i + 1] == ':') {
					const char *q = memmem(p + i + 2,
					    len - i - 2, ":]", 2);

					if (q == NULL)
						return (0);
					i = (size_t)(q - p) + 1;
				}
				i++;
			}
			if (i >= len)
				return (0);
			i++;
			n = 0;
			continue;
		} else if (c == '(') {
			if (i < len && (p[i] == '*' || (p[i] == '?'
			    && (i + 1 == len || p[i + 1] != ':'))))
				return (0);
			depth++;
			n = 0;
			continue;
		} else if (c == ')') {
			if (--depth < 0)
				return (0);
			n = 0;
			continue;
		} else if (c == '|') {
			if (depth == 0)
				return (0);
			n = 0;
			continue;
		} else if (c == '$') {
			if (i == len && depth == 0)
				break;
			n = 0;
			continue;
		} else if (c == '.') {
			c = WL_SFX_ANY;
		} else if (wl_class[c] & WL_C_WORD) {
			c = WL_LOWER(c);
		} else {
			n = 0;		/* a quantifier, an anchor, ... */
			continue;
		}
		if (n == WL_SFX_MAX) {
			memmove(run, run + 1, WL_SFX_MAX - 1);
			n--;
		}
		run[n++] = (char)c;
		if (i == len)
			return (0);	/* no closing "$" */
	}
	if (i != len || p[len - 1] != '$' || depth != 0)
		return (0);
	memcpy(sfx, run, n);
	return (n);
}

/* wl_suffix_ok - can the name end as e's expression must? */

static int
wl_suffix_ok(const struct wl_entry *e, const char *s, size_t len)
{
	unsigned char c;
	size_t i;

	/* "$" also matches before a final newline: no shortcut then. */
	if (e->sfxlen == 0 || (len > 0 && s[len - 1] == '\n'))
		return (1);
	if (len < e->sfxlen)
		return (0);
	s += len - e->sfxlen;
	/* From the end, where names differ most. */
	for (i = e->sfxlen; i-- > 0;) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (e->sfx[i] != WL_SFX_ANY && c != (unsigned char)e->sfx[i])
			return (0);
	}
	return (1);
}

/* wl_compile - e's expression, once; 0 when it can be used */

static int
wl_compile(struct whitelist *wl, struct wl_entry *e)
{
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int err;

	if (e->re_state != 0)
		return (e->re_state > 0 ? 0 : -1);
	e->re = pcre2_compile((PCRE2_SPTR)e->a, e->alen, PCRE2_CASELESS, &err,
	    &off, NULL);
	if (e->re == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		wl_report(wl, wl->names[e->file], e->line, "bad regular "
		    "expression /%.100s/ at offset %zu: %s", e->a, (size_t)off,
		    (const char *)msg);
		e->re_state = -1;
		return (-1);
	}
	if (wl->md == NULL) {
		wl->md = pcre2_match_data_create(1, NULL);
		wl->mc = pcre2_match_context_create(NULL);
		if (wl->md == NULL || wl->mc == NULL)
			fatal("pcre2: out of memory");
		pcre2_set_match_limit(wl->mc, WL_MATCH_LIMIT);
	}
	e->re_state = 1;
	return (0);
}

/* whitelist_compile - every expression now; returns the bad ones */

int
whitelist_compile(struct whitelist *wl)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < wl->n; i++)
		if (wl->e[i].type == WL_REGEX && wl_compile(wl, &wl->e[i]) < 0)
			bad++;
	return (bad);
}

/* wl_regex_match - does e's expression match s? */

static int
wl_regex_match(struct whitelist *wl, struct wl_entry *e, const char *s,
    size_t len)
{
	PCRE2_UCHAR msg[120];
	int rc;

	if (!wl_suffix_ok(e, s, len) || wl_compile(wl, e) < 0)
		return (0);
	rc = pcre2_match(e->re, (PCRE2_SPTR)s, len, 0, 0, wl->md, wl->mc);
	if (rc >= 0)		/* 0: a match, the ovector too small */
		return (1);
	if (rc != PCRE2_ERROR_NOMATCH) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		wl_report(wl, wl->names[e->file], e->line, "regular "
		    "expression not matched: %s", (const char *)msg);
	}
	return (0);
}

/* wl_in_net - is a in net? (addr_in_net() without the copy) */

static int
wl_in_net(const struct netaddr *a, const struct netaddr *net)
{
	size_t full = net->plen / 8;
	unsigned bits = net->plen % 8;

	if (a->family != net->family || memcmp(a->bytes, net->bytes, full))
		return (0);
	return (bits == 0 || ((a->bytes[full] ^ net->bytes[full])
	    & (0xff00u >> bits) & 0xff) == 0);
}

/* wl_bucket - the last byte of e's suffix; WL_BUCKETS - 1: none */

static unsigned
wl_bucket(const struct wl_entry *e)
{
	if (e->sfxlen == 0 || e->sfx[e->sfxlen - 1] == WL_SFX_ANY)
		return (WL_BUCKETS - 1);
	return ((unsigned char)e->sfx[e->sfxlen - 1]);
}

/* wl_hash - FNV-1a of len bytes */

static uint32_t
wl_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return (h);
}

/*
 * wl_names_index - the names (lower case since parsing) in an open
 * hash table, and the expressions by the last byte of their suffix,
 * built at the first named lookup: an unnamed client never pays for
 * them. The first line of a name listed twice is kept.
 */

static void
wl_names_index(struct whitelist *wl)
{
	uint32_t at[WL_BUCKETS];
	size_t i, slot, mask;
	unsigned b;

	/* The expressions, by bucket (a counting sort, stable). */
	memset(wl->rx_start, 0, sizeof(wl->rx_start));
	for (i = 0; i < wl->nres; i++)
		wl->rx_start[wl_bucket(&wl->e[wl->res[i]]) + 1]++;
	for (b = 0; b < WL_BUCKETS; b++)
		wl->rx_start[b + 1] += wl->rx_start[b];
	memcpy(at, wl->rx_start, sizeof(at));
	wl->rx_order = xreallocarray(NULL, wl->nres ? wl->nres : 1,
	    sizeof(*wl->rx_order));
	for (i = 0; i < wl->nres; i++)
		wl->rx_order[at[wl_bucket(&wl->e[wl->res[i]])]++] = wl->res[i];

	wl->names_size = 16;
	while (wl->names_size < 2 * wl->count[WHITELIST_CLIENTS])
		wl->names_size *= 2;
	wl->names_ix = xcalloc(wl->names_size, sizeof(*wl->names_ix));
	mask = wl->names_size - 1;
	for (i = 0; i < wl->n; i++) {
		if (wl->e[i].type != WL_NAME)
			continue;
		for (slot = wl_hash(wl->e[i].a, wl->e[i].alen) & mask;
		    wl->names_ix[slot]; slot = (slot + 1) & mask) {
			const struct wl_entry *o = &wl->e[wl->names_ix[slot]
			    - 1];

			if (o->alen == wl->e[i].alen
			    && memcmp(o->a, wl->e[i].a, o->alen) == 0)
				break;
		}
		if (wl->names_ix[slot] == 0)
			wl->names_ix[slot] = (uint32_t)i + 1;
	}
}

/*
 * wl_name_find - postgrey's (?:^|\.)NAME$, caseless: the entry for the
 * name itself or the longest domain above it, by one hash lookup for
 * each of its suffixes after a "."
 */

static const struct wl_entry *
wl_name_find(struct whitelist *wl, const char *name, size_t len)
{
	char low[WHITELIST_LINE_MAX];
	const struct wl_entry *e;
	size_t i, start, slot, mask;

	if (wl->names_size == 0)
		wl_names_index(wl);
	mask = wl->names_size - 1;
	/* No entry is as long as a line: only the tail can match. */
	start = len >= sizeof(low) ? len - (sizeof(low) - 1) : 0;
	for (i = start; i < len; i++)
		low[i - start] = (char)WL_LOWER(name[i]);
	for (i = start; i < len; i++) {
		if (i > 0 && name[i - 1] != '.')
			continue;
		for (slot = wl_hash(low + i - start, len - i) & mask;
		    wl->names_ix[slot]; slot = (slot + 1) & mask) {
			e = &wl->e[wl->names_ix[slot] - 1];
			if (e->alen == len - i
			    && memcmp(e->a, low + i - start, e->alen) == 0)
				return (e);
		}
	}
	return (NULL);
}

/* wl_hit - where e is */

static void
wl_hit(const struct whitelist *wl, const struct wl_entry *e,
    struct whitelist_match *m)
{
	m->file = wl->names[e->file];
	m->line = e->line;
	m->kind = (enum whitelist_kind)e->kind;
}

/*
 * whitelist_client - 1 when the client (its address, or its verified
 * name) is listed; where in *m
 */

int
whitelist_client(struct whitelist *wl, const char *address,
    const char *name, struct whitelist_match *m)
{
	const struct wl_entry *hit;
	const struct wl_net *n;
	struct netaddr a;
	struct wl_entry *e;
	size_t i, len;
	uint32_t v4, b, k, lo, hi;

	if (wl->count[WHITELIST_CLIENTS] == 0)
		return (0);
	if (wl->nnets > 0 && address != NULL && addr_parse(address, &a) == 0) {
		v4 = (uint32_t)a.bytes[0] << 24 | (uint32_t)a.bytes[1] << 16
		    | (uint32_t)a.bytes[2] << 8 | a.bytes[3];
		for (i = 0; i < wl->nnets; i++) {
			n = &wl->nets[i];
			if (a.family == 4 ? n->net.family == 4
			    && ((v4 ^ n->v4) & n->mask4) == 0
			    : wl_in_net(&a, &n->net))
				return (wl_hit(wl, &wl->e[n->entry], m), 1);
		}
	}
	/* Postfix's "unknown": no name it could verify. */
	if (name == NULL || *name == 0 || strcmp(name, "unknown") == 0)
		return (0);
	len = strlen(name);
	if ((hit = wl_name_find(wl, name, len)) != NULL)
		return (wl_hit(wl, hit, m), 1);
	/* The expressions that can end as the name does, then those
	 * without a suffix; all of them for a name ending in a newline. */
	b = (unsigned char)name[len - 1];
	if (b >= 'A' && b <= 'Z')
		b += 'a' - 'A';
	for (k = 0; k < 2; k++) {
		if (b == '\n')
			lo = 0, hi = wl->rx_start[WL_BUCKETS], k = 1;
		else if (k == 0)
			lo = wl->rx_start[b], hi = wl->rx_start[b + 1];
		else
			lo = wl->rx_start[WL_BUCKETS - 1],
			    hi = wl->rx_start[WL_BUCKETS];
		for (i = lo; i < hi; i++) {
			e = &wl->e[wl->rx_order[i]];
			if (wl_regex_match(wl, e, name, len))
				return (wl_hit(wl, e, m), 1);
		}
	}
	return (0);
}

/*
 * wl_user_prefix - s starts with user, then "+ext" (at least one byte,
 * no "@") or nothing, then "@": *rest_r after that "@"
 */

static int
wl_user_prefix(const char *s, const char *user, size_t ulen,
    const char **rest_r)
{
	if (strncasecmp(s, user, ulen) != 0)
		return (0);
	s += ulen;
	if (*s == '+') {
		if (s[1] == '@' || s[1] == 0)
			return (0);
		s = strchrnul(s + 1, '@');
	}
	if (*s != '@')
		return (0);
	*rest_r = s + 1;
	return (1);
}

/* wl_recipient_match - one recipient entry but a regex */

static int
wl_recipient_match(const struct wl_entry *e, const char *s, size_t len)
{
	const char *rest;

	switch (e->type) {
	case WL_USERDOM:
		return (wl_user_prefix(s, e->a, e->alen, &rest)
		    && strcasecmp(rest, e->b) == 0);
	case WL_USER:
		return (wl_user_prefix(s, e->a, e->alen, &rest));
	case WL_DOMAIN:
		return (len > e->alen && strcasecmp(s + len - e->alen, e->a)
		    == 0 && (s[len - e->alen - 1] == '@'
		    || s[len - e->alen - 1] == '.'));
	}
	return (0);
}

/* whitelist_recipient - 1 when the recipient is listed; where in *m */

int
whitelist_recipient(struct whitelist *wl, const char *rcpt,
    struct whitelist_match *m)
{
	struct wl_entry *e;
	size_t i, len;

	if (wl->count[WHITELIST_RECIPIENTS] == 0 || rcpt == NULL
	    || *rcpt == 0)
		return (0);
	len = strlen(rcpt);
	for (i = 0; i < wl->n; i++) {
		e = &wl->e[i];
		if (e->kind != WHITELIST_RECIPIENTS)
			continue;
		if (e->type == WL_REGEX ? wl_regex_match(wl, e, rcpt, len)
		    : wl_recipient_match(e, rcpt, len))
			return (wl_hit(wl, e, m), 1);
	}
	return (0);
}
