/*
 * NAME
 *	store_lmdb 3
 * SUMMARY
 *	the LMDB backend of the store: environment, transactions, growth
 * SYNOPSIS
 *	#include "store_backend.h"
 *
 *	extern const struct store_backend store_lmdb;
 * DESCRIPTION
 *	Everything greyspf knows of LMDB is here; store.c's callers see
 *	none of it.
 *
 *	One environment is a directory holding data.mdb and lock.mdb, so
 *	LMDB's own mdb_stat and mdb_dump work on it. Many processes share
 *	it: Postfix spawns one greyspf per SMTP connection, and the tools
 *	run beside them. Readers never block.
 *
 *	The writer lock. LMDB serializes writers with a robust process-
 *	shared mutex in lock.mdb, and a waiter on it waits without bound.
 *	Worse, glibc's robust (non-PI) mutexes can lose a wake-up: unlock
 *	wakes one waiter, and when that waiter is killed before it takes
 *	the lock, the others sleep on although the lock is free (seen as
 *	greyspf processes stuck for ever after peers were SIGKILLed). So
 *	greyspf takes its own lock first, an open-file-description record
 *	lock on greyspf.lock in the environment directory, whose waiters
 *	the kernel wakes, all of them, when a holder dies; the wait is
 *	bounded (opts->lock_wait_ms) by a timer that interrupts it, and a
 *	writer that cannot get the lock in time gets STORE_BUSY. LMDB's
 *	own mutex is then free whenever a greyspf writer asks for it.
 *
 *	Opening checks what would otherwise kill a process with SIGBUS
 *	later: a data.mdb far shorter than the pages its meta page says
 *	are in use (a truncated copy: STORE_CORRUPT; LMDB_UNWRITTEN_SLACK
 *	pages may legitimately be missing at the end), and a lock.mdb
 *	whose blocks could not be allocated (greyspf makes lock.mdb with
 *	its blocks before LMDB would make it with holes: on a full disk,
 *	STORE_FULL instead of a SIGBUS at every start). What is cut short
 *	after the check still faults: store.c's guard (lib/fault.c) turns
 *	that into an answer. The
 *	slots of dead readers are cleared (mdb_reader_check), which a
 *	kill -9 otherwise leaves behind until the slots run out: at open,
 *	and again by store_sync() when the last check is
 *	LMDB_READER_CHECK_MS old, so a daemon's loop process, which syncs
 *	once a second while it writes, clears the slots of spawned
 *	greyspf or tools killed beside it (a spawned greyspf that lived
 *	that long checks once more as it ends).
 *
 *	Writes: store_update() and store_load() run inside one write
 *	transaction each, so everything in it is atomic: a crash at any
 *	moment leaves all of it or none. When a write meets MDB_MAP_FULL,
 *	the transaction is aborted, the map doubled (up to mapsize_max)
 *	and the work done again from the start, at most LMDB_GROW_TRIES
 *	times; when another process has grown the map, MDB_MAP_RESIZED
 *	makes this one adopt the new size. Transactions never outlive one
 *	call, so growth never happens under an open transaction.
 *	store_load() into an empty database appends (MDB_APPEND) while the
 *	keys come in ascending order, and an update that changes nothing
 *	commits nothing.
 *
 *	Walks run in one read transaction per call: a walk of max 0 is one
 *	snapshot (STORE_CAP_SNAPSHOT); a walk in pieces resumes after the
 *	cursor's key.
 * SECURITY
 *	Files are created with mode 0600/0700 (umask 077 applied here):
 *	greylist data names correspondents.
 * BUGS
 *	LMDB's reader-table mutex is of the same robust kind; it is taken
 *	once per process (the first read transaction, the reader check),
 *	and is not guarded by a lock of greyspf's own.
 *
 *	LMDB has no checksums: bytes flipped inside a page can go unseen,
 *	or make LMDB read a wrong page. Resizing the map requires that no
 *	other thread of this process uses the environment (greyspf has
 *	none).
 */

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_backend.h"
#include "timefmt.h"
#include "util.h"

