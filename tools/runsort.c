/*
 * NAME
 *	runsort 3
 * SUMMARY
 *	sort records in bounded memory, for the bulk tools
 * SYNOPSIS
 *	#include "runsort.h"
 *
 *	size_t	runsort_env_memory(void)
 *	struct runsort *runsort_new(memory)
 *	int	runsort_add(rs, key, klen, val, vlen, tag, tlen)
 *	int	runsort_rewind(rs)
 *	int	runsort_next(rs, rec_r)
 *	const char *runsort_dir(rs)
 *	void	runsort_free(rs)
 * DESCRIPTION
 *	greyspf-load and greyspf-import take entries in any order and must
 *	check all of them (duplicates among them) before they write any;
 *	the store appends fastest in key order. Holding every entry in
 *	memory made their size grow with the input, so they hand their
 *	entries to a runsort instead: records of a key, a value and a tag
 *	(what names the entry's origin in messages: a line number, a path),
 *	sorted by key (key_compare(), the store's order), then by tag
 *	(bytes, then length), so that the records of one key come together,
 *	in the order of their tags.
 *
 *	runsort_add() copies a record into a buffer of at most memory bytes
 *	(the records and an 8-byte index entry for each). When the next
 *	one does not fit, the buffer is sorted and written, as one run, to
 *	a temporary file, and filled again. runsort_rewind() ends the
 *	adding and starts the sorted stream, which runsort_next() gives
 *	record by record, saying whether each has the same key as the one
 *	before (a duplicate, files to unite); a later runsort_rewind()
 *	starts it again from the first record (a load done again after
 *	the map grew). When
 *	every record fitted in the buffer, no file is made: the stream is
 *	the sorted buffer. Otherwise the last run is written too, the
 *	buffer freed, and the runs merged: a heap over one input per run,
 *	each with its own read buffer. The read buffers together take at
 *	most memory bytes too, RUNSORT_READ_MIN at least each, so at most
 *	memory / RUNSORT_READ_MIN runs are merged at once; when there are
 *	more, they are first merged in groups into a second file (the first
 *	is then closed), until few enough are left.
 *
 *	runsort_env_memory() is the bound: RUNSORT_MEMORY bytes, or the
 *	environment's GREYSPF_SORT_MEMORY (bytes, from RUNSORT_MEMORY_MIN;
 *	for tests, which force many runs with little input).
 *
 *	The temporary file is made in $TMPDIR (/tmp when unset or empty),
 *	unlinked from the start (O_TMPFILE, or mkostemp() and unlink() where
 *	the file system lacks it), mode 0600, and goes with the process. It
 *	takes about as many bytes as the records, twice that during a merge
 *	in groups.
 * SECURITY
 *	The file holds greylist data (correspondents), so it is private to
 *	the user and never has a name for long. What is read back is
 *	checked against the bounds it was written with.
 * DIAGNOSTICS
 *	runsort_add() and runsort_rewind() return 0, runsort_next() 1 for a
 *	record and 0 at the end; each returns -1 with errno set when the
 *	temporary file cannot be made, written or read (runsort_dir() names
 *	its directory for the message). After a failure every call fails
 *	with the same errno. A record over the RUNSORT_*_MAX bounds, or an
 *	add after the first rewind, is a bug (panic).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "log.h"
#include "runsort.h"
#include "util.h"

#define RUNSORT_HDR		6	/* bytes: three 16-bit lengths */
#define RUNSORT_REC_MAX		(RUNSORT_HDR + RUNSORT_KEY_MAX \
	+ RUNSORT_VALUE_MAX + RUNSORT_TAG_MAX)
#define RUNSORT_READ_MIN	(16 * 1024)	/* bytes: a record fits */
#define RUNSORT_READ_MAX	(1024 * 1024)	/* bytes, one run's buffer */
#define RUNSORT_WRITE		(64 * 1024)	/* bytes, the write buffer */

_Static_assert(RUNSORT_REC_MAX <= RUNSORT_READ_MIN, "a record fits");
_Static_assert(RUNSORT_MEMORY_MIN >= 2 * RUNSORT_READ_MIN, "two runs merge");
_Static_assert(RUNSORT_MEMORY_MIN >= RUNSORT_REC_MAX + 8, "a record fits");
_Static_assert(RUNSORT_VALUE_MAX <= 0xffff && RUNSORT_TAG_MAX <= 0xffff,
    "lengths fit their 16 bits");

