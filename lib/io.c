/* SPDX-License-Identifier: ISC */
/* io.c: robust reads and writes, key-file reading, atomic output files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "io.h"

int
io_open_input(const char *path)
{
	struct stat st;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
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

/* Temporary files not yet committed; removed by the atexit handler so a
 * failing program never leaves a half-written output behind. */
#define MAX_PENDING 8
static char *pending[MAX_PENDING];

static void
remove_pending(void)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending[i] != NULL) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

static void
track(char *tmp, int add)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(remove_pending);
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

void
io_output_open(struct io_output *out, const char *path, mode_t mode,
    int no_clobber)
{
	struct stat st;
	const char *slash;
	size_t dirlen;
	int fd;

	memset(out, 0, sizeof(*out));
	if (path == NULL || strcmp(path, "-") == 0) {
		out->fd = STDOUT_FILENO;
		return;
	}
	/* Refuse early, before any work, if the target exists; the commit
	 * checks again atomically. */
	if (no_clobber && lstat(path, &st) == 0)
		die(EXIT_USAGE, "%s already exists; not overwriting", path);
	if (!no_clobber && stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			die(EXIT_USAGE, "%s is a directory", path);
		/* A device, FIFO or socket (/dev/null, a pipe) is written in
		 * place: renaming a file over it would replace it. */
		if (!S_ISREG(st.st_mode)) {
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0)
				die(EXIT_USAGE, "cannot open %s:", path);
			out->fd = fd;
			return;
		}
	}

	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	out->path = strdup(path);
	out->tmp = malloc(dirlen + sizeof(".rsapipe-tmp-XXXXXX"));
	if (out->path == NULL || out->tmp == NULL)
		die(EXIT_USAGE, "out of memory");
	memcpy(out->tmp, path, dirlen);
	strcpy(out->tmp + dirlen, ".rsapipe-tmp-XXXXXX");
	/* mkstemp creates 0600 with O_EXCL; widen only if asked. */
	fd = mkostemp(out->tmp, O_CLOEXEC);
	if (fd < 0)
		die(EXIT_USAGE, "cannot create a temporary file beside %s:", path);
	track(out->tmp, 1);
	if (fchmod(fd, mode) != 0)
		die(EXIT_USAGE, "chmod %s:", out->tmp);
	out->fd = fd;
	out->no_clobber = no_clobber;
}

void
io_output_commit(struct io_output *out)
{
	if (out->tmp == NULL) {
		if (out->fd == STDOUT_FILENO)
			io_close_stdout();
		else if (out->fd >= 0 && close(out->fd) != 0)
			die(EXIT_USAGE, "close output:");
		out->fd = -1;
		return;
	}
	if (fsync(out->fd) != 0)
		die(EXIT_USAGE, "fsync %s:", out->path);
	if (close(out->fd) != 0)
		die(EXIT_USAGE, "close %s:", out->path);
	out->fd = -1;
	if (link(out->tmp, out->path) == 0) {
		unlink(out->tmp);
	} else if (errno == EEXIST && out->no_clobber) {
		/* link(2) never replaces, so a file that appeared since
		 * io_output_open() is still safe. */
		die(EXIT_USAGE, "%s already exists; not overwriting", out->path);
	} else {
		if (rename(out->tmp, out->path) != 0)
			die(EXIT_USAGE, "rename to %s:", out->path);
	}
	track(out->tmp, 0);
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
}

void
io_output_abort(struct io_output *out)
{
	if (out->tmp == NULL) {
		if (out->fd > STDERR_FILENO)
			close(out->fd);
		out->fd = -1;
		return;
	}
	close(out->fd);
	unlink(out->tmp);
	track(out->tmp, 0);
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
	out->fd = -1;
}

void
io_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_USAGE, "write stdout:");
}