#define LMDB_DEFAULT_MAPSIZE	((size_t)16 << 20)
#define LMDB_DEFAULT_MAPSIZE_MAX ((size_t)16 << 30)
#define LMDB_MAXREADERS		512	/* Postfix spawns up to 100 */
#define LMDB_GROW_TRIES		16
#define LMDB_LOCK_WAIT_MS	10000	/* default bound on the writer lock */
#define LMDB_LOCK_FILE		"greyspf.lock"
#define LMDB_LOCK_SIGNAL	(SIGRTMIN + 3)	/* ends a bounded wait */
#define LMDB_LOCK_TICK_MS	100	/* how often a waiter checks the time */
/* lock.mdb as LMDB 0.9 sizes it: a 192-byte header, then one 64-byte
 * slot per reader after the first (mdb_env_setup_locks). */
#define LMDB_LOCK_BYTES		((off_t)(LMDB_MAXREADERS - 1) * 64 + 192)
/* Pages the meta page may count that were never written (LMDB does not
 * write pages freed in the transaction that took them). */
#define LMDB_UNWRITTEN_SLACK	64
/* Free bytes below which an EIO from LMDB means the disk is full. */
#define LMDB_NEAR_FULL		(1 << 20)
/* Least time between two reader checks after the one at open, ms. */
#define LMDB_READER_CHECK_MS	1000

struct lmdb {
	MDB_env	*env;
	MDB_dbi	dbi;
	size_t	mapsize;
	size_t	mapsize_max;
	int	lockfd;		/* greyspf.lock, -1: none (read-only) */
	int	lock_wait_ms;
	int	stale_cleared;
	int64_t	checked_ms;	/* the last reader check, monotonic */
	int	again;		/* MDB_MAP_FULL met: grow, start again */
	int	broken;		/* the map is gone (a growth failed) */
};

struct lmdb_batch {
	MDB_txn	*txn;
	int	dryrun;
	int	append;		/* the database was empty: MDB_APPEND */
	unsigned char last[STORE_KEY_MAX];	/* the last key appended */
	size_t	lastlen;
	size_t	changes;
};

static int lmdb_rc(struct store *, int, const char *);
static int lmdb_begin(struct store *, unsigned, MDB_txn **);

/* lmdb_after - does key b sort after key a (LMDB's default order)? */

static int
lmdb_after(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return (c < 0 || (c == 0 && blen > alen));
}

/* lmdb_disk_full - is the file system at path out of room? */

static int
lmdb_disk_full(const char *path)
{
	struct statvfs sv;

	return (statvfs(path, &sv) == 0 && (unsigned long long)sv.f_bavail
	    * sv.f_frsize < (unsigned long long)LMDB_NEAR_FULL);
}

/* lmdb_rc - an LMDB or errno code as a store code, with its detail */

static int
lmdb_rc(struct store *st, int rc, const char *what)
{
	struct lmdb *l = st->impl;
	int code;

	switch (rc) {
	case 0:
		return (STORE_OK);
	case MDB_NOTFOUND:
		return (STORE_NOTFOUND);
	case MDB_MAP_FULL:
		return (store_detail(st, STORE_FULL, "%s: the map reached its "
		    "limit, databaseMapSizeMax (%zu MiB)", st->where,
		    (l ? l->mapsize_max : 0) >> 20));
	case ENOSPC:
	case EDQUOT:
		code = STORE_FULL;
		break;
	case EACCES:
	case EPERM:
		code = STORE_DENIED;
		break;
	case ENOENT:
		code = STORE_NOENT;
		break;
	case EROFS:
		code = STORE_READONLY;
		break;
	case MDB_INVALID:
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_VERSION_MISMATCH:
		code = STORE_CORRUPT;
		break;
	case MDB_INCOMPATIBLE:
		return (store_detail(st, STORE_FOREIGN, "%s: %s (named "
		    "databases: another program's)", st->where,
		    mdb_strerror(rc)));
	default:
		code = STORE_IO;
		break;
	}
	/* LMDB turns a short write into EIO: on a full file system that
	 * is a full disk, and says so. */
	if (rc == EIO && lmdb_disk_full(st->where))
		return (store_detail(st, STORE_FULL, "%s: %s: no space left on "
		    "the device (LMDB: %s)", st->where, what,
		    mdb_strerror(rc)));
	return (store_detail(st, code, "%s: %s: %s", st->where, what,
	    mdb_strerror(rc)));
}

/*
 * lmdb_own - a file greyspf just made in the environment belongs to the
 * directory's owner: root running greyspf-clean must not leave a lock
 * file the service (its own user) cannot open.
 */

