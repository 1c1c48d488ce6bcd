/*
 * NAME
 *	spfsuite 1
 * SUMMARY
 *	run an openspf-format SPF test suite through greyspf's SPF module
 *	against a DNS server of its own
 * SYNOPSIS
 *	spfsuite [-v] [-e exp_floor] [-f floor] suite.yml
 *	spfsuite -s zone.yml
 * DESCRIPTION
 *	For each scenario of the YAML suite, spfsuite forks an
 *	authoritative DNS server on 127.0.0.1 port 53 (UDP and TCP) that
 *	serves the scenario's zonedata, then runs every test through
 *	greyspf's SPF worker (spf_worker.c: libspf2's real resolver path,
 *	glibc, /etc/resolv.conf), and compares the result with the
 *	accepted ones and the explanation with the expected text. It is
 *	what turns explanations on (spf_worker_explain(), with "DEFAULT"
 *	as the default explanation); greyspf itself never does.
 *
 *	It must run where 127.0.0.1:53 is its own: tests/spf/run.sh starts
 *	it in a new network and mount namespace, with a resolv.conf naming
 *	127.0.0.1 bind-mounted over /etc/resolv.conf.
 *
 *	The zone follows the suites' README: SPF records are served as TXT
 *	too unless the name has TXT entries or "TXT: NONE"; TIMEOUT makes
 *	the name's lookups (of types not listed before it) fail, with
 *	SERVFAIL, or with no answer at all when the scenario says
 *	"timeout-mode: drop"; DROP (greyspf's own) never answers the
 *	name's lookups, whatever the mode; a CNAME is followed; UDP
 *	answers over 512 bytes are truncated, so the resolver retries
 *	over TCP.
 *
 *	A test may also give "queries: N" (greyspf's own key): the check
 *	must make exactly N DNS queries (the outcome's count).
 *
 *	With -s it only serves the first scenario's zone, until killed
 *	(for tests that drive greyspf itself).
 *
 *	Output: one line per failing test, then "<file>: N passed, M failed"
 *	and "<file> explanations: N passed, M failed". Exit 1 if the passes
 *	fall below the floors.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "addr.h"
#include "log.h"
#include "spf.h"

#define MAXREC	256

struct rec {
	char	name[300];
	int	type;		/* ns type, -1 TIMEOUT, -2 TXT NONE, -3 DROP */
	size_t	len;		/* TXT: already length-prefixed strings */
	int	pref;
	unsigned char data[65000];	/* last: not cleared */
};

static struct rec zone[MAXREC];
static int nzone, drop_timeouts, verbose;

static yaml_node_t *
map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *p;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return (NULL);
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k->type == YAML_SCALAR_NODE
		    && strcmp((char *)k->data.scalar.value, key) == 0)
			return (yaml_document_get_node(d, p->value));
	}
	return (NULL);
}

static const char *
scalar(yaml_node_t *n)
{
	return (n && n->type == YAML_SCALAR_NODE ? (char *)n->data.scalar.value
	    : "");
}

static void
lower_name(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
	if (i > 0 && dst[i - 1] == '.')
		dst[i - 1] = 0;
}

static void
txt_add(struct rec *r, const unsigned char *s, size_t len)
{
	size_t n;

	do {
		n = len > 255 ? 255 : len;
		if (r->len + n + 1 > sizeof(r->data))
			return;
		r->data[r->len++] = (unsigned char)n;
		memcpy(r->data + r->len, s, n);
		r->len += n;
		s += n;
		len -= n;
	} while (len > 0);
}

static int
type_of(const char *t)
{
	static const struct { const char *n; int t; } types[] = {
		{"A", 1}, {"AAAA", 28}, {"MX", 15}, {"PTR", 12},
		{"CNAME", 5}, {"TXT", 16}, {"SPF", 99}
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i].n) == 0)
			return (types[i].t);
	return (0);
}

