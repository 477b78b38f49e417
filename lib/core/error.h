/* SPDX-License-Identifier: ISC */
/*
 * error.h: the library's one error convention (doc/DESIGN.md, "Errors").
 *
 * A function that can fail returns 0 (or a count, where it says so) or
 * a negative enum rp_err code, and fills the caller's struct rp_error
 * with that code and a one-line reason for a person.  Callers branch on
 * the code, never on the text.  The reason names the cause and, where a
 * caller adds it with rp_prefix(), the file or part ("alice.pem:
 * modulus is 1024 bits; 2048 to 16384 required").  No secret ever goes
 * into a reason.
 *
 * The library never prints and never exits: only the tools do, through
 * tools/cli.c, which maps a code to the documented exit status.  The
 * single exception is a fault that is nobody's input (memory exhausted,
 * libgcrypt failing on values the library built itself): rp_fatal(),
 * which the allocation wrappers call, ends the process with status 2.
 */
#ifndef RSAPIPE_ERROR_H
#define RSAPIPE_ERROR_H

#include <stddef.h>
#include <gcrypt.h>

enum rp_err {
	RP_OK = 0,
	RP_MORE = -1,        /* the input ends early: more bytes are needed */
	RP_MALFORMED = -2,   /* the bytes do not parse */
	RP_REFUSED = -3,     /* they parse, but are refused (a value out of
	                        range, an unsupported kind, a bad key) */
	RP_NOKEY = -4,       /* nothing in it for this key */
	RP_DECRYPT = -5,     /* something for this key that does not decrypt */
	RP_AUTH = -6,        /* a MAC, tag, signature or proof fails */
	RP_PASSPHRASE = -7,  /* wrong passphrase or corrupt encrypted key */
	RP_IO = -8,          /* a system call failed (the reason has errno's
	                        text): unreadable file, full disk, closed pipe */
	RP_USAGE = -9,       /* the caller asked for what cannot be done: an
	                        option that does not go with the input */
	RP_TIMEOUT = -10,    /* a peer or an agent did not answer in time */
	RP_CLOSED = -11      /* the reader of an output went away (EPIPE):
	                        not a fault, the end (cli.c exits quietly) */
};

/* As long as a message line (tools/cli.c): a reason may name a long path. */
#define RP_REASON_MAX 1024

struct rp_error {
	int code;                     /* enum rp_err; RP_OK when clear */
	char reason[RP_REASON_MAX];   /* one line, no trailing newline */
};

/*
 * Record a failure: err->code = code, err->reason = the formatted text.
 * Returns code, so a failure is one statement:
 *	return rp_fail(err, RP_MALFORMED, "bad base64 at line %zu", n);
 * err may be NULL (a caller that only wants the code).
 */
int rp_fail(struct rp_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As rp_fail(), with ": " and strerror(errno) appended (errno as it was
 * on entry). */
int rp_fail_errno(struct rp_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As rp_fail(), with ": " and libgcrypt's text for e appended. */
int rp_fail_gcry(struct rp_error *err, int code, gcry_error_t e,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Put context in front of the reason already recorded ("FILE: " + old
 * reason) and return err->code, so a caller passes a failure up with
 *	return rp_prefix(err, "%s", path);
 */
int rp_prefix(struct rp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Keep the reason recorded, under another code, and return that code:
 * for a caller whose own contract names a different code for a failure
 * a lower function reported ("bad algorithm identifier" is RP_REFUSED
 * from der_read_oid(), RP_MALFORMED inside an encrypted key's header).
 */
int rp_recode(struct rp_error *err, int code);
/* Forget a recorded failure (after a caller chose to go on). */
void rp_clear(struct rp_error *err);

/*
 * The one end for faults that are not the input's: prints "PROGRAM:
 * internal error: ..." and exits 2 (secure memory is wiped at exit).
 */
_Noreturn void rp_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The one allocation wrapper: malloc, calloc or realloc, or rp_fatal()
 * "out of memory". */
void *rp_alloc(size_t n);
void *rp_calloc(size_t count, size_t size);
void *rp_realloc(void *p, size_t n);

#endif
