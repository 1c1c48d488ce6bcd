/*
 * NAME
 *	listen_parse 3
 * SUMMARY
 *	the daemon's listen specs, parsed
 * SYNOPSIS
 *	#include "listen_parse.h"
 *
 *	int	listen_parse(text, spec_r, why_r)
 *	int	listen_parse_list(text, specs, max, n_r, why_r)
 * DESCRIPTION
 *	A listen spec is Postfix's own form: "unix:/absolute/path",
 *	"inet:ADDRESS:PORT" with a numeric IPv4 address, or
 *	"inet:[ADDRESS]:PORT" with a numeric IPv6 one; the port is 1 to
 *	65535. Names are not resolved: what is bound never depends on DNS
 *	at start-up. listen_parse() reads one spec, listen_parse_list()
 *	the comma-separated list of the listen key or repeated -l options
 *	(blanks around commas ignored; at most max, no empty entry). Both
 *	are pure and return 0, or -1 with *why_r set, leaving the output
 *	alone.
 *
 *	They live in lib/ so that the configuration reader (config.c)
 *	checks the listen key as it checks every other, reported as
 *	file:line by greyspf and greyspf-configtest alike; the daemon's
 *	listen.c binds what they parse.
 * DIAGNOSTICS
 *	A bad spec: why_r names the problem; the caller prints it with the
 *	spec and where it came from.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "listen_parse.h"
#include "util.h"

static int listen_parse_inet(const char *, struct listen_spec *,
	    const char **);

/* listen_parse_inet - "ADDRESS:PORT" or "[ADDRESS]:PORT" */

static int
listen_parse_inet(const char *hp, struct listen_spec *s, const char **why_r)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port;
	long long n;
	size_t hlen;
	int bracket = hp[0] == '[';
	struct sockaddr_in *sin = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s->addr;

	if (bracket) {
		if ((colon = strchr(hp, ']')) == NULL || colon[1] != ':') {
			*why_r = "an IPv6 address needs [ADDRESS]:PORT";
			return (-1);
		}
		hlen = (size_t)(colon - hp - 1);
		hp++;
		port = colon + 2;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL) {
			*why_r = "no port: inet:ADDRESS:PORT";
			return (-1);
		}
		hlen = (size_t)(colon - hp);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		*why_r = "no address, or one too long";
		return (-1);
	}
	memcpy(host, hp, hlen);
	host[hlen] = 0;
	if (strnum_ll(port, 1, 65535, &n) < 0) {
		*why_r = "the port must be a number from 1 to 65535";
		return (-1);
	}
	if (!bracket && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)n);
		s->family = AF_INET;
		s->addrlen = sizeof(*sin);
		return (0);
	}
	memset(&s->addr, 0, sizeof(s->addr));
	if (bracket && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)n);
		s->family = AF_INET6;
		s->addrlen = sizeof(*sin6);
		return (0);
	}
	*why_r = "not a numeric IPv4 address, or an IPv6 one in brackets";
	return (-1);
}

/* listen_parse - one spec */

int
listen_parse(const char *text, struct listen_spec *spec_r,
    const char **why_r)
{
	struct listen_spec s;
	struct sockaddr_un *sun = (struct sockaddr_un *)&s.addr;
	size_t len;

	memset(&s, 0, sizeof(s));
	if (strlen(text) >= sizeof(s.text)) {
		*why_r = "too long";
		return (-1);
	}
	snprintf(s.text, sizeof(s.text), "%s", text);
	if (strncmp(text, "unix:", 5) == 0) {
		text += 5;
		len = strlen(text);
		if (text[0] != '/') {
			*why_r = "a unix socket needs an absolute path";
			return (-1);
		}
		if (len >= sizeof(sun->sun_path)) {
			*why_r = "the socket path is too long";
			return (-1);
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, text, len + 1);
		s.family = AF_UNIX;
		s.addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path)
		    + len + 1);
	} else if (strncmp(text, "inet:", 5) == 0) {
		if (listen_parse_inet(text + 5, &s, why_r) < 0)
			return (-1);
	} else {
		*why_r = "neither unix:PATH nor inet:ADDRESS:PORT";
		return (-1);
	}
	*spec_r = s;
	return (0);
}

/* listen_parse_list - comma-separated specs */

int
listen_parse_list(const char *text, struct listen_spec *specs, int max,
    int *n_r, const char **why_r)
{
	char one[sizeof(specs->text) + 1];
	const char *p = text, *end;
	size_t len;
	int n = *n_r;

	for (;;) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			*why_r = "an empty entry";
			return (-1);
		}
		if (len >= sizeof(one)) {
			*why_r = "an entry too long";
			return (-1);
		}
		if (n == max) {
			*why_r = "too many listening sockets";
			return (-1);
		}
		memcpy(one, p, len);
		one[len] = 0;
		if (listen_parse(one, &specs[n], why_r) < 0)
			return (-1);
		n++;
		if (*end == 0)
			break;
		p = end + 1;
	}
	*n_r = n;
	return (0);
}
