/* SPDX-License-Identifier: ISC */
/*
 * common.h: process setup, secret-memory helpers, big-endian helpers.
 *
 * Every program calls rsapipe_init() first thing in main().  Library code
 * never initialises libgcrypt itself (the application owns that, as the
 * libgcrypt manual requires).
 */
#ifndef RSAPIPE_COMMON_H
#define RSAPIPE_COMMON_H

#include <stddef.h>
#include <gcrypt.h>

/* The version is the file VERSION at the top of the tree; the Makefile
 * passes it as -DRSAPIPE_VERSION.  A build that does not says so. */
#ifndef RSAPIPE_VERSION
#define RSAPIPE_VERSION "unknown"
#endif

/* Exit statuses, doc/DESIGN.md section 5.  Scripts depend on these. */
enum {
	EXIT_OK = 0,
	EXIT_AUTH = 1,  /* authentication, decryption or verification failed */
	EXIT_USAGE = 2, /* bad usage, unreadable file, bad key file, environment */
	/* The reader of our output went away (RP_CLOSED): quietly, with the
	 * status a shell reports for cat killed by SIGPIPE (128 + 13), so a
	 * pipeline under `set -o pipefail` sees what it sees of cat; not 0,
	 * since the input was not read (nor authenticated) to its end. */
	EXIT_PIPE = 141
};

/* Secure memory pool: large enough for 16384-bit key generation. */
#define RSAPIPE_SECMEM_BYTES (256 * 1024)

extern const char *progname;
/* Standard descriptors that were closed at start-up (see io_std_check, core/io.h). */
extern int rsapipe_std_closed[3];

/*
 * Initialise the process: program name for messages, libgcrypt (version
 * check, secure memory, initialization finished), core dumps off and
 * non-dumpable (the programs hold private keys), SIGPIPE ignored so a
 * closed pipe is an EPIPE the writers return as RP_CLOSED (a program
 * then removes what it must and exits EXIT_PIPE quietly) rather than a
 * death that skips the clean-up.
 */
void rsapipe_init(const char *argv0);

/* Secure memory: allocated with gcry_malloc_secure; rp_fatal() when the
 * pool is exhausted. */
void *secure_alloc(size_t n);
/*
 * Free secure memory; p may be NULL.  libgcrypt wipes every secure block
 * it frees, so no size is needed.  (A second argument, the size callers
 * once had to restate, is accepted and ignored while code written before
 * moves over.)
 */
void secure_free_(void *p);
#define secure_free(...) secure_free_(RSAPIPE_FIRST_ARG(__VA_ARGS__, 0))
#define RSAPIPE_FIRST_ARG(a, ...) (a)
/*
 * Ordinary memory for plaintext too large for the secure pool (a
 * record buffer): rp_fatal() when exhausted; wiped when freed with
 * plain_free() and, if still held, at every exit.  At most
 * PLAIN_MAX blocks at a time.
 */
#define PLAIN_MAX 4
void *plain_alloc(size_t n);
void plain_free(void *p);
/* Wipe memory in a way the compiler cannot elide. */
void wipe(void *p, size_t n);
/* Constant-time comparison: 1 if equal, 0 if not; time depends on n only. */
int ct_equal(const void *a, const void *b, size_t n);

/* Big-endian helpers for the wire formats. */
void put_be16(unsigned char *p, unsigned v);
void put_be32(unsigned char *p, unsigned long v);
unsigned get_be16(const unsigned char *p);
unsigned long get_be32(const unsigned char *p);

#endif
