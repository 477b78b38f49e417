/* SPDX-License-Identifier: ISC */
/* io.c: robust reads and writes, key-file reading, atomic output files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/io.h"

void
io_check_std(int fd)
{
	static const char *const names[] = { "standard input",
	    "standard output", "standard error" };

	if (fd >= 0 && fd <= 2 && rsapipe_std_closed[fd])
		die(EXIT_USAGE, "%s is closed", names[fd]);
}

int
io_open_input(const char *path)
{
	struct stat st;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		io_check_std(STDIN_FILENO);
		return STDIN_FILENO;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(EXIT_USAGE, "cannot open %s:", path);
	if (fstat(fd, &st) != 0)
		die(EXIT_USAGE, "cannot stat %s:", path);
	if (S_ISDIR(st.st_mode))
		die(EXIT_USAGE, "%s is a directory", path);
	return fd;
}

size_t
io_read_some(int fd, void *buf, size_t n, const char *what)
{
	ssize_t r;

	for (;;) {
		r = read(fd, buf, n);
		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR)
			die(EXIT_USAGE, "read %s:", what);
	}
}

size_t
io_read_full(int fd, void *buf, size_t n, const char *what)
{
	unsigned char *p = buf;
	size_t got = 0, r;

	while (got < n) {
		r = io_read_some(fd, p + got, n - got, what);
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

void
io_write_all(int fd, const void *buf, size_t n, const char *what)
{
	const unsigned char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EPIPE; /* no progress: the reader is gone */
		if (w <= 0)
			die(EXIT_USAGE, "write %s:", what);
		p += w;
		n -= (size_t)w;
	}
}

void
io_writev_all(int fd, struct iovec *iov, int iovcnt, const char *what)
{
	ssize_t w;
	size_t done;

	while (iovcnt > 0) {
		w = writev(fd, iov, iovcnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EPIPE;
		if (w <= 0)
			die(EXIT_USAGE, "write %s:", what);
		/* Skip what was written: whole iovecs, then part of one. */
		done = (size_t)w;
		while (iovcnt > 0 && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (unsigned char *)iov->iov_base + done;
			iov->iov_len -= done;
		}
	}
}

unsigned char *
io_read_file(const char *path, size_t max, size_t *len)
{
	unsigned char *buf;
	size_t got, r;
	int fd;

	fd = io_open_input(path);
	buf = secure_alloc(max + 2);
	got = 0;
	/* Read one byte past max so an oversized file is detected. */
	while (got < max + 1) {
		r = io_read_some(fd, buf + got, max + 1 - got, path);
		if (r == 0)
			break;
		got += r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (got > max) {
		secure_free(buf);
		die(EXIT_USAGE, "%s: file too large (over %zu bytes)", path, max);
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/*
 * Outputs appear whole or not at all.  The data goes to an unnamed file
 * (O_TMPFILE) in the target's directory, linked into place at the end,
 * so a process that dies at any moment, even by SIGKILL, leaves nothing.
 * Where the filesystem has no O_TMPFILE, a named temporary file is used
 * and removed at exit and on the signals rsapipe_init() catches; only a
 * SIGKILL can then leave one behind (SECURITY.md).
 */
#define MAX_PENDING 8
static char *volatile pending[MAX_PENDING];

/* Remove the named temporaries: from atexit, and from a signal handler
 * (unlink(2) is async-signal-safe; nothing is freed here). */
void
io_remove_pending(void)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending[i] != NULL) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

/* A signal that ends the program first removes the named temporaries,
 * then ends it as the signal would have. */
static void
on_fatal_signal(int sig)
{
	io_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Catch the signals that end a program, unless the program chose what
 * they do (ignored in a background job, or handled). */
static void
catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

static void
track(char *tmp, int add)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(io_remove_pending);
		catch_fatal_signals();
		registered = 1;
	}
	for (i = 0; i < MAX_PENDING; i++) {
		if (add && pending[i] == NULL) {
			pending[i] = tmp;
			return;
		}
		if (!add && pending[i] == tmp) {
			pending[i] = NULL;
			return;
		}
	}
	if (add)
		die(EXIT_USAGE, "too many pending output files");
}

/* "dir/.rsapipe-tmp-XXXXXX" beside path, malloc'd. */
static char *
temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	char *tmp = malloc(dirlen + sizeof(".rsapipe-tmp-XXXXXX"));

	if (tmp == NULL)
		die(EXIT_USAGE, "out of memory");
	memcpy(tmp, path, dirlen);
	strcpy(tmp + dirlen, ".rsapipe-tmp-XXXXXX");
	return tmp;
}

/* An unnamed file in path's directory, or -1 where O_TMPFILE is not
 * supported (the caller falls back to a named one). */
static int
open_unnamed(const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		die(EXIT_USAGE, "%s: File name too long", path);
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0 && fchmod(fd, mode) != 0)
		die(EXIT_USAGE, "chmod %s:", path);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL && errno != ENOENT)
		die(EXIT_USAGE, "cannot create %s:", path);
	return fd;
}