static void
load_zone(yaml_document_t *d, yaml_node_t *zd)
{
	yaml_node_pair_t *p;
	yaml_node_item_t *it, *s;

	nzone = 0;
	if (zd == NULL || zd->type != YAML_MAPPING_NODE)
		return;
	for (p = zd->data.mapping.pairs.start; p < zd->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *name = yaml_document_get_node(d, p->key);
		yaml_node_t *list = yaml_document_get_node(d, p->value);

		if (list->type != YAML_SEQUENCE_NODE)
			continue;
		for (it = list->data.sequence.items.start;
		    it < list->data.sequence.items.top && nzone < MAXREC;
		    it++) {
			yaml_node_t *e = yaml_document_get_node(d, *it), *v;
			yaml_node_pair_t *ep;
			struct rec *r = &zone[nzone];

			memset(r, 0, offsetof(struct rec, data));
			r->data[0] = 0;
			lower_name(r->name, sizeof(r->name), scalar(name));
			if (e->type == YAML_SCALAR_NODE) {
				if (strcmp(scalar(e), "TIMEOUT") == 0
				    || strcmp(scalar(e), "DROP") == 0) {
					r->type = strcmp(scalar(e), "DROP")
					    == 0 ? -3 : -1;
					nzone++;
				}
				continue;
			}
			if (e->type != YAML_MAPPING_NODE)
				continue;
			ep = e->data.mapping.pairs.start;
			r->type = type_of(scalar(yaml_document_get_node(d,
			    ep->key)));
			v = yaml_document_get_node(d, ep->value);
			switch (r->type) {
			case 1:
				inet_pton(AF_INET, scalar(v), r->data);
				r->len = 4;
				break;
			case 28:
				inet_pton(AF_INET6, scalar(v), r->data);
				r->len = 16;
				break;
			case 15:
				if (v->type != YAML_SEQUENCE_NODE)
					continue;
				s = v->data.sequence.items.start;
				r->pref = atoi(scalar(yaml_document_get_node(d,
				    s[0])));
				lower_name((char *)r->data, sizeof(r->data),
				    scalar(yaml_document_get_node(d, s[1])));
				break;
			case 12:
			case 5:
				lower_name((char *)r->data, sizeof(r->data),
				    scalar(v));
				break;
			case 16:
			case 99:
				if (v->type == YAML_SCALAR_NODE
				    && r->type == 16
				    && strcmp(scalar(v), "NONE") == 0) {
					r->type = -2;
					break;
				}
				if (v->type == YAML_SCALAR_NODE) {
					txt_add(r, v->data.scalar.value,
					    v->data.scalar.length);
					break;
				}
				for (s = v->data.sequence.items.start;
				    s < v->data.sequence.items.top; s++) {
					yaml_node_t *x =
					    yaml_document_get_node(d, *s);

					txt_add(r, x->data.scalar.value,
					    x->data.scalar.length);
				}
				break;
			default:
				continue;
			}
			nzone++;
		}
	}
}

/* DNS server */

static size_t
put_name(unsigned char *b, size_t o, size_t size, const char *name)
{
	const char *p = name, *dot;
	size_t n;

	while (*p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n > 63)
			n = 63;
		if (o + n + 2 > size)
			return (size);
		b[o++] = (unsigned char)n;
		memcpy(b + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
		else if (dot == NULL)
			break;
	}
	b[o++] = 0;
	return (o);
}

static int
name_exists(const char *name)
{
	size_t n = strlen(name), l;
	int i;

	for (i = 0; i < nzone; i++) {
		l = strlen(zone[i].name);
		if (strcmp(zone[i].name, name) == 0 || (l > n
		    && zone[i].name[l - n - 1] == '.'
		    && strcmp(zone[i].name + l - n, name) == 0))
			return (1);
	}
	return (0);
}

static int
has_type(const char *name, int type)
{
	int i;

	for (i = 0; i < nzone; i++)
		if (strcmp(zone[i].name, name) == 0 && zone[i].type == type)
			return (1);
	return (0);
}

/* add_rrs - the RRs of name and type; -1: time out, -2: no answer */

static int
add_rrs(unsigned char *b, size_t *o, size_t size, const char *name,
    int type, int *count)
{
	int i, served_type, spf_as_txt;
	size_t rdl;

	spf_as_txt = type == 16 && !has_type(name, 16) && !has_type(name, -2);
	for (i = 0; i < nzone; i++) {
		struct rec *r = &zone[i];

		if (strcmp(r->name, name) != 0)
			continue;
		if (r->type == -3)
			return (-2);
		if (r->type == -1)	/* unless records came before it */
			return (*count > 0 ? 0 : -1);
		served_type = r->type == 99 && spf_as_txt ? 16 : r->type;
		if (served_type != type)
			continue;
		*o = put_name(b, *o, size, name);
		if (*o + 10 + r->len + 300 > size)
			return (0);
		b[(*o)++] = (unsigned char)(type >> 8);
		b[(*o)++] = (unsigned char)type;
		b[(*o)++] = 0;
		b[(*o)++] = 1;
		memset(b + *o, 0, 4);
		*o += 4;
		if (type == 15) {
			size_t at = *o;

			*o += 2;
			b[(*o)++] = (unsigned char)(r->pref >> 8);
			b[(*o)++] = (unsigned char)r->pref;
			*o = put_name(b, *o, size, (char *)r->data);
			rdl = *o - at - 2;
			b[at] = (unsigned char)(rdl >> 8);
			b[at + 1] = (unsigned char)rdl;
		} else if (type == 12 || type == 5) {
			size_t at = *o;

			*o += 2;
			*o = put_name(b, *o, size, (char *)r->data);
			rdl = *o - at - 2;
			b[at] = (unsigned char)(rdl >> 8);
			b[at + 1] = (unsigned char)rdl;
		} else {
			b[(*o)++] = (unsigned char)(r->len >> 8);
			b[(*o)++] = (unsigned char)r->len;
			memcpy(b + *o, r->data, r->len);
			*o += r->len;
		}
		(*count)++;
	}
	return (0);
}

