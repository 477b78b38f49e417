/* SPDX-License-Identifier: ISC */
/*
 * cli_compat.c: library operations under their old names, dying with
 * the reason (status 2, as they did) instead of returning it.
 *
 * The library's own versions return a code with a reason (core/io.h,
 * keys/keys.h, keys/passphrase.h).  These keep the files not converted yet building
 * and behaving as before: library files that still call them are named
 * by scripts/check-layers.sh, and each goes from here once none is
 * left.  A program may use them: "do it or die" is how a tool ends.
 */
#include "cli.h"
#include "core/filter.h"
#include "core/io.h"
#include "keys/keys.h"

void
io_check_std(int fd)
{
	struct rp_error err;

	if (io_std_check(fd, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

int
io_open_input(const char *path)
{
	struct rp_error err;
	int fd;

	if ((fd = io_input_open(path, &err)) < 0)
		die_error(&err, EXIT_USAGE);
	return fd;
}

size_t
io_read_some(int fd, void *buf, size_t n, const char *what)
{
	struct rp_error err;
	size_t got;

	if (io_read(fd, buf, n, &got, what, &err) != 0)
		die_error(&err, EXIT_USAGE);
	return got;
}

size_t
io_read_full(int fd, void *buf, size_t n, const char *what)
{
	struct rp_error err;
	size_t got;

	if (io_read_all(fd, buf, n, &got, what, &err) != 0)
		die_error(&err, EXIT_USAGE);
	return got;
}

void
io_write_all(int fd, const void *buf, size_t n, const char *what)
{
	struct rp_error err;

	if (io_write(fd, buf, n, what, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
io_writev_all(int fd, struct iovec *iov, int iovcnt, const char *what)
{
	struct rp_error err;

	if (io_writev(fd, iov, iovcnt, what, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

unsigned char *
io_read_file(const char *path, size_t max, size_t *len)
{
	struct rp_error err;
	unsigned char *buf;

	if (io_file_load(path, max, &buf, len, &err) != 0)
		die_error(&err, EXIT_USAGE);
	return buf;
}

void
io_output_open(struct io_output *out, const char *path, mode_t mode,
    int no_clobber)
{
	struct rp_error err;

	if (io_output_create(out, path, mode, no_clobber, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
io_output_commit(struct io_output *out)
{
	struct rp_error err;

	if (io_output_finish(out, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
io_output_commit_pair(struct io_output *first, struct io_output *second)
{
	struct rp_error err;

	if (io_output_finish_pair(first, second, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
io_close_stdout(void)
{
	struct rp_error err;

	if (io_stdout_flush(&err) != 0)
		die_error(&err, EXIT_USAGE);
}

char *
passphrase_get(const struct passphrase_source *src, const char *prompt,
    int confirm)
{
	struct rp_error err;
	char *pass;

	if (passphrase_read(src, prompt, confirm, &pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
	return pass;
}

void
key_load_public(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass)
{
	struct rp_error err;

	if (key_read_public(key, path, pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
key_load_private(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass)
{
	struct rp_error err;

	if (key_read_private(key, path, pass, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

size_t
key_load_private_all(struct rsa_key *keys, size_t max, const char *path,
    const struct passphrase_source *pass)
{
	struct rp_error err;
	size_t n;

	if (key_read_private_all(keys, max, path, pass, &n, &err) != 0)
		die_error(&err, EXIT_USAGE);
	return n;
}

size_t
key_parse_private_all(struct rsa_key *keys, size_t max,
    const unsigned char *buf, size_t len, const char *path,
    const struct passphrase_source *pass)
{
	struct rp_error err;
	size_t n;

	if (key_parse_private_each(keys, max, buf, len, path, pass, &n,
	    &err) != 0)
		die_error(&err, EXIT_USAGE);
	return n;
}

void
filter_input_open(struct filter_input *in, int fd, const char *what,
    size_t cap, const unsigned char *prefix, size_t prefix_len)
{
	filter_input_start(in, fd, what, cap, prefix, prefix_len);
	in->on_error = die_error;
}