static void
lmdb_own(int fd, const char *dir)
{
	static int euid = -1;
	struct stat sb;

	if (euid < 0)
		euid = (int)geteuid();
	if (euid == 0 && stat(dir, &sb) == 0 && sb.st_uid != 0)
		(void)!fchown(fd, sb.st_uid, sb.st_gid);
}

/*
 * lmdb_lock_file - lock.mdb with all its blocks, or why not. LMDB
 * makes it with ftruncate(), a file with holes, and then writes into
 * its map: on a full disk that is a SIGBUS at every start. So greyspf
 * makes it first (LMDB takes an existing file's size as it is), and
 * allocates the blocks of one left with holes.
 */

static int
lmdb_lock_file(struct store *st, const char *path, int rdonly)
{
	char name[4096];
	struct stat sb;
	off_t size = LMDB_LOCK_BYTES;
	int fd, rc;

	if ((size_t)snprintf(name, sizeof(name), "%s/lock.mdb", path)
	    >= sizeof(name))
		return (store_detail(st, STORE_INVAL, "path too long"));
	if (stat(name, &sb) == 0) {
		if (sb.st_size > 0 && (off_t)sb.st_blocks * 512 >= sb.st_size)
			return (STORE_OK);	/* whole */
		if (sb.st_size > size)
			size = sb.st_size;
	} else if (errno != ENOENT || rdonly)
		return (STORE_OK);	/* LMDB reports it */
	if ((fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0)
		return (rdonly ? STORE_OK : lmdb_rc(st, errno, "lock.mdb"));
	lmdb_own(fd, path);
	rc = posix_fallocate(fd, 0, size);
	close(fd);
	if (rc != 0)
		return (lmdb_rc(st, rc, "allocating lock.mdb"));
	return (STORE_OK);
}

/* lmdb_check_size - data.mdb holds every page the meta page counts */

static int
lmdb_check_size(struct store *st)
{
	struct lmdb *l = st->impl;
	MDB_envinfo ei;
	MDB_stat ms;
	struct stat sb;
	int fd;

	/* The meta page first, the size after: a writer extends the file
	 * before it writes the meta page that counts the new pages, so a
	 * size taken first could predate a commit that the meta read
	 * then counts (another process's, between the two: under load, a
	 * healthy database reported damaged). */
	if (mdb_env_info(l->env, &ei) != 0 || mdb_env_stat(l->env, &ms) != 0)
		return (store_detail(st, STORE_CORRUPT, "%s: unreadable "
		    "meta pages", st->where));
	if (mdb_env_get_fd(l->env, &fd) != 0 || fstat(fd, &sb) < 0)
		return (lmdb_rc(st, EIO, "data.mdb"));
	if ((off_t)((ei.me_last_pgno + 1) * ms.ms_psize) > sb.st_size
	    + (off_t)LMDB_UNWRITTEN_SLACK * ms.ms_psize)
		return (store_detail(st, STORE_CORRUPT, "%s: data.mdb has "
		    "%lld bytes, its meta page counts %zu pages of %u "
		    "(truncated?)", st->where, (long long)sb.st_size,
		    ei.me_last_pgno + 1, ms.ms_psize));
	return (STORE_OK);
}

/* lmdb_create - the files, made as they must be (umask 077 set) */

static int
lmdb_create(struct store *st, const char *path, const char *lockname,
    const struct store_opts *opts, unsigned flags)
{
	struct lmdb *l = st->impl;
	int rc;

	if (!opts->rdonly && opts->create && mkdir(path, 0700) < 0
	    && errno != EEXIST)
		return (lmdb_rc(st, errno, "creating the directory"));
	if (!opts->rdonly) {
		if ((l->lockfd = open(lockname, O_RDWR | O_CREAT | O_CLOEXEC
		    | O_NOFOLLOW, 0600)) < 0)
			return (lmdb_rc(st, errno, LMDB_LOCK_FILE));
		lmdb_own(l->lockfd, path);
	}
	if ((rc = lmdb_lock_file(st, path, opts->rdonly)) != STORE_OK)
		return (rc);
	if ((rc = mdb_env_create(&l->env)) != 0)
		return (lmdb_rc(st, rc, "mdb_env_create"));
	if ((rc = mdb_env_set_maxreaders(l->env, LMDB_MAXREADERS)) != 0
	    || (rc = mdb_env_set_mapsize(l->env, l->mapsize)) != 0
	    || (rc = mdb_env_open(l->env, path, flags, 0600)) != 0)
		return (lmdb_rc(st, rc, "opening"));
	return (STORE_OK);
}

/* lmdb_open - open or create the environment */

static int
lmdb_open(struct store *st, const char *path, const struct store_opts *opts)
{
	struct lmdb *l;
	unsigned flags = MDB_NORDAHEAD;
	char lockname[4096];
	MDB_envinfo info;
	MDB_txn *txn;
	mode_t old_umask;
	int rc, fd, dead = 0;

	l = xcalloc(1, sizeof(*l));
	st->impl = l;
	l->lockfd = -1;
	l->lock_wait_ms = opts->lock_wait_ms > 0 ? opts->lock_wait_ms
	    : LMDB_LOCK_WAIT_MS;
	l->mapsize = opts->mapsize ? opts->mapsize : LMDB_DEFAULT_MAPSIZE;
	l->mapsize_max = opts->mapsize_max ? opts->mapsize_max
	    : LMDB_DEFAULT_MAPSIZE_MAX;
	if (l->mapsize > l->mapsize_max)
		l->mapsize = l->mapsize_max;
	if (opts->rdonly)
		flags |= MDB_RDONLY;
	if (opts->nosync)
		flags |= MDB_NOSYNC;
	if ((size_t)snprintf(lockname, sizeof(lockname), "%s/%s", path,
	    LMDB_LOCK_FILE) >= sizeof(lockname))
		return (store_detail(st, STORE_INVAL, "path too long"));
	old_umask = umask(077);
	rc = lmdb_create(st, path, lockname, opts, flags);
	umask(old_umask);
	if (rc != STORE_OK)
		return (rc);
	if (!opts->rdonly && mdb_env_get_fd(l->env, &fd) == 0)
		lmdb_own(fd, path);	/* data.mdb, when root made it */
	if ((rc = lmdb_check_size(st)) != STORE_OK)
		return (rc);
	/* Another process may have grown the file past our request. */
	mdb_env_info(l->env, &info);
	l->mapsize = info.me_mapsize;
	if ((rc = mdb_reader_check(l->env, &dead)) != 0)
		return (lmdb_rc(st, rc, "clearing stale readers"));
	l->stale_cleared = dead;
	l->checked_ms = timefmt_mono_ms();
	/* The main database always exists: a read transaction opens its
	 * handle without taking the writer lock at every spawn. */
	if ((rc = lmdb_begin(st, MDB_RDONLY, &txn)) != STORE_OK)
		return (rc);
	rc = mdb_dbi_open(txn, NULL, 0, &l->dbi);
	mdb_txn_abort(txn);
	if (rc != 0)
		return (lmdb_rc(st, rc, "opening the main database"));
	return (STORE_OK);
}

/* lmdb_close - close the environment */

static void
lmdb_close(struct store *st)
{
	struct lmdb *l = st->impl;

	if (l == NULL)
		return;
	if (l->env != NULL)
		mdb_env_close(l->env);
	if (l->lockfd >= 0)
		close(l->lockfd);
	free(l);
	st->impl = NULL;
}

/* lmdb_wakeup - the timer's signal: only interrupts the lock wait */

static void
lmdb_wakeup(int sig)
{
	(void)sig;
}

/* lmdb_lock - greyspf's writer lock, waited for at most lock_wait_ms */

static int
lmdb_lock(struct store *st)
{
	struct lmdb *l = st->impl;
	struct flock fl;
	struct sigaction sa, old;
	struct sigevent sev;
	struct itimerspec its;
	struct timespec deadline, now;
	timer_t timer;
	int rc, err;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 1;
	if (fcntl(l->lockfd, F_OFD_SETLK, &fl) == 0)
		return (STORE_OK);
	if (errno != EAGAIN && errno != EACCES)
		return (lmdb_rc(st, errno, "locking " LMDB_LOCK_FILE));
	/* Busy: wait in the kernel, with a timer to end the wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lmdb_wakeup;	/* no SA_RESTART: EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(LMDB_LOCK_SIGNAL, &sa, &old) < 0)
		return (lmdb_rc(st, errno, "sigaction"));
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = LMDB_LOCK_SIGNAL;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0) {
		err = errno;
		sigaction(LMDB_LOCK_SIGNAL, &old, NULL);
		return (lmdb_rc(st, err, "timer_create"));
	}
	/* The timer fires every LMDB_LOCK_TICK_MS: a tick that comes
	 * before fcntl() is entered is lost, and the next ends the wait;
	 * the deadline decides. */
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = LMDB_LOCK_TICK_MS * 1000000L;
	its.it_interval = its.it_value;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += l->lock_wait_ms / 1000;
	deadline.tv_nsec += (long)(l->lock_wait_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	timer_settime(timer, 0, &its, NULL);
	for (;;) {
		rc = fcntl(l->lockfd, F_OFD_SETLKW, &fl);
		err = errno;
		if (rc == 0 || err != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec || (now.tv_sec ==
		    deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
			break;
	}
	timer_delete(timer);
	sigaction(LMDB_LOCK_SIGNAL, &old, NULL);
	if (rc == 0)
		return (STORE_OK);
	if (err == EINTR)
		return (store_detail(st, STORE_BUSY, "%s: no write lock "
		    "after %d ms", st->where, l->lock_wait_ms));
	return (lmdb_rc(st, err, "locking " LMDB_LOCK_FILE));
}

/* lmdb_unlock - release greyspf's writer lock */

static void
lmdb_unlock(struct store *st)
{
	struct lmdb *l = st->impl;
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = 1;
	fcntl(l->lockfd, F_OFD_SETLK, &fl);
}

/* lmdb_begin - begin a transaction, adopting a map grown elsewhere */

static int
lmdb_begin(struct store *st, unsigned flags, MDB_txn **txn_r)
{
	struct lmdb *l = st->impl;
	MDB_envinfo info;
	int rc, tries;

	if (l->broken)
		return (store_detail(st, STORE_IO, "%s: the map could not be "
		    "grown or mapped again: open the database again",
		    st->where));
	for (tries = 0; tries < 3; tries++) {
		rc = mdb_txn_begin(l->env, NULL, flags, txn_r);
		if (rc != MDB_MAP_RESIZED)
			return (lmdb_rc(st, rc, "beginning a transaction"));
		if ((rc = mdb_env_set_mapsize(l->env, 0)) != 0)
			return (lmdb_rc(st, rc, "adopting the map size"));
		mdb_env_info(l->env, &info);
		l->mapsize = info.me_mapsize;
	}
	return (lmdb_rc(st, MDB_MAP_RESIZED, "beginning a transaction"));
}

/* lmdb_grow - double the map, up to the limit */

static int
lmdb_grow(struct store *st)
{
	struct lmdb *l = st->impl;
	size_t next;
	int rc;

	if (l->mapsize >= l->mapsize_max)
		return (lmdb_rc(st, MDB_MAP_FULL, "growing"));
	next = l->mapsize > l->mapsize_max / 2 ? l->mapsize_max
	    : l->mapsize * 2;
	if ((rc = mdb_env_set_mapsize(l->env, next)) != 0) {
		/* LMDB has let go of the old map: map it again at its old
		 * size, or refuse every later call (the caller reopens). */
		if (mdb_env_set_mapsize(l->env, l->mapsize) != 0)
			l->broken = 1;
		return (lmdb_rc(st, rc, "growing the map"));
	}
	log_info("database map grown from %zu to %zu MiB",
	    l->mapsize >> 20, next >> 20);
	l->mapsize = next;
	return (STORE_OK);
}

/* lmdb_get - copy one value out */

static int
lmdb_get(struct store *st, const void *key, size_t klen, void *val_r,
    size_t vsize, size_t *vlen_r)
{
	struct lmdb *l = st->impl;
	MDB_val k = {klen, (void *)key}, v;
	MDB_txn *txn;
	int rc;

	if ((rc = lmdb_begin(st, MDB_RDONLY, &txn)) != STORE_OK)
		return (rc);
	rc = mdb_get(txn, l->dbi, &k, &v);
	if (rc == 0 && v.mv_size > vsize)
		rc = store_detail(st, STORE_CORRUPT, "%s: a value of %zu "
		    "bytes", st->where, v.mv_size);
	else if (rc == 0) {
		memcpy(val_r, v.mv_data, v.mv_size);
		*vlen_r = v.mv_size;
	} else
		rc = lmdb_rc(st, rc, "reading");
	mdb_txn_abort(txn);
	return (rc);
}

/* lmdb_apply - one read-modify-write inside a write transaction */

static int
lmdb_apply(struct store *st, MDB_txn *txn, const void *key, size_t klen,
    store_update_fn fn, void *ctx, struct lmdb_batch *b)
{
	struct lmdb *l = st->impl;
	unsigned char val[STORE_VALUE_MAX];
	MDB_val k = {klen, (void *)key}, v, nv;
	int64_t expire = 0;
	size_t vlen = 0;
	unsigned putflags = 0;
	int rc, have;

	if (b != NULL && b->append && (b->lastlen == 0
	    || lmdb_after(b->last, b->lastlen, key, klen))) {
		have = 0;	/* after every key there is: cannot exist */
		putflags = MDB_APPEND;
	} else {
		if (b != NULL)
			b->append = 0;
		rc = mdb_get(txn, l->dbi, &k, &v);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return (lmdb_rc(st, rc, "reading"));
		have = rc == 0;
	}
	switch (fn(have ? v.mv_data : NULL, have ? v.mv_size : 0, val,
	    &vlen, &expire, ctx)) {
	case STORE_UNCHANGED:
		return (STORE_UNCHANGED);
	case STORE_STOP:
		return (STORE_ABORTED);
	case STORE_DELETE:
		if (!have)
			return (STORE_UNCHANGED);
		if (b != NULL && b->dryrun)
			return (STORE_OK);
		if ((rc = mdb_del(txn, l->dbi, &k, NULL)) == MDB_MAP_FULL)
			l->again = 1;
		return (lmdb_rc(st, rc, "deleting"));
	case STORE_WRITE:
		break;
	}
	if (vlen > sizeof(val))
		return (store_detail(st, STORE_INVAL, "a value of %zu bytes",
		    vlen));
	if (b != NULL && b->dryrun)
		return (STORE_OK);
	nv.mv_size = vlen;
	nv.mv_data = val;
	rc = mdb_put(txn, l->dbi, &k, &nv, putflags);
	if (rc == 0 && putflags == MDB_APPEND) {
		memcpy(b->last, key, klen);
		b->lastlen = klen;
	}
	if (rc == MDB_MAP_FULL)
		l->again = 1;
	return (lmdb_rc(st, rc, "writing"));
}

/*
 * lmdb_write - run work in one write transaction under greyspf's lock;
 * when the map is full (l->again), grow it and run work again.
 */

static int
lmdb_write(struct store *st, int (*work)(struct store *, MDB_txn *, void *,
    size_t *), void *ctx)
{
	struct lmdb *l = st->impl;
	MDB_txn *txn;
	size_t changes;
	int rc, mrc, tries;

	if ((rc = lmdb_lock(st)) != STORE_OK)
		return (rc);
	for (tries = 0; tries < LMDB_GROW_TRIES; tries++) {
		if ((rc = lmdb_begin(st, 0, &txn)) != STORE_OK)
			break;
		l->again = 0;
		changes = 0;
		rc = work(st, txn, ctx, &changes);
		if (rc == STORE_OK && changes > 0) {
			if ((mrc = mdb_txn_commit(txn)) == MDB_MAP_FULL)
				l->again = 1;
			rc = lmdb_rc(st, mrc, "committing");
		} else
			mdb_txn_abort(txn);
		if (!l->again)
			break;
		if ((rc = lmdb_grow(st)) != STORE_OK)
			break;
	}
	if (tries == LMDB_GROW_TRIES)
		rc = lmdb_rc(st, MDB_MAP_FULL, "growing");
	lmdb_unlock(st);
	return (rc);
}

struct lmdb_one {
	const void *key;
	size_t	klen;
	store_update_fn fn;
	void	*ctx;
};

/* lmdb_update_work - store_update's work inside the transaction */

static int
lmdb_update_work(struct store *st, MDB_txn *txn, void *ctx, size_t *changes)
{
	struct lmdb_one *o = ctx;
	int rc;

	rc = lmdb_apply(st, txn, o->key, o->klen, o->fn, o->ctx, NULL);
	if (rc == STORE_OK)
		(*changes)++;
	return (rc == STORE_UNCHANGED ? STORE_OK : rc);
}

static int
lmdb_update(struct store *st, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	struct lmdb_one o = {key, klen, fn, ctx};

	return (lmdb_write(st, lmdb_update_work, &o));
}

struct lmdb_load {
	store_fill_fn fill;
	void	*ctx;
};

/* lmdb_load_work - store_load's work: the caller's fill in one batch */

static int
lmdb_load_work(struct store *st, MDB_txn *txn, void *ctx, size_t *changes)
{
	struct lmdb_load *ld = ctx;
	struct lmdb *l = st->impl;
	struct lmdb_batch lb;
	struct store_batch b;
	MDB_cursor *mc;
	MDB_val k, v;
	int rc;

	memset(&lb, 0, sizeof(lb));
	lb.txn = txn;
	/* Keys after the last one there can be appended, in order. */
	lb.append = 1;
	if ((rc = mdb_cursor_open(txn, l->dbi, &mc)) != 0)
		return (lmdb_rc(st, rc, "opening a cursor"));
	if ((rc = mdb_cursor_get(mc, &k, &v, MDB_LAST)) == 0
	    && k.mv_size <= sizeof(lb.last)) {
		memcpy(lb.last, k.mv_data, k.mv_size);
		lb.lastlen = k.mv_size;
	} else if (rc != MDB_NOTFOUND)
		lb.append = 0;
	mdb_cursor_close(mc);
	b.st = st;
	b.impl = &lb;
	rc = ld->fill(&b, ld->ctx);
	*changes = lb.changes;
	return (rc);
}

static int
lmdb_load(struct store *st, store_fill_fn fill, void *ctx, int flags)
{
	struct lmdb_load ld = {fill, ctx};
	struct lmdb_batch lb;
	struct store_batch b;
	MDB_txn *txn;
	int rc;

	if (!(flags & STORE_LOAD_DRYRUN))
		return (lmdb_write(st, lmdb_load_work, &ld));
	/* A dry run decides in a read transaction: no lock, no write. */
	if ((rc = lmdb_begin(st, MDB_RDONLY, &txn)) != STORE_OK)
		return (rc);
	memset(&lb, 0, sizeof(lb));
	lb.txn = txn;
	lb.dryrun = 1;
	b.st = st;
	b.impl = &lb;
	rc = fill(&b, ctx);
	mdb_txn_abort(txn);
	return (rc);
}

/* lmdb_batch_update - one entry of a store_load() */

static int
lmdb_batch_update(struct store_batch *b, const void *key, size_t klen,
    store_update_fn fn, void *ctx)
{
	struct lmdb_batch *lb = b->impl;
	int rc;

	rc = lmdb_apply(b->st, lb->txn, key, klen, fn, ctx, lb);
	if (rc == STORE_OK)
		lb->changes++;
	return (rc == STORE_UNCHANGED ? STORE_OK : rc);
}

/* lmdb_walk - visit up to max entries after the cursor */

static int
lmdb_walk(struct store *st, struct store_cursor *cur, size_t max,
    store_visit_fn visit, void *ctx)
{
	struct lmdb *l = st->impl;
	MDB_cursor *mc;
	MDB_txn *txn;
	MDB_val k, v;
	size_t n = 0;
	enum store_visit what = STORE_NEXT;
	int rc;

	if ((rc = lmdb_begin(st, MDB_RDONLY, &txn)) != STORE_OK)
		return (rc);
	if ((rc = mdb_cursor_open(txn, l->dbi, &mc)) != 0) {
		mdb_txn_abort(txn);
		return (lmdb_rc(st, rc, "opening a cursor"));
	}
	if (!cur->started)
		rc = mdb_cursor_get(mc, &k, &v, MDB_FIRST);
	else {
		k.mv_size = cur->klen;
		k.mv_data = cur->key;
		rc = mdb_cursor_get(mc, &k, &v, MDB_SET_RANGE);
		/* The cursor's own key, if still there, was visited. */
		if (rc == 0 && k.mv_size == cur->klen
		    && memcmp(k.mv_data, cur->key, cur->klen) == 0)
			rc = mdb_cursor_get(mc, &k, &v, MDB_NEXT);
	}
	while (rc == 0 && (max == 0 || n < max)) {
		if (k.mv_size > sizeof(cur->key)) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(cur->key, k.mv_data, k.mv_size);
		cur->klen = k.mv_size;
		cur->started = 1;
		n++;
		if ((what = visit(k.mv_data, k.mv_size, v.mv_data, v.mv_size,
		    ctx)) != STORE_NEXT)
			break;
		rc = mdb_cursor_get(mc, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(mc);
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND) {
		cur->done = 1;
		return (STORE_OK);
	}
	if (rc != 0)
		return (lmdb_rc(st, rc, "walking"));
	if (what == STORE_END)
		cur->done = 1;
	return (what == STORE_FAIL ? STORE_ABORTED : STORE_OK);
	/* STORE_PAUSE and a walk that reached max: the cursor stays. */
}

/* lmdb_info - sizes and counts, as mdb_stat prints them */

static int
lmdb_info(struct store *st, store_info_fn emit, void *ctx)
{
	struct lmdb *l = st->impl;
	MDB_envinfo ei;
	MDB_stat ms;
	MDB_txn *txn;
	char buf[64];
	int rc;

	if ((rc = lmdb_begin(st, MDB_RDONLY, &txn)) != STORE_OK)
		return (rc);
	if ((rc = mdb_env_info(l->env, &ei)) != 0) {
		mdb_txn_abort(txn);
		return (lmdb_rc(st, rc, "mdb_env_info"));
	}
	rc = mdb_stat(txn, l->dbi, &ms);
	mdb_txn_abort(txn);
	if (rc != 0)
		return (lmdb_rc(st, rc, "mdb_stat"));
#define EMIT(name, fmt, val) \
	(snprintf(buf, sizeof(buf), fmt, val), emit(name, buf, ctx))
	EMIT("Map size", "%zu", ei.me_mapsize);
	EMIT("Map size limit", "%zu", l->mapsize_max);
	EMIT("Page size", "%u", ms.ms_psize);
	EMIT("Pages used", "%zu", ei.me_last_pgno + 1);
	EMIT("Bytes used", "%zu", (ei.me_last_pgno + 1) * ms.ms_psize);
	EMIT("Last transaction ID", "%zu", ei.me_last_txnid);
	EMIT("Max readers", "%u", ei.me_maxreaders);
	EMIT("Readers in use", "%u", ei.me_numreaders);
	EMIT("Stale readers cleared", "%d", l->stale_cleared);
	EMIT("Tree depth", "%u", ms.ms_depth);
	EMIT("Branch pages", "%zu", ms.ms_branch_pages);
	EMIT("Leaf pages", "%zu", ms.ms_leaf_pages);
	EMIT("Overflow pages", "%zu", ms.ms_overflow_pages);
#undef EMIT
	return (STORE_OK);
}

/* lmdb_sync - flush to disk (after commits without fsync); clear dead
 * readers' slots when the last check is LMDB_READER_CHECK_MS old */

static int
lmdb_sync(struct store *st)
{
	struct lmdb *l = st->impl;
	int64_t now;
	int rc, dead = 0;

	if (l->broken)
		return (store_detail(st, STORE_IO, "%s: not flushed: the map "
		    "is gone", st->where));
	if ((rc = mdb_env_sync(l->env, 1)) != 0)
		return (lmdb_rc(st, rc, "flushing"));
	now = timefmt_mono_ms();
	if (now - l->checked_ms >= LMDB_READER_CHECK_MS) {
		l->checked_ms = now;
		if ((rc = mdb_reader_check(l->env, &dead)) != 0)
			return (lmdb_rc(st, rc, "clearing stale readers"));
		if (dead > 0) {
			l->stale_cleared += dead;
			log_info("%s: %d stale reader slot%s cleared",
			    st->where, dead, dead == 1 ? "" : "s");
		}
	}
	return (STORE_OK);
}

const struct store_backend store_lmdb = {
	"lmdb",
	STORE_CAP_ORDERED | STORE_CAP_SNAPSHOT | STORE_CAP_ATOMIC_LOAD,
	lmdb_open,
	lmdb_close,
	lmdb_get,
	lmdb_update,
	lmdb_walk,
	lmdb_load,
	lmdb_batch_update,
	lmdb_info,
	lmdb_sync,
	NULL,
	NULL,		/* counts: store.c's load, one transaction */
};
