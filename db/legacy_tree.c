/*
 * NAME
 *	legacy_tree 3
 * SUMMARY
 *	walk and write tumgreyspf data trees
 * SYNOPSIS
 *	#include "legacy_tree.h"
 *
 *	int	legacy_walk(root, file_fn, skip_fn, ctx)
 *	int	legacy_write_entry(rootfd, relpath, mtime_us, atime_us)
 * DESCRIPTION
 *	legacy_walk() visits every regular file below root, in name order
 *	within each directory (so reports are stable), and calls file_fn
 *	with its path components and lstat data. Anything else is passed
 *	to skip_fn with its relative path, a reason and an errno value:
 *	0 for what is left out on purpose (symbolic links, never followed;
 *	devices, sockets and fifos; hidden names; directories deeper than
 *	LEGACY_DEPTH_MAX; names too long), the error for what could not be
 *	read (a directory that cannot be opened or listed, an entry that
 *	cannot be looked at), so that the caller can tell a tree it read
 *	whole from one it did not. file_fn returns 0 to go on, or non-zero
 *	to stop the walk with that value.
 *
 *	legacy_write_entry() creates relpath below the directory rootfd,
 *	with its directories, as an empty file whose mtime and atime are
 *	set to the microsecond (tumgreyspf's allow time and last request).
 *	Directories are 0700 and files 0600, as private as the database:
 *	greylist data names correspondents.
 * SECURITY
 *	Every step is relative to an open directory and opened with
 *	O_NOFOLLOW, so neither a symbolic link nor ".." can lead a walk or
 *	a write out of the tree, whatever is renamed under it meanwhile.
 *	The root itself may be a symbolic link: its path is the
 *	administrator's word.
 * DIAGNOSTICS
 *	legacy_walk() returns 0, what file_fn returned, or -1 when the root
 *	cannot be opened (errno set). legacy_write_entry() returns 0 or an
 *	errno value.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "legacy_tree.h"
#include "util.h"

struct legacy_walk {
	legacy_file_fn file_fn;
	legacy_skip_fn skip_fn;
	void	*ctx;
	char	*comps[LEGACY_DEPTH_MAX + 1];
	char	path[LEGACY_PATH_MAX];
};

struct legacy_name {
	char	*name;
	unsigned char type;	/* d_type */
};

static int legacy_namecmp(const void *, const void *);
static const char *legacy_walk_path(struct legacy_walk *, int, const char *);
static void legacy_walk_error(struct legacy_walk *, const char *, int);
static int legacy_walk_entry(struct legacy_walk *, int, int, char *,
	    unsigned char);
static int legacy_walk_dir(struct legacy_walk *, int, int);

/* legacy_namecmp - qsort order of directory entries: by name */

static int
legacy_namecmp(const void *a, const void *b)
{
	return (strcmp(((const struct legacy_name *)a)->name,
	    ((const struct legacy_name *)b)->name));
}

/* legacy_walk_path - relative path of comps[0..n-1] plus name */

static const char *
legacy_walk_path(struct legacy_walk *w, int depth, const char *name)
{
	size_t off = 0;
	int i;

	w->path[0] = 0;
	/* depth <= LEGACY_DEPTH_MAX names of <= LEGACY_NAME_MAX bytes fit. */
	for (i = 0; i < depth && off < sizeof(w->path); i++)
		off += (size_t)snprintf(w->path + off, sizeof(w->path) - off,
		    "%s/", w->comps[i]);
	if (off < sizeof(w->path))
		snprintf(w->path + off, sizeof(w->path) - off, "%s", name);
	return (w->path);
}

/* legacy_walk_error - what could not be read, with the cause */

static void
legacy_walk_error(struct legacy_walk *w, const char *relpath, int err)
{
	w->skip_fn(relpath, strerror(err), err, w->ctx);
}

/* legacy_walk_entry - one directory entry */

