/* SPDX-License-Identifier: ISC */
/*
 * io.h: file and descriptor I/O that finishes short writes, retries EINTR,
 * and makes output files all-or-nothing.
 */
#ifndef RSAPIPE_IO_H
#define RSAPIPE_IO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Open path for reading; NULL or "-" means stdin.  Dies (EXIT_USAGE)
 * naming the path when it cannot be opened or is a directory. */
int io_open_input(const char *path);

/* One read(2), retrying EINTR.  Returns bytes read, 0 at EOF.  On error
 * dies (EXIT_USAGE) naming what. */
size_t io_read_some(int fd, void *buf, size_t n, const char *what);

/* Read until n bytes or EOF; returns the count (short only at EOF). */
size_t io_read_full(int fd, void *buf, size_t n, const char *what);

/* Write all bytes, finishing short writes and retrying EINTR; a write of
 * 0 is treated as EPIPE.  Dies (EXIT_USAGE) naming what on error. */
void io_write_all(int fd, const void *buf, size_t n, const char *what);

/* As io_write_all for an iovec array (modified in place). */
void io_writev_all(int fd, struct iovec *iov, int iovcnt, const char *what);

/*
 * Read a whole (small) file, such as a key, into memory allocated with
 * gcry_malloc_secure (so a private key file never sits in ordinary heap),
 * NUL-terminated.  path "-" reads stdin.  Refuses directories and files
 * over max bytes.  Dies (EXIT_USAGE) naming the path.  Free the result
 * with secure_free(buf).
 */
unsigned char *io_read_file(const char *path, size_t max, size_t *len);

/*
 * An output that appears all at once or not at all.  With path NULL or
 * "-" it is stdout, written directly.  Otherwise data goes to an unnamed
 * file (O_TMPFILE) in the same directory, created with the given mode,
 * which io_output_commit() links into place: a process that ends first,
 * however it ends, leaves nothing.  On a filesystem without O_TMPFILE a
 * named temporary file is used instead, removed at exit and on SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT.  With no_clobber the commit refuses
 * (EXIT_USAGE) to replace an existing file, atomically (link(2)).  A name
 * that cannot be created (too long, no such directory) is refused at
 * open, before any work.  An existing device, FIFO or socket (/dev/null,
 * a named pipe) is written in place, since renaming over it would
 * replace it.
 */
struct io_output {
	int fd;
	char *path; /* final name, NULL for stdout or a device */
	char *tmp;  /* named temporary file, when there is one */
	int no_clobber;
};

void io_output_open(struct io_output *out, const char *path, mode_t mode,
    int no_clobber);
void io_output_commit(struct io_output *out);
/* Commit two outputs that belong together (a key pair): if the second
 * cannot be made, the first (opened with no_clobber) is removed again,
 * so both appear or neither. */
void io_output_commit_pair(struct io_output *first, struct io_output *second);
/* Remove the temporary file now (on a failure path that does not die). */
void io_output_abort(struct io_output *out);

/* Remove uncommitted named temporary files; async-signal-safe, for the
 * signal handler rsapipe_init() installs. */
void io_remove_pending(void);

/* A standard descriptor that was closed at start-up (rsapipe_init()
 * holds its number on /dev/null) is refused as data: "standard input
 * is closed" (EXIT_USAGE). */
void io_check_std(int fd);

/* Flush and check stdout; a full disk must not look like success.  Dies
 * (EXIT_USAGE) on error. */
void io_close_stdout(void);

#endif
