/* SPDX-License-Identifier: ISC */
/* io.c: robust reads and writes, and whole small files (key files);
 * the all-or-nothing outputs are io_output.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/io.h"

int
io_std_check(int fd, struct rp_error *err)
{
	static const char *const names[] = { "standard input",
	    "standard output", "standard error" };

	if (fd >= 0 && fd <= 2 && rsapipe_std_closed[fd])
		return rp_fail(err, RP_USAGE, "%s is closed", names[fd]);
	return 0;
}

int
io_input_open(const char *path, struct rp_error *err)
{
	struct stat st;
	int fd, rc;

	if (path == NULL || strcmp(path, "-") == 0) {
		if ((rc = io_std_check(STDIN_FILENO, err)) != 0)
			return rc;
		return STDIN_FILENO;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rp_fail_errno(err, RP_IO, "cannot open %s", path);
	if (fstat(fd, &st) != 0) {
		rc = rp_fail_errno(err, RP_IO, "cannot stat %s", path);
		close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return rp_fail(err, RP_USAGE, "%s is a directory", path);
	}
	return fd;
}

int
io_read(int fd, void *buf, size_t n, size_t *got, const char *what,
    struct rp_error *err)
{
	ssize_t r;

	for (;;) {
		r = read(fd, buf, n);
		if (r >= 0) {
			*got = (size_t)r;
			return 0;
		}
		if (errno != EINTR)
			return rp_fail_errno(err, RP_IO, "read %s", what);
	}
}

int
io_read_all(int fd, void *buf, size_t n, size_t *got, const char *what,
    struct rp_error *err)
{
	unsigned char *p = buf;
	size_t r;
	int rc;

	*got = 0;
	while (*got < n) {
		if ((rc = io_read(fd, p + *got, n - *got, &r, what, err)) != 0)
			return rc;
		if (r == 0)
			break;
		*got += r;
	}
	return 0;
}

int
io_write(int fd, const void *buf, size_t n, const char *what,
    struct rp_error *err)
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
			return rp_fail_errno(err, errno == EPIPE ? RP_CLOSED :
			    RP_IO, "write %s", what);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
io_writev(int fd, struct iovec *iov, int iovcnt, const char *what,
    struct rp_error *err)
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
			return rp_fail_errno(err, errno == EPIPE ? RP_CLOSED :
			    RP_IO, "write %s", what);
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
	return 0;
}

int
io_file_load(const char *path, size_t max, unsigned char **buf,
    size_t *len, struct rp_error *err)
{
	unsigned char *p;
	size_t got;
	int fd, rc;

	if ((fd = io_input_open(path, err)) < 0)
		return fd;
	p = secure_alloc(max + 2);
	/* Read one byte past max so an oversized file is detected. */
	rc = io_read_all(fd, p, max + 1, &got, path, err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc == 0 && got > max)
		rc = rp_fail(err, RP_USAGE, "%s: file too large (over %zu "
		    "bytes)", path, max);
	if (rc != 0) {
		secure_free(p); /* wiped: it may hold part of a key */
		return rc;
	}
	p[got] = '\0';
	*buf = p;
	*len = got;
	return 0;
}

int
io_stdout_flush(struct rp_error *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return rp_fail_errno(err, RP_IO, "write stdout");
	return 0;
}
