/* SPDX-License-Identifier: ISC */
/*
 * io.h: file and descriptor I/O that finishes short writes, retries EINTR,
 * and makes output files all-or-nothing.
 *
 * Every function returns 0 (or a count where it says so) or a negative
 * rp_err code with the reason in err (core/error.h): RP_IO with the file
 * or what was being done and errno's text ("cannot open F: No such file
 * or directory", "write stdout: Broken pipe"), RP_USAGE for a file that
 * cannot be used as asked ("F is a directory", "F already exists; not
 * overwriting", "standard input is closed").
 */
#ifndef RSAPIPE_IO_H
#define RSAPIPE_IO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct rp_error;

/* A standard descriptor that was closed at start-up (rsapipe_init()
 * holds its number on /dev/null) is refused as data: RP_USAGE
 * "standard input is closed". */
int io_std_check(int fd, struct rp_error *err);

/* Open path for reading; NULL or "-" means stdin.  Returns the
 * descriptor, or RP_IO / RP_USAGE (a directory) naming the path. */
int io_input_open(const char *path, struct rp_error *err);

/* One read(2), retrying EINTR: *got bytes, 0 at EOF.  RP_IO naming what
 * ("read WHAT: ..."). */
int io_read(int fd, void *buf, size_t n, size_t *got, const char *what,
    struct rp_error *err);
/* Read until n bytes or EOF: *got is short only at EOF. */
int io_read_all(int fd, void *buf, size_t n, size_t *got, const char *what,
    struct rp_error *err);

/* Write all bytes, finishing short writes and retrying EINTR; a write of
 * 0 is treated as EPIPE.  RP_IO naming what ("write WHAT: ..."), or
 * RP_CLOSED (same reason) when the reader is gone (EPIPE). */
int io_write(int fd, const void *buf, size_t n, const char *what,
    struct rp_error *err);
/* As io_write for an iovec array (modified in place). */
int io_writev(int fd, struct iovec *iov, int iovcnt, const char *what,
    struct rp_error *err);

/*
 * Read a whole (small) file, such as a key, into memory allocated with
 * gcry_malloc_secure (so a private key file never sits in ordinary heap),
 * NUL-terminated, into *buf and *len.  path "-" reads stdin.  Refuses
 * directories and files over max bytes (RP_USAGE "F: file too large
 * (over N bytes)").  Free the result with secure_free(*buf).
 */
int io_file_load(const char *path, size_t max, unsigned char **buf,
    size_t *len, struct rp_error *err);

/*
 * An output that appears all at once or not at all.  With path NULL or
 * "-" it is stdout, written directly.  Otherwise data goes to an unnamed
 * file (O_TMPFILE) in the same directory, created with the given mode,
 * which io_output_finish() links into place: a process that ends first,
 * however it ends, leaves nothing.  On a filesystem without O_TMPFILE a
 * named temporary file is used instead, removed at exit and on SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT.  With no_clobber the commit refuses
 * (RP_USAGE) to replace an existing file, atomically (link(2)).  A name
 * that cannot be created (too long, no such directory) is refused at
 * open, before any work.  An existing device, FIFO or socket (/dev/null,
 * a named pipe) is written in place, since renaming over it would
 * replace it.  After a failure, io_output_abort() (or exit) removes what
 * was made.
 */
struct io_output {
	int fd;
	char *path; /* final name, NULL for stdout or a device */
	char *tmp;  /* named temporary file, when there is one */
	int no_clobber;
};

int io_output_create(struct io_output *out, const char *path, mode_t mode,
    int no_clobber, struct rp_error *err);
int io_output_finish(struct io_output *out, struct rp_error *err);
/* Commit two outputs that belong together (a key pair): if the second
 * cannot be made, the first (opened with no_clobber) is removed again,
 * so both appear or neither. */
int io_output_finish_pair(struct io_output *first, struct io_output *second,
    struct rp_error *err);
/* Remove the temporary file now (on a failure path that goes on). */
void io_output_abort(struct io_output *out);

/* Remove uncommitted named temporary files; async-signal-safe, for the
 * signal handler io_output_create() installs. */
void io_remove_pending(void);

/* Flush and check stdout; a full disk must not look like success:
 * RP_IO "write stdout: ...". */
int io_stdout_flush(struct rp_error *err);

#endif
