/* SPDX-License-Identifier: ISC */
/* cli.c: printing, exiting and the shared options, for programs only. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/io.h"

/* A message names files and keys a person chose, or an attacker: a
 * control character in one (an escape sequence in a file name) is shown
 * as '?', never sent to the terminal as it is. */
static void
inert(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
}

/* The attribute lets clang's -Wformat=2 check callers instead of
 * warning about the non-literal format here. */
static void vreport(const char *, va_list, const char *)
	__attribute__((format(printf, 1, 0)));

static void
vreport(const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	size_t len = strlen(fmt), n;
	int r;

	/* One write(2) per message, so the lines of programs sharing a
	 * terminal or log (both keyswaps of a session) never interleave. */
	r = snprintf(line, sizeof(line), "%s: ", progname);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (suffix != NULL && n < sizeof(line)) {
		r = snprintf(line + n, sizeof(line) - n, "%s%s",
		    len > 0 && fmt[len - 1] == ':' ? " " : ": ", suffix);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2; /* a long message is cut, never lost */
	inert(line, n);
	line[n++] = '\n';
	fflush(stderr);
	(void)!write(STDERR_FILENO, line, n);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t len = strlen(fmt);

	va_start(ap, fmt);
	vreport(fmt, ap, len > 0 && fmt[len - 1] == ':' ? strerror(saved) : NULL);
	va_end(ap);
	exit(status);
}

void
die_gcry(int status, gcry_error_t err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, gcry_strerror(err));
	va_end(ap);
	exit(status);
}

int
exit_status_of(int code)
{
	switch (code) {
	case RP_OK:
		return EXIT_OK;
	case RP_CLOSED:
		return EXIT_PIPE;
	case RP_IO:
	case RP_USAGE:
	case RP_TIMEOUT:
		return EXIT_USAGE;
	default:
		return EXIT_AUTH;
	}
}

void
die_error(const struct rp_error *err, int status)
{
	/* A reader that went away (rsa-decrypt ... | head) is no fault to
	 * report: no message, and EXIT_PIPE whatever the caller's status,
	 * as cat's SIGPIPE death reads in the shell.  The atexit handlers
	 * still remove a temporary output and wipe secure memory. */
	if (err->code == RP_CLOSED)
		exit(EXIT_PIPE);
	die(status >= 0 ? status : exit_status_of(err->code), "%s",
	    err->reason[0] != '\0' ? err->reason : "failed");
}

void
notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, NULL);
	va_end(ap);
}

void
flush_stdout(void)
{
	struct rp_error err;

	if (io_stdout_flush(&err) != 0)
		die_error(&err, EXIT_USAGE);
}

void
print_version(void)
{
	printf("%s (rsapipe) %s\n", progname, RSAPIPE_VERSION);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EXIT_USAGE, "write stdout:");
	exit(EXIT_OK);
}

void
option_once(const char **slot, const char *value, const char *option)
{
	if (*slot != NULL)
		die(EXIT_USAGE, "%s given twice", option);
	*slot = value;
}

void
option_default(int opt, const char *arg, struct passphrase_source *src,
    void (*help)(void), void (*usage)(void))
{
	struct rp_error err;
	int r;

	if (opt == 'h' || opt == COMMON_OPT_HELP)
		help();
	else if (opt == COMMON_OPT_VERSION)
		print_version();
	else if (src == NULL ||
	    (r = passphrase_option(src, opt, arg, &err)) == 0)
		usage();
	else if (r < 0)
		die_error(&err, EXIT_USAGE);
}