/* answer - the reply to query q; 0: no reply at all */

static size_t
answer(const unsigned char *q, size_t qlen, unsigned char *b, size_t size,
    int udp)
{
	char name[1024], cname[1024];
	size_t o = 12, qe;
	int type, count = 0, rcode = 0, hops, i, cn, rc = 0;

	if (qlen < 17)
		return (0);
	name[0] = 0;
	for (qe = 12; qe < qlen && q[qe] != 0; qe += q[qe] + 1) {
		size_t n = strlen(name);

		if (qe + 1 + q[qe] > qlen || n + q[qe] + 2 > sizeof(name))
			return (0);
		if (n)
			name[n++] = '.';
		memcpy(name + n, q + qe + 1, q[qe]);
		name[n + q[qe]] = 0;
	}
	if (qe + 5 > qlen)
		return (0);
	lower_name(name, sizeof(name), name);
	type = q[qe + 1] << 8 | q[qe + 2];
	qe += 5;
	memcpy(b, q, qe);
	b[2] = 0x84 | (q[2] & 1);	/* QR, AA, RD */
	b[3] = 0;
	memset(b + 6, 0, 6);
	o = qe;
	for (hops = 0; hops < 8; hops++) {
		cn = -1;
		if (type != 5)
			for (i = 0; i < nzone; i++)
				if (strcmp(zone[i].name, name) == 0
				    && zone[i].type == 5)
					cn = i;
		if (cn >= 0) {
			if ((rc = add_rrs(b, &o, size, name, 5, &count)) < 0)
				goto timeout;
			snprintf(cname, sizeof(cname), "%s",
			    (char *)zone[cn].data);
			snprintf(name, sizeof(name), "%s", cname);
			continue;
		}
		if ((rc = add_rrs(b, &o, size, name, type, &count)) < 0)
			goto timeout;
		if (count == 0 && !name_exists(name))
			rcode = 3;
		break;
	}
	b[3] = (unsigned char)rcode;
	b[6] = (unsigned char)(count >> 8);
	b[7] = (unsigned char)count;
	if (udp && o > 512) {
		b[2] |= 0x02;	/* TC */
		memset(b + 6, 0, 2);
		return (qe);
	}
	return (o);
timeout:
	if (drop_timeouts || rc == -2)
		return (0);
	b[3] = 2;	/* SERVFAIL */
	memset(b + 6, 0, 6);
	return (qe);
}

static void serve(int, int) __attribute__((noreturn));

static void
serve(int u, int t)
{
	static unsigned char q[65536], r[65536];
	struct sockaddr_storage from;
	struct pollfd p[2] = {{u, POLLIN, 0}, {t, POLLIN, 0}};
	socklen_t fl;
	ssize_t n;
	size_t len;
	int c;

	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			fl = sizeof(from);
			n = recvfrom(u, q, sizeof(q), 0,
			    (struct sockaddr *)&from, &fl);
			if (n > 0 && (len = answer(q, (size_t)n, r, sizeof(r),
			    1)) > 0)
				sendto(u, r, len, 0, (struct sockaddr *)&from,
				    fl);
		}
		if (p[1].revents & POLLIN) {
			unsigned char hdr[2];

			if ((c = accept(t, NULL, NULL)) < 0)
				continue;
			while (recv(c, hdr, 2, MSG_WAITALL) == 2) {
				size_t ql = (size_t)(hdr[0] << 8 | hdr[1]);

				if (recv(c, q, ql, MSG_WAITALL) != (ssize_t)ql)
					break;
				len = answer(q, ql, r + 2, sizeof(r) - 2, 0);
				if (len == 0)
					break;
				r[0] = (unsigned char)(len >> 8);
				r[1] = (unsigned char)len;
				if (send(c, r, len + 2, 0) < 0)
					break;
			}
			close(c);
		}
	}
}

static pid_t
start_server(int in_process)
{
	struct sockaddr_in sa;
	int u, t, one = 1;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(53);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(u, (struct sockaddr *)&sa, sizeof(sa)) < 0
	    || bind(t, (struct sockaddr *)&sa, sizeof(sa)) < 0
	    || listen(t, 16) < 0)
		fatal("bind 127.0.0.1:53 (run me in a network namespace)");
	if (in_process || (pid = fork()) == 0)
		serve(u, t);
	close(u);
	close(t);
	return (pid);
}