struct runsort_run {
	off_t	off;		/* where it begins in the file */
	off_t	len;		/* bytes */
};

/* One run being merged: a window on it, and its current record. */
struct runsort_input {
	off_t	pos;		/* the next byte to read into buf */
	off_t	end;		/* the run's end */
	unsigned char *buf;	/* readsize bytes */
	size_t	start, fill;	/* the bytes not yet taken: [start, fill) */
	struct runsort_rec rec;
};

enum runsort_state {
	RUNSORT_ADDING,
	RUNSORT_MEMORY_STREAM,	/* everything fitted: no file */
	RUNSORT_MERGING,
	RUNSORT_FAILED
};

struct runsort {
	size_t	memory;		/* the bound, bytes, a multiple of 8 */
	const char *dir;	/* of the temporary files */
	enum runsort_state state;
	int	err;		/* RUNSORT_FAILED: the errno */
	/* The buffer: records from the front, their offsets (an index,
	 * growing down) from the back. */
	unsigned char *block;
	size_t	used, n;
	/* The runs written, in one file. */
	int	fd;
	struct runsort_run *runs;
	size_t	nruns, runcap;
	/* The file being written (the runs', or a merge's output). */
	int	wfd;
	off_t	woff;
	unsigned char *wbuf;
	size_t	wlen;
	/* Reading. */
	unsigned char prev[RUNSORT_KEY_MAX];	/* the last key given */
	size_t	prevlen;
	int	started;	/* a record was given since the rewind */
	size_t	next;		/* RUNSORT_MEMORY_STREAM: next record */
	struct runsort_input *in;
	unsigned char *rbuf;	/* every input's buffer, one block */
	size_t	readsize, *heap, nheap;
	int	advance;	/* the top input's record was given out */
};

static void runsort_put16(unsigned char *, size_t);
static size_t runsort_get16(const unsigned char *);
static size_t runsort_decode(const unsigned char *, struct runsort_rec *);
static int runsort_cmp(const struct runsort_rec *,
	    const struct runsort_rec *);
static int runsort_cmp_off(const void *, const void *, void *);
static size_t *runsort_index(const struct runsort *);
static int runsort_fail(struct runsort *);
static int runsort_tmpfile(struct runsort *);
static int runsort_flush(struct runsort *);
static int runsort_write(struct runsort *, const void *, size_t);
static void runsort_add_run(struct runsort_run **, size_t *, size_t *,
	    off_t, off_t);
static int runsort_spill(struct runsort *);
static size_t runsort_fanin(const struct runsort *);
static int runsort_fetch(struct runsort *, struct runsort_input *);
static int runsort_input_next(struct runsort *, struct runsort_input *);
static int runsort_less(const struct runsort *, size_t, size_t);
static void runsort_sift(struct runsort *, size_t);
static int runsort_merge_start(struct runsort *,
	    const struct runsort_run *, size_t);
static int runsort_merge_next(struct runsort *, struct runsort_rec *);
static void runsort_merge_end(struct runsort *);
static int runsort_reduce(struct runsort *);

/* runsort_put16 - a 16-bit length, little-endian */

