/* SPDX-License-Identifier: ISC */
/* passphrase.c: passphrases from a file, a descriptor or the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "core/tty.h"
#include "keys/passphrase.h"

/*
 * The first line of fd into buf (PASSPHRASE_MAX + 1 bytes), a byte at a
 * time so that nothing after the newline is consumed (the descriptor
 * may carry more data).
 */
static int
read_line(int fd, char *buf, const char *what, struct rp_error *err)
{
	size_t n = 0, got;
	char c;
	int rc;

	for (;;) {
		if ((rc = io_read(fd, &c, 1, &got, what, err)) != 0)
			return rc;
		if (got == 0 || c == '\n')
			break;
		if (n == PASSPHRASE_MAX)
			return rp_fail(err, RP_USAGE, "passphrase from %s is "
			    "longer than %d bytes", what, PASSPHRASE_MAX);
		buf[n++] = c;
	}
	c = 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* The passphrase typed at the terminal, the reasons as they were when
 * this was a prompt of its own.  A signal at the prompt ends the
 * process as that signal would, once the terminal is put back. */
static int
prompt_tty(const char *prompt, char *buf, struct rp_error *err)
{
	int rc, signo;

	rc = tty_ask(prompt, buf, PASSPHRASE_MAX + 1, TTY_SECRET, &signo, err);
	if (signo != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
	}
	if (rc == RP_USAGE)
		return rp_fail(err, RP_USAGE, "no terminal to ask for the "
		    "passphrase; use --passphrase-file or --passphrase-fd");
	if (rc == RP_REFUSED)
		return rp_fail(err, RP_USAGE, "passphrase from /dev/tty is "
		    "longer than %d bytes", PASSPHRASE_MAX);
	return rc < 0 && rc != RP_MORE ? rc : 0;
}

/* Typed twice, when a new key is encrypted: both must be the same. */
static int
confirm_tty(const char *pass, struct rp_error *err)
{
	char *again = secure_alloc(PASSPHRASE_MAX + 1);
	size_t len = strlen(pass);
	int rc;

	rc = prompt_tty("Enter the same passphrase again: ", again, err);
	if (rc == 0 && (strlen(again) != len || !ct_equal(pass, again, len)))
		rc = rp_fail(err, RP_USAGE, "passphrases do not match");
	passphrase_free(again);
	return rc;
}

/* The line from a file or descriptor source. */
static int
read_source(const struct passphrase_source *src, char *buf,
    struct rp_error *err)
{
	int fd, rc;

	if (src->fd >= 0)
		return read_line(src->fd, buf, "the passphrase descriptor", err);
	if ((fd = io_input_open(src->file, err)) < 0)
		return fd;
	rc = read_line(fd, buf, src->file, err);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static int
empty(const struct passphrase_source *src, struct rp_error *err)
{
	if (src != NULL && src->file != NULL)
		return rp_fail(err, RP_USAGE, "empty passphrase in %s",
		    src->file);
	if (src != NULL && src->fd >= 0)
		return rp_fail(err, RP_USAGE, "empty passphrase on descriptor "
		    "%d", src->fd);
	return rp_fail(err, RP_USAGE, "empty passphrase typed");
}

int
passphrase_read(const struct passphrase_source *src, const char *prompt,
    int confirm, char **pass, struct rp_error *err)
{
	char *buf = secure_alloc(PASSPHRASE_MAX + 1);
	int rc;

	buf[0] = '\0';
	if (src != NULL && (src->file != NULL || src->fd >= 0)) {
		rc = read_source(src, buf, err);
	} else {
		rc = prompt_tty(prompt, buf, err);
		if (rc == 0 && confirm && buf[0] != '\0')
			rc = confirm_tty(buf, err);
	}
	if (rc == 0 && buf[0] == '\0')
		rc = empty(src, err);
	if (rc != 0) {
		passphrase_free(buf); /* wiped: it may hold part of one */
		return rc;
	}
	*pass = buf;
	return 0;
}

void
passphrase_free(char *pass)
{
	secure_free(pass);
}

int
passphrase_parse_fd(const char *arg, struct rp_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > INT_MAX)
		return rp_fail(err, RP_USAGE, "bad --passphrase-fd: %s", arg);
	if (fcntl((int)v, F_GETFD) < 0)
		return rp_fail_errno(err, RP_USAGE, "--passphrase-fd %ld", v);
	return (int)v;
}

int
passphrase_option(struct passphrase_source *src, int opt, const char *arg,
    struct rp_error *err)
{
	int fd;

	switch (opt) {
	case PASSPHRASE_OPT_FILE:
		src->file = arg;
		break;
	case PASSPHRASE_OPT_FD:
		if ((fd = passphrase_parse_fd(arg, err)) < 0)
			return fd;
		src->fd = fd;
		break;
	default:
		return 0;
	}
	if (src->file != NULL && src->fd >= 0)
		return rp_fail(err, RP_USAGE, "--passphrase-file and "
		    "--passphrase-fd exclude each other");
	return 1;
}
