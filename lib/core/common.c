/* SPDX-License-Identifier: ISC */
/* common.c: process setup, dying, and secret-memory helpers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"

const char *progname = "rsapipe";
int rsapipe_std_closed[3];

/* A closed standard descriptor is opened on /dev/null, so that no file
 * the program opens takes its number: a notice meant for stderr must
 * not land in an output file that happened to get descriptor 2. */
static void
reopen_std(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_USAGE);
		rsapipe_std_closed[fd] = 1;
	}
}

/* Runs at every exit, die() included: zero the secure pool so no key
 * material outlives the process in freed pages. */
static void
secmem_terminate(void)
{
	gcry_control(GCRYCTL_TERM_SECMEM);
}

void
rsapipe_init(const char *argv0)
{
	const char *slash;
	struct rlimit no_core = { 0, 0 };

	reopen_std();
	if (argv0 != NULL && *argv0 != '\0') {
		slash = strrchr(argv0, '/');
		progname = slash != NULL ? slash + 1 : argv0;
	}

	/* A private key must never land in a core file or be readable
	 * through ptrace by another process of the same user. */
	if (setrlimit(RLIMIT_CORE, &no_core) != 0)
		die(EXIT_USAGE, "setrlimit(RLIMIT_CORE):");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		die(EXIT_USAGE, "prctl(PR_SET_DUMPABLE):");

	/* Writing to a closed pipe must be an error we report, not a
	 * silent SIGPIPE death that a script cannot tell from success. */
	signal(SIGPIPE, SIG_IGN);
	/* Likewise a file-size limit (ulimit -f): killed by SIGXFSZ we
	 * would leave a partly written private key in a temporary file;
	 * with EFBIG we die and the temporary file is removed. */
	signal(SIGXFSZ, SIG_IGN);

	if (!gcry_check_version(GCRYPT_VERSION))
		die(EXIT_USAGE, "libgcrypt is older than %s", GCRYPT_VERSION);
	/* Quiet: without mlock rights libgcrypt would warn on every run. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	if (gcry_control(GCRYCTL_INIT_SECMEM, RSAPIPE_SECMEM_BYTES, 0) != 0)
		die(EXIT_USAGE, "cannot initialise libgcrypt secure memory");
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	atexit(secmem_terminate);
}

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

void *
secure_alloc(size_t n)
{
	void *p = gcry_malloc_secure(n == 0 ? 1 : n);

	if (p == NULL)
		die(EXIT_USAGE, "out of secure memory");
	return p;
}

static struct {
	void *p;
	size_t n;
} plain[PLAIN_MAX];

/* Runs at every exit: no plaintext is left in freed pages. */
static void
plain_wipe_all(void)
{
	int i;

	for (i = 0; i < PLAIN_MAX; i++)
		wipe(plain[i].p, plain[i].n);
}

void *
plain_alloc(size_t n)
{
	static int registered;
	int i;

	if (!registered) {
		atexit(plain_wipe_all);
		registered = 1;
	}
	for (i = 0; i < PLAIN_MAX && plain[i].p != NULL; i++)
		continue;
	if (i == PLAIN_MAX)
		die(EXIT_USAGE, "internal error: too many plaintext buffers");
	if ((plain[i].p = malloc(n == 0 ? 1 : n)) == NULL)
		die(EXIT_USAGE, "out of memory");
	plain[i].n = n;
	return plain[i].p;
}

void
plain_free(void *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < PLAIN_MAX && plain[i].p != p; i++)
		continue;
	if (i == PLAIN_MAX)
		die(EXIT_USAGE, "internal error: plain_free of unknown memory");
	wipe(p, plain[i].n);
	free(p);
	plain[i].p = NULL;
	plain[i].n = 0;
}

void
wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
secure_free_(void *p)
{
	if (p != NULL)
		gcry_free(p);
}

int
ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void
put_be16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

void
put_be32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

unsigned
get_be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

unsigned long
get_be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
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