static void
runsort_put16(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

/* runsort_get16 - the same, read back */

static size_t
runsort_get16(const unsigned char *p)
{
	return ((size_t)p[0] | (size_t)p[1] << 8);
}

/* runsort_decode - a record's parts; its length in bytes */

static size_t
runsort_decode(const unsigned char *p, struct runsort_rec *r)
{
	r->klen = runsort_get16(p);
	r->vlen = runsort_get16(p + 2);
	r->tlen = runsort_get16(p + 4);
	r->key = p + RUNSORT_HDR;
	r->val = r->key + r->klen;
	r->tag = r->val + r->vlen;
	return (RUNSORT_HDR + r->klen + r->vlen + r->tlen);
}

/* runsort_cmp - the stream's order: key, then tag */

static int
runsort_cmp(const struct runsort_rec *a, const struct runsort_rec *b)
{
	int c;

	if ((c = key_compare(a->key, a->klen, b->key, b->klen)) != 0)
		return (c);
	if ((c = memcmp(a->tag, b->tag, a->tlen < b->tlen ? a->tlen
	    : b->tlen)) != 0)
		return (c);
	return (a->tlen < b->tlen ? -1 : a->tlen > b->tlen);
}

/* runsort_cmp_off - qsort_r order of two offsets into the buffer */

static int
runsort_cmp_off(const void *a, const void *b, void *ctx)
{
	const unsigned char *block = ctx;
	struct runsort_rec x, y;

	runsort_decode(block + *(const size_t *)a, &x);
	runsort_decode(block + *(const size_t *)b, &y);
	return (runsort_cmp(&x, &y));
}

/* runsort_index - the buffer's index: n offsets at its end */

static size_t *
runsort_index(const struct runsort *rs)
{
	return ((size_t *)(void *)(rs->block + rs->memory) - rs->n);
}

/* runsort_fail - keep errno for every later call; -1 */

static int
runsort_fail(struct runsort *rs)
{
	rs->err = errno ? errno : EIO;
	rs->state = RUNSORT_FAILED;
	errno = rs->err;
	return (-1);
}

/* runsort_tmpfile - a new unlinked file in the directory; fd or -1 */

static int
runsort_tmpfile(struct runsort *rs)
{
	char path[PATH_MAX];
	int fd, err;

	fd = open(rs->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return (fd);
	/* A file system without O_TMPFILE: a name, for an instant. */
	if ((size_t)snprintf(path, sizeof(path), "%s/greyspf-sort.XXXXXX",
	    rs->dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0 && unlink(path) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return (-1);
	}
	return (fd);
}

/* runsort_flush - the write buffer to the file */

static int
runsort_flush(struct runsort *rs)
{
	size_t off = 0;
	ssize_t n;

	while (off < rs->wlen) {
		if ((n = write(rs->wfd, rs->wbuf + off, rs->wlen - off)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		off += (size_t)n;
	}
	rs->woff += (off_t)rs->wlen;
	rs->wlen = 0;
	return (0);
}

/* runsort_write - bytes through the write buffer */

static int
runsort_write(struct runsort *rs, const void *p, size_t len)
{
	if (rs->wlen + len > RUNSORT_WRITE && runsort_flush(rs) < 0)
		return (-1);
	memcpy(rs->wbuf + rs->wlen, p, len);
	rs->wlen += len;
	return (0);
}

/* runsort_add_run - one more run in a list */

static void
runsort_add_run(struct runsort_run **runs, size_t *n, size_t *cap, off_t off,
    off_t len)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*runs = xreallocarray(*runs, *cap, sizeof(**runs));
	}
	(*runs)[*n].off = off;
	(*runs)[*n].len = len;
	(*n)++;
}

/* runsort_spill - sort the buffer and write it as one run */

static int
runsort_spill(struct runsort *rs)
{
	size_t *idx = runsort_index(rs), i;
	struct runsort_rec r;
	off_t start;

	if (rs->n == 0)
		return (0);
	qsort_r(idx, rs->n, sizeof(*idx), runsort_cmp_off, rs->block);
	if (rs->fd < 0) {
		if ((rs->fd = runsort_tmpfile(rs)) < 0)
			return (-1);
		rs->wfd = rs->fd;
		rs->woff = 0;
	}
	start = rs->woff;
	for (i = 0; i < rs->n; i++)
		if (runsort_write(rs, rs->block + idx[i],
		    runsort_decode(rs->block + idx[i], &r)) < 0)
			return (-1);
	if (runsort_flush(rs) < 0)
		return (-1);
	runsort_add_run(&rs->runs, &rs->nruns, &rs->runcap, start,
	    rs->woff - start);
	rs->used = rs->n = 0;
	return (0);
}

/* runsort_fanin - how many runs are merged at once */

static size_t
runsort_fanin(const struct runsort *rs)
{
	return (rs->memory / RUNSORT_READ_MIN);
}

/* runsort_fetch - move the input's unread bytes down, read more */

static int
runsort_fetch(struct runsort *rs, struct runsort_input *in)
{
	size_t want;
	ssize_t got;

	memmove(in->buf, in->buf + in->start, in->fill - in->start);
	in->fill -= in->start;
	in->start = 0;
	while (in->fill < rs->readsize && in->pos < in->end) {
		want = rs->readsize - in->fill;
		if ((off_t)want > in->end - in->pos)
			want = (size_t)(in->end - in->pos);
		got = pread(rs->fd, in->buf + in->fill, want, in->pos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;	/* shorter than written */
			return (-1);
		}
		in->fill += (size_t)got;
		in->pos += got;
	}
	return (0);
}

/* runsort_input_next - the input's next record: 1, 0 at its end, -1 */

static int
runsort_input_next(struct runsort *rs, struct runsort_input *in)
{
	const unsigned char *p;
	size_t need;

	if (in->fill - in->start < RUNSORT_HDR) {
		if (runsort_fetch(rs, in) < 0)
			return (-1);
		if (in->fill == 0)
			return (0);
		if (in->fill < RUNSORT_HDR) {
			errno = EIO;
			return (-1);
		}
	}
	p = in->buf + in->start;
	if (runsort_get16(p) > RUNSORT_KEY_MAX || runsort_get16(p + 2)
	    > RUNSORT_VALUE_MAX || runsort_get16(p + 4) > RUNSORT_TAG_MAX) {
		errno = EIO;	/* not what was written */
		return (-1);
	}
	need = RUNSORT_HDR + runsort_get16(p) + runsort_get16(p + 2)
	    + runsort_get16(p + 4);
	if (in->fill - in->start < need) {
		if (runsort_fetch(rs, in) < 0)
			return (-1);
		if (in->fill < need) {
			errno = EIO;
			return (-1);
		}
	}
	in->start += runsort_decode(in->buf + in->start, &in->rec);
	return (1);
}

/* runsort_less - does input i's record come before input j's? */

static int
runsort_less(const struct runsort *rs, size_t i, size_t j)
{
	return (runsort_cmp(&rs->in[i].rec, &rs->in[j].rec) < 0);
}

/* runsort_sift - restore the heap below position i */

static void
runsort_sift(struct runsort *rs, size_t i)
{
	size_t c, t;

	for (;;) {
		c = 2 * i + 1;
		if (c >= rs->nheap)
			break;
		if (c + 1 < rs->nheap
		    && runsort_less(rs, rs->heap[c + 1], rs->heap[c]))
			c++;
		if (!runsort_less(rs, rs->heap[c], rs->heap[i]))
			break;
		t = rs->heap[c];
		rs->heap[c] = rs->heap[i];
		rs->heap[i] = t;
		i = c;
	}
}

/* runsort_merge_start - inputs on n runs, their first records heaped */

static int
runsort_merge_start(struct runsort *rs, const struct runsort_run *runs,
    size_t n)
{
	struct runsort_input *in;
	size_t i;
	int rc;

	runsort_merge_end(rs);
	rs->readsize = n ? rs->memory / n : RUNSORT_READ_MIN;
	if (rs->readsize > RUNSORT_READ_MAX)
		rs->readsize = RUNSORT_READ_MAX;
	if (rs->readsize < RUNSORT_READ_MIN)
		panic("runsort: %zu runs in %zu bytes", n, rs->memory);
	rs->in = xcalloc(n, sizeof(*rs->in));
	rs->heap = xcalloc(n, sizeof(*rs->heap));
	rs->rbuf = xmalloc(n * rs->readsize);
	rs->nheap = 0;
	rs->advance = 0;
	for (i = 0; i < n; i++) {
		in = &rs->in[i];
		in->pos = runs[i].off;
		in->end = runs[i].off + runs[i].len;
		in->buf = rs->rbuf + i * rs->readsize;
		if ((rc = runsort_input_next(rs, in)) < 0)
			return (-1);
		if (rc > 0)
			rs->heap[rs->nheap++] = i;
	}
	for (i = rs->nheap / 2; i-- > 0;)
		runsort_sift(rs, i);
	return (0);
}

/* runsort_merge_next - the least record of the inputs: 1, 0, -1 */

static int
runsort_merge_next(struct runsort *rs, struct runsort_rec *rec_r)
{
	int rc;

	if (rs->advance) {
		/* The record given out last is done with: its input moves
		 * on (its buffer may move under the old pointers). */
		rs->advance = 0;
		if ((rc = runsort_input_next(rs, &rs->in[rs->heap[0]])) < 0)
			return (-1);
		if (rc == 0)
			rs->heap[0] = rs->heap[--rs->nheap];
		runsort_sift(rs, 0);
	}
	if (rs->nheap == 0)
		return (0);
	*rec_r = rs->in[rs->heap[0]].rec;
	rs->advance = 1;
	return (1);
}

/* runsort_merge_end - free the inputs */

static void
runsort_merge_end(struct runsort *rs)
{
	free(rs->in);
	free(rs->heap);
	free(rs->rbuf);
	rs->in = NULL;
	rs->heap = NULL;
	rs->rbuf = NULL;
	rs->nheap = 0;
}

/* runsort_reduce - merge runs in groups until one merge takes them all */

static int
runsort_reduce(struct runsort *rs)
{
	struct runsort_run *out;
	struct runsort_rec r;
	size_t fanin = runsort_fanin(rs), nout, outcap, g, k;
	off_t start;
	int rc;

	while (rs->nruns > fanin) {
		out = NULL;
		nout = outcap = 0;
		if ((rs->wfd = runsort_tmpfile(rs)) < 0)
			return (-1);
		rs->woff = 0;
		for (g = 0; g < rs->nruns; g += k) {
			k = rs->nruns - g < fanin ? rs->nruns - g : fanin;
			start = rs->woff;
			if (runsort_merge_start(rs, rs->runs + g, k) < 0)
				goto bad;
			while ((rc = runsort_merge_next(rs, &r)) > 0)
				if (runsort_write(rs, r.key - RUNSORT_HDR,
				    RUNSORT_HDR + r.klen + r.vlen + r.tlen) < 0)
					goto bad;
			if (rc < 0 || runsort_flush(rs) < 0)
				goto bad;
			runsort_add_run(&out, &nout, &outcap, start,
			    rs->woff - start);
		}
		runsort_merge_end(rs);
		close(rs->fd);
		free(rs->runs);
		rs->fd = rs->wfd;
		rs->runs = out;
		rs->nruns = nout;
		rs->runcap = outcap;
	}
	return (0);
bad:
	free(out);
	return (-1);
}

/* runsort_env_memory - the bound: the default, or the environment's */

size_t
runsort_env_memory(void)
{
	const char *s = getenv(RUNSORT_ENV);
	long long v;

	if (s == NULL || *s == 0)
		return (RUNSORT_MEMORY);
	if (strnum_ll(s, RUNSORT_MEMORY_MIN, RUNSORT_MEMORY_MAX, &v) < 0)
		fatalx("%s=\"%.40s\": not a number of bytes from %d to %lld",
		    RUNSORT_ENV, s, RUNSORT_MEMORY_MIN, RUNSORT_MEMORY_MAX);
	return ((size_t)v);
}

/* runsort_new - an empty sort of at most memory bytes */

struct runsort *
runsort_new(size_t memory)
{
	struct runsort *rs = xcalloc(1, sizeof(*rs));
	const char *dir = getenv("TMPDIR");

	if (memory < RUNSORT_MEMORY_MIN)
		memory = RUNSORT_MEMORY_MIN;
	rs->memory = memory & ~(size_t)(sizeof(size_t) - 1);
	rs->dir = dir != NULL && *dir != 0 ? dir : "/tmp";
	rs->state = RUNSORT_ADDING;
	rs->fd = rs->wfd = -1;
	rs->wbuf = xmalloc(RUNSORT_WRITE);
	return (rs);
}

/* runsort_add - one record, copied; a full buffer is written as a run */

int
runsort_add(struct runsort *rs, const void *key, size_t klen,
    const void *val, size_t vlen, const void *tag, size_t tlen)
{
	unsigned char *p;
	size_t need;

	if (klen > RUNSORT_KEY_MAX || vlen > RUNSORT_VALUE_MAX
	    || tlen > RUNSORT_TAG_MAX)
		panic("runsort_add: a record of %zu, %zu and %zu bytes",
		    klen, vlen, tlen);
	if (rs->state == RUNSORT_FAILED) {
		errno = rs->err;
		return (-1);
	}
	if (rs->state != RUNSORT_ADDING)
		panic("runsort_add after runsort_rewind");
	/* Untouched pages of the block take no memory: a small input
	 * costs what it uses. */
	if (rs->block == NULL)
		rs->block = xmalloc(rs->memory);
	need = RUNSORT_HDR + klen + vlen + tlen;
	if (rs->used + need + (rs->n + 1) * sizeof(size_t) > rs->memory
	    && runsort_spill(rs) < 0)
		return (runsort_fail(rs));
	p = rs->block + rs->used;
	runsort_put16(p, klen);
	runsort_put16(p + 2, vlen);
	runsort_put16(p + 4, tlen);
	memcpy(p + RUNSORT_HDR, key, klen);
	memcpy(p + RUNSORT_HDR + klen, val, vlen);
	memcpy(p + RUNSORT_HDR + klen + vlen, tag, tlen);
	rs->n++;
	runsort_index(rs)[0] = rs->used;
	rs->used += need;
	return (0);
}

/* runsort_rewind - end the adding; the sorted stream from its start */

int
runsort_rewind(struct runsort *rs)
{
	if (rs->state == RUNSORT_FAILED) {
		errno = rs->err;
		return (-1);
	}
	if (rs->state == RUNSORT_ADDING && rs->fd < 0) {
		if (rs->n > 1)
			qsort_r(runsort_index(rs), rs->n, sizeof(size_t),
			    runsort_cmp_off, rs->block);
		rs->state = RUNSORT_MEMORY_STREAM;
	} else if (rs->state == RUNSORT_ADDING) {
		if (runsort_spill(rs) < 0)
			return (runsort_fail(rs));
		free(rs->block);	/* the merge's buffers take its place */
		rs->block = NULL;
		if (runsort_reduce(rs) < 0)
			return (runsort_fail(rs));
		free(rs->wbuf);
		rs->wbuf = NULL;
		rs->state = RUNSORT_MERGING;
	}
	rs->started = 0;
	if (rs->state == RUNSORT_MEMORY_STREAM) {
		rs->next = 0;
		return (0);
	}
	if (runsort_merge_start(rs, rs->runs, rs->nruns) < 0)
		return (runsort_fail(rs));
	return (0);
}

/* runsort_next - the next record of the stream: 1, 0 at its end, -1 */

int
runsort_next(struct runsort *rs, struct runsort_rec *rec_r)
{
	int rc;

	switch (rs->state) {
	case RUNSORT_FAILED:
		errno = rs->err;
		return (-1);
	case RUNSORT_ADDING:
		panic("runsort_next before runsort_rewind");
	case RUNSORT_MEMORY_STREAM:
		if (rs->next == rs->n)
			return (0);
		runsort_decode(rs->block + runsort_index(rs)[rs->next++],
		    rec_r);
		break;
	case RUNSORT_MERGING:
		if ((rc = runsort_merge_next(rs, rec_r)) < 0)
			return (runsort_fail(rs));
		if (rc == 0)
			return (0);
		break;
	}
	rec_r->same = rs->started && rec_r->klen == rs->prevlen
	    && memcmp(rec_r->key, rs->prev, rs->prevlen) == 0;
	memcpy(rs->prev, rec_r->key, rec_r->klen);
	rs->prevlen = rec_r->klen;
	rs->started = 1;
	return (1);
}

/* runsort_dir - the directory of the temporary files, for messages */

const char *
runsort_dir(const struct runsort *rs)
{
	return (rs->dir);
}

/* runsort_free - the sort, its buffers and its file */

void
runsort_free(struct runsort *rs)
{
	if (rs == NULL)
		return;
	runsort_merge_end(rs);
	if (rs->fd >= 0)
		close(rs->fd);
	if (rs->wfd >= 0 && rs->wfd != rs->fd)
		close(rs->wfd);
	free(rs->block);
	free(rs->runs);
	free(rs->wbuf);
	free(rs);
}