static int
legacy_walk_entry(struct legacy_walk *w, int dfd, int depth, char *name,
    unsigned char type)
{
	struct legacy_file f;
	struct stat st;
	int fd, rc;

	/* What the name alone decides needs no stat, so a file left out
	 * anyway is never a read error. */
	if (name[0] == '.') {
		w->skip_fn(legacy_walk_path(w, depth, name),
		    "hidden name, never written by tumgreyspf", 0, w->ctx);
		return (0);
	}
	if (strlen(name) > LEGACY_NAME_MAX) {
		w->skip_fn(legacy_walk_path(w, depth, name), "name too long",
		    0, w->ctx);
		return (0);
	}
	if (depth >= LEGACY_DEPTH_MAX) {
		w->skip_fn(legacy_walk_path(w, depth, name),
		    "deeper than any tumgreyspf entry", 0, w->ctx);
		return (0);
	}
	/* Directories and links need no stat: d_type says enough, and
	 * O_NOFOLLOW below guards the directory case anyway. */
	if (type == DT_DIR)
		st.st_mode = S_IFDIR;
	else if (type == DT_LNK)
		st.st_mode = S_IFLNK;
	else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		legacy_walk_error(w, legacy_walk_path(w, depth, name), errno);
		return (0);
	}
	if (S_ISLNK(st.st_mode)) {
		w->skip_fn(legacy_walk_path(w, depth, name),
		    "symbolic link, not followed", 0, w->ctx);
		return (0);
	}
	w->comps[depth] = name;
	if (S_ISDIR(st.st_mode)) {
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		    | O_CLOEXEC);
		if (fd < 0) {
			legacy_walk_error(w, legacy_walk_path(w, depth, name),
			    errno);
			return (0);
		}
		return (legacy_walk_dir(w, fd, depth + 1));
	}
	if (!S_ISREG(st.st_mode)) {
		w->skip_fn(legacy_walk_path(w, depth, name),
		    "not a regular file or directory", 0, w->ctx);
		return (0);
	}
	f.comps = w->comps;
	f.ncomps = depth + 1;
	f.relpath = legacy_walk_path(w, depth, name);
	f.st = &st;
	rc = w->file_fn(&f, w->ctx);
	return (rc);
}

/* legacy_walk_dir - read, sort and visit one directory; closes fd */

static int
legacy_walk_dir(struct legacy_walk *w, int fd, int depth)
{
	struct dirent *de;
	struct legacy_name *names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *dir;
	int rc = 0, err;

	if ((dir = fdopendir(fd)) == NULL) {
		err = errno;
		close(fd);
		legacy_walk_error(w, depth ? legacy_walk_path(w, depth - 1,
		    w->comps[depth - 1]) : ".", err);
		return (0);
	}
	errno = 0;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n].name = xstrdup(de->d_name);
		names[n++].type = de->d_type;
	}
	if (errno != 0)
		legacy_walk_error(w, depth ? legacy_walk_path(w, depth - 1,
		    w->comps[depth - 1]) : ".", errno);
	qsort(names, n, sizeof(*names), legacy_namecmp);
	for (i = 0; i < n && rc == 0; i++)
		rc = legacy_walk_entry(w, dirfd(dir), depth, names[i].name,
		    names[i].type);
	for (i = 0; i < n; i++)
		free(names[i].name);
	free(names);
	closedir(dir);
	return (rc);
}

/* legacy_walk - every regular file below root */

int
legacy_walk(const char *root, legacy_file_fn file_fn, legacy_skip_fn skip_fn,
    void *ctx)
{
	struct legacy_walk w;
	int fd;

	memset(&w, 0, sizeof(w));
	w.file_fn = file_fn;
	w.skip_fn = skip_fn;
	w.ctx = ctx;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return (-1);
	return (legacy_walk_dir(&w, fd, 0));
}

/* legacy_write_entry - empty file with the two times, dirs as needed */

int
legacy_write_entry(int rootfd, const char *relpath, int64_t mtime_us,
    int64_t atime_us)
{
	char buf[LEGACY_PATH_MAX], *p, *slash;
	struct timespec ts[2];
	int dfd, fd, next, rc = 0;

	if (strlen(relpath) >= sizeof(buf))
		return (ENAMETOOLONG);
	strcpy(buf, relpath);
	if ((dfd = dup(rootfd)) < 0)
		return (errno);
	for (p = buf; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		*slash = 0;
		if (mkdirat(dfd, p, 0700) < 0 && errno != EEXIST) {
			rc = errno;
			close(dfd);
			return (rc);
		}
		next = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		    | O_CLOEXEC);
		if (next < 0) {
			rc = errno;
			close(dfd);
			return (rc);
		}
		close(dfd);
		dfd = next;
	}
	fd = openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
	    | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = errno;
		close(dfd);
		return (rc);
	}
	ts[0].tv_sec = atime_us / 1000000;
	ts[0].tv_nsec = (long)(atime_us % 1000000) * 1000;
	ts[1].tv_sec = mtime_us / 1000000;
	ts[1].tv_nsec = (long)(mtime_us % 1000000) * 1000;
	if (futimens(fd, ts) < 0)
		rc = errno;
	if (close(fd) < 0 && rc == 0)
		rc = errno;
	close(dfd);
	return (rc);
}
