/* SPDX-License-Identifier: ISC */
/* tty.c: one question on /dev/tty, echo on or off, signals survived. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/tty.h"

static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

/* Catch what would end us at the prompt, without SA_RESTART so the read
 * returns, and put the old handlers back afterwards. */
static void
catch_signals(struct sigaction old[3], int on)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		if (on)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
}

/* Best effort: a terminal we cannot write to will not answer either. */
static void
tty_write(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR && !caught)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* One line, a byte at a time so nothing after the newline is taken. */
static int
read_line(int fd, char *buf, size_t size, struct rp_error *err)
{
	size_t n = 0;
	int too_long = 0;
	ssize_t got;
	char c;

	for (;;) {
		got = read(fd, &c, 1);
		if (caught)
			return rp_fail(err, RP_IO, "interrupted");
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno != EIO)
			return rp_fail_errno(err, RP_IO, "/dev/tty");
		if (got <= 0)
			return rp_fail(err, RP_MORE, "end of input");
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			too_long = 1;
	}
	c = 0;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (too_long) {
		wipe(buf, size);
		return rp_fail(err, RP_REFUSED, "longer than %zu bytes",
		    size - 1);
	}
	return (int)n;
}

/* Echo off for a secret; *saved is what to put back. */
static int
echo_off(int fd, struct termios *saved, struct rp_error *err)
{
	struct termios noecho;

	if (tcgetattr(fd, saved) != 0)
		return rp_fail_errno(err, RP_IO, "/dev/tty");
	noecho = *saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
		return rp_fail_errno(err, RP_IO, "/dev/tty");
	return 0;
}

int
tty_ask(const char *text, char *buf, size_t size, int flags, int *signo,
    struct rp_error *err)
{
	struct sigaction old[3];
	struct termios saved;
	int fd, rc;

	*signo = 0;
	buf[0] = '\0';
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return rp_fail(err, RP_USAGE, "no terminal");
	caught = 0;
	catch_signals(old, 1);
	rc = (flags & TTY_SECRET) ? echo_off(fd, &saved, err) : 0;
	if (rc == 0) {
		if (flags & TTY_FLUSH)
			(void)tcflush(fd, TCIFLUSH);
		tty_write(fd, text);
		rc = read_line(fd, buf, size, err);
		if (flags & TTY_SECRET)
			tcsetattr(fd, TCSAFLUSH, &saved);
		/* The newline the user typed was not shown, or no line
		 * came: end the question's line. */
		if ((flags & TTY_SECRET) || rc < 0)
			tty_write(fd, "\n");
	}
	catch_signals(old, 0);
	close(fd);
	*signo = caught;
	return rc;
}