/* An existing target that is not a regular file: a directory is an
 * error, a device, FIFO or socket (/dev/null, a pipe) is written in
 * place, since renaming a file over it would replace it.  Returns the
 * descriptor, or -1 when path does not exist or is a regular file. */
static int
open_special(const char *path, int no_clobber)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0) {
		/* A name that cannot exist (too long, a missing directory)
		 * is refused now, before any work is done. */
		if (errno != ENOENT)
			die(EXIT_USAGE, "%s:", path);
		return -1;
	}
	if (no_clobber)
		die(EXIT_USAGE, "%s already exists; not overwriting", path);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		die(EXIT_USAGE, "%s is a directory", path);
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return -1;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		die(EXIT_USAGE, "cannot open %s:", path);
	return fd;
}

void
io_output_open(struct io_output *out, const char *path, mode_t mode,
    int no_clobber)
{
	int fd;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (path == NULL || strcmp(path, "-") == 0) {
		io_check_std(STDOUT_FILENO);
		out->fd = STDOUT_FILENO;
		return;
	}
	if ((fd = open_special(path, no_clobber)) >= 0) {
		out->fd = fd;
		return;
	}
	if ((out->path = strdup(path)) == NULL)
		die(EXIT_USAGE, "out of memory");
	out->no_clobber = no_clobber;
	if ((out->fd = open_unnamed(path, mode)) >= 0)
		return;
	/* mkostemp creates 0600 with O_EXCL; widen only if asked. */
	out->tmp = temp_name(path);
	if ((out->fd = mkostemp(out->tmp, O_CLOEXEC)) < 0)
		die(EXIT_USAGE, "cannot create a temporary file beside %s:",
		    path);
	track(out->tmp, 1);
	if (fchmod(out->fd, mode) != 0)
		die(EXIT_USAGE, "chmod %s:", out->tmp);
}

/* Six random characters of [A-Za-z0-9] over the XXXXXX at p. */
static void
random_suffix(char *p)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	int i;

	gcry_create_nonce(r, sizeof(r));
	for (i = 0; i < 6; i++)
		p[i] = set[r[i] % (sizeof(set) - 1)];
}

/* Give the unnamed file of out a name: path itself (never replacing,
 * so no_clobber holds atomically), else a temporary name renamed over
 * path. */
static void
link_unnamed(struct io_output *out)
{
	char proc[64];
	int tries;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", out->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, out->path, AT_SYMLINK_FOLLOW) == 0)
		return;
	if (errno != EEXIST)
		die(EXIT_USAGE, "cannot create %s:", out->path);
	if (out->no_clobber)
		die(EXIT_USAGE, "%s already exists; not overwriting", out->path);
	out->tmp = temp_name(out->path);
	for (tries = 0; tries < 100; tries++) {
		/* linkat(2) never replaces: the name is ours when it
		 * succeeds, so a fresh random one is all it takes. */
		random_suffix(out->tmp + strlen(out->tmp) - 6);
		track(out->tmp, 1);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, out->tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			return;
		track(out->tmp, 0);
		if (errno != EEXIST)
			break;
	}
	die(EXIT_USAGE, "cannot create a temporary file beside %s:",
	    out->path);
}

static void
output_free(struct io_output *out)
{
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
	out->fd = -1;
}

void
io_output_commit(struct io_output *out)
{
	if (out->path == NULL) {
		if (out->fd == STDOUT_FILENO)
			io_close_stdout();
		else if (out->fd >= 0 && close(out->fd) != 0)
			die(EXIT_USAGE, "close output:");
		out->fd = -1;
		return;
	}
	if (fsync(out->fd) != 0)
		die(EXIT_USAGE, "fsync %s:", out->path);
	if (out->tmp == NULL)
		link_unnamed(out);
	if (close(out->fd) != 0)
		die(EXIT_USAGE, "close %s:", out->path);
	out->fd = -1;
	if (out->tmp == NULL) {
		/* Linked under its own name. */
	} else if (link(out->tmp, out->path) == 0) {
		unlink(out->tmp);
	} else if (errno == EEXIST && out->no_clobber) {
		/* link(2) never replaces, so a file that appeared since
		 * io_output_open() is still safe. */
		die(EXIT_USAGE, "%s already exists; not overwriting", out->path);
	} else if (rename(out->tmp, out->path) != 0) {
		die(EXIT_USAGE, "rename to %s:", out->path);
	}
	if (out->tmp != NULL)
		track(out->tmp, 0);
	output_free(out);
}

void
io_output_commit_pair(struct io_output *first, struct io_output *second)
{
	char *made = first->path != NULL && first->no_clobber ?
	    strdup(first->path) : NULL;

	io_output_commit(first);
	/* If the second cannot be made, neither exists: the first was
	 * created just now (no_clobber), so it is ours to remove. */
	if (made != NULL)
		track(made, 1);
	io_output_commit(second);
	if (made != NULL) {
		track(made, 0);
		free(made);
	}
}

void
io_output_abort(struct io_output *out)
{
	if (out->fd > STDERR_FILENO)
		close(out->fd);
	if (out->tmp != NULL) {
		unlink(out->tmp);
		track(out->tmp, 0);
	}
	output_free(out);
}

void
io_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_USAGE, "write stdout:");
}
