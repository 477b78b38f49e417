/* SPDX-License-Identifier: ISC */
/* common.c: process setup and secret-memory helpers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* Runs at every exit (rp_fatal's and the tools' die() included): zero
 * the secure pool so no key material outlives the process in freed
 * pages. */
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
		rp_fatal("setrlimit(RLIMIT_CORE): %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		rp_fatal("prctl(PR_SET_DUMPABLE): %s", strerror(errno));

	/* Writing to a closed pipe is EPIPE, returned as RP_CLOSED: the
	 * program removes a temporary output and wipes secure memory, then
	 * exits EXIT_PIPE without a message, as cat does when killed by the
	 * signal (a SIGPIPE death would skip that clean-up). */
	signal(SIGPIPE, SIG_IGN);
	/* Likewise a file-size limit (ulimit -f): killed by SIGXFSZ we
	 * would leave a partly written private key in a temporary file;
	 * with EFBIG we die and the temporary file is removed. */
	signal(SIGXFSZ, SIG_IGN);

	if (!gcry_check_version(GCRYPT_VERSION))
		rp_fatal("libgcrypt is older than %s", GCRYPT_VERSION);
	/* Quiet: without mlock rights libgcrypt would warn on every run. */
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	if (gcry_control(GCRYCTL_INIT_SECMEM, RSAPIPE_SECMEM_BYTES, 0) != 0)
		rp_fatal("cannot initialise libgcrypt secure memory");
	gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	atexit(secmem_terminate);
}

void *
secure_alloc(size_t n)
{
	void *p = gcry_malloc_secure(n == 0 ? 1 : n);

	if (p == NULL)
		rp_fatal("out of secure memory");
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
		rp_fatal("too many plaintext buffers");
	plain[i].p = rp_alloc(n);
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
		rp_fatal("plain_free of unknown memory");
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