/* accepted - is got one of the test's results (a scalar or a list)? */

static int
accepted(yaml_document_t *d, yaml_node_t *res, const char *got)
{
	yaml_node_item_t *it;

	if (res != NULL && res->type == YAML_SCALAR_NODE)
		return (strcasecmp(scalar(res), got) == 0);
	if (res == NULL || res->type != YAML_SEQUENCE_NODE)
		return (0);
	for (it = res->data.sequence.items.start;
	    it < res->data.sequence.items.top; it++)
		if (strcasecmp(scalar(yaml_document_get_node(d, *it)), got)
		    == 0)
			return (1);
	return (0);
}

int
main(int argc, char **argv)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	/* Two tries per query: a late answer from the zone server (ASan,
	 * a loaded machine) is not taken for a timeout. */
	struct spf_limits lim = {8000, 60, 1, 2};
	struct spf_worker w;
	int c, pass = 0, fail = 0, epass = 0, efail = 0, floor = 0;
	int efloor = 0, ok, eok, serve_only = 0;
	FILE *fp;

	log_init("spfsuite", LOG_SINK_STDERR);
	while ((c = getopt(argc, argv, "e:f:sv")) != -1)
		switch (c) {
		case 's':
			serve_only = 1;
			break;
		case 'e':
			efloor = atoi(optarg);
			break;
		case 'f':
			floor = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return (2);
		}
	if (optind != argc - 1 || (fp = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "usage: spfsuite [-v] [-e exp_floor] "
		    "[-f floor] suite.yml\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	spf_worker_init(&w, "receiver.example.net", &lim, 1);
	spf_worker_explain(&w, "DEFAULT");
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	for (;;) {
		yaml_node_t *root, *tests;
		yaml_node_pair_t *p;
		pid_t server;

		if (!yaml_parser_load(&parser, &doc))
			fatalx("%s: YAML error at line %lu: %s", argv[optind],
			    (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "?");
		if ((root = yaml_document_get_root_node(&doc)) == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		load_zone(&doc, map_get(&doc, root, "zonedata"));
		drop_timeouts = strcmp(scalar(map_get(&doc, root,
		    "timeout-mode")), "drop") == 0;
		server = start_server(serve_only);
		tests = map_get(&doc, root, "tests");
		for (p = tests ? tests->data.mapping.pairs.start : NULL;
		    p && p < tests->data.mapping.pairs.top; p++) {
			yaml_node_t *t = yaml_document_get_node(&doc,
			    p->value), *res, *exp, *nq;
			struct spf_query q;
			struct spf_outcome out;
			char nqueries[16];
			const char *name = scalar(yaml_document_get_node(&doc,
			    p->key)), *mf;

			memset(&q, 0, sizeof(q));
			if (addr_parse(scalar(map_get(&doc, t, "host")),
			    &q.client) < 0)
				fatalx("%s: bad host", name);
			snprintf(q.helo, sizeof(q.helo), "%s",
			    scalar(map_get(&doc, t, "helo")));
			mf = scalar(map_get(&doc, t, "mailfrom"));
			if (*mf == 0) {
				q.identity = SPF_ID_HELO;
				snprintf(q.sender, sizeof(q.sender),
				    "postmaster@%s", q.helo);
			} else
				snprintf(q.sender, sizeof(q.sender), "%s", mf);
			q.now = (long long)time(NULL);
			spf_worker_check(&w, &q, &out);
			res = map_get(&doc, t, "result");
			ok = accepted(&doc, res, spf_result_name(out.result));
			snprintf(nqueries, sizeof(nqueries), "%d",
			    out.queries);
			nq = map_get(&doc, t, "queries");
			if (nq != NULL && strcmp(scalar(nq), nqueries) != 0)
				ok = 0;
			ok ? pass++ : fail++;
			eok = 1;
			if ((exp = map_get(&doc, t, "explanation")) != NULL) {
				eok = strcmp(scalar(exp), out.explanation)
				    == 0;
				eok ? epass++ : efail++;
			}
			if (!ok || !eok || verbose)
				printf("%s %s: got %s%s%s%s, %s queries [%s]\n",
				    ok && eok ? "ok" : "FAIL", name,
				    spf_result_name(out.result),
				    exp ? " exp \"" : "", exp ?
				    out.explanation : "", exp ? "\"" : "",
				    nqueries, out.problem);
		}
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	spf_worker_close(&w);
	printf("%s: %d passed, %d failed\n", argv[optind], pass, fail);
	printf("%s explanations: %d passed, %d failed\n", argv[optind], epass,
	    efail);
	if (pass < floor || epass < efloor) {
		printf("%s: below the floor (%d results, %d explanations)\n",
		    argv[optind], floor, efloor);
		return (1);
	}
	return (0);
}
