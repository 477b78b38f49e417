/* SPDX-License-Identifier: ISC */
/* passphrase.c: passphrases from a file, a descriptor or the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/passphrase.h"

#define BUF_SIZE (PASSPHRASE_MAX + 2)

/* The terminal state to put back if a signal ends the prompt, so a
 * Ctrl-C does not leave the user's shell without echo. */
static int tty_fd = -1;
static struct termios tty_saved;

static void
restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * One line from fd into a secure buffer, a byte at a time so that nothing
 * after the newline is consumed (the descriptor may carry more data).
 */
static char *
read_line(int fd, const char *what)
{
	char *buf, c;
	size_t n = 0;

	buf = secure_alloc(BUF_SIZE);
	for (;;) {
		if (io_read_some(fd, &c, 1, what) == 0 || c == '\n')
			break;
		if (n == PASSPHRASE_MAX) {
			secure_free(buf);
			die(EXIT_USAGE, "passphrase from %s is longer than %d "
			    "bytes", what, PASSPHRASE_MAX);
		}
		buf[n++] = c;
	}
	c = 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return buf;
}

static char *
prompt_tty(const char *prompt)
{
	struct sigaction sa, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct termios noecho;
	char *pass;
	int fd, i;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die(EXIT_USAGE, "no terminal to ask for the passphrase; use "
		    "--passphrase-file or --passphrase-fd");
	if (tcgetattr(fd, &tty_saved) != 0)
		die(EXIT_USAGE, "/dev/tty:");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
		die(EXIT_USAGE, "/dev/tty:");
	io_write_all(fd, prompt, strlen(prompt), "/dev/tty");
	pass = read_line(fd, "/dev/tty");
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	io_write_all(fd, "\n", 1, "/dev/tty");
	close(fd);
	return pass;
}

char *
passphrase_get(const struct passphrase_source *src, const char *prompt,
    int confirm)
{
	char *pass, *again;
	size_t len;
	int fd;

	if (src != NULL && src->file != NULL) {
		fd = io_open_input(src->file);
		pass = read_line(fd, src->file);
		if (fd != STDIN_FILENO)
			close(fd);
	} else if (src != NULL && src->fd >= 0) {
		pass = read_line(src->fd, "the passphrase descriptor");
	} else {
		pass = prompt_tty(prompt);
		if (confirm && pass[0] != '\0') {
			again = prompt_tty("Enter the same passphrase again: ");
			len = strlen(pass);
			if (strlen(again) != len || !ct_equal(pass, again, len)) {
				passphrase_free(pass);
				passphrase_free(again);
				die(EXIT_USAGE, "passphrases do not match");
			}
			passphrase_free(again);
		}
	}
	if (pass[0] == '\0') {
		passphrase_free(pass);
		if (src != NULL && src->file != NULL)
			die(EXIT_USAGE, "empty passphrase in %s", src->file);
		if (src != NULL && src->fd >= 0)
			die(EXIT_USAGE, "empty passphrase on descriptor %d",
			    src->fd);
		die(EXIT_USAGE, "empty passphrase typed");
	}
	return pass;
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
