/* SPDX-License-Identifier: ISC */
/* error.c: recording failures for the caller, and the one fatal end. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"

/* The attribute lets clang's -Wformat=2 check callers instead of
 * warning about the non-literal format here. */
static int record(struct rp_error *, int, const char *, const char *,
    va_list) __attribute__((format(printf, 4, 0)));

static int
record(struct rp_error *err, int code, const char *suffix, const char *fmt,
    va_list ap)
{
	size_t n;

	if (err == NULL)
		return code;
	err->code = code;
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	if (suffix != NULL) {
		n = strlen(err->reason);
		snprintf(err->reason + n, sizeof(err->reason) - n, ": %s",
		    suffix);
	}
	return code;
}

int
rp_fail(struct rp_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = record(err, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int
rp_fail_errno(struct rp_error *err, int code, const char *fmt, ...)
{
	const char *text = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	code = record(err, code, text, fmt, ap);
	va_end(ap);
	return code;
}

int
rp_fail_gcry(struct rp_error *err, int code, gcry_error_t e,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = record(err, code, gcry_strerror(e), fmt, ap);
	va_end(ap);
	return code;
}

int
rp_prefix(struct rp_error *err, const char *fmt, ...)
{
	char old[RP_REASON_MAX];
	size_t n;
	va_list ap;

	if (err == NULL)
		return RP_OK;
	memcpy(old, err->reason, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	n = strlen(err->reason);
	snprintf(err->reason + n, sizeof(err->reason) - n, ": %s", old);
	return err->code;
}

int
rp_recode(struct rp_error *err, int code)
{
	if (err != NULL)
		err->code = code;
	return code;
}

void
rp_clear(struct rp_error *err)
{
	if (err != NULL) {
		err->code = RP_OK;
		err->reason[0] = '\0';
	}
}

_Noreturn void
rp_fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: internal error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

void *
rp_alloc(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL)
		rp_fatal("out of memory");
	return p;
}

void *
rp_calloc(size_t count, size_t size)
{
	void *p = calloc(count != 0 ? count : 1, size != 0 ? size : 1);

	if (p == NULL)
		rp_fatal("out of memory");
	return p;
}

void *
rp_realloc(void *p, size_t n)
{
	void *q = realloc(p, n != 0 ? n : 1);

	if (q == NULL)
		rp_fatal("out of memory");
	return q;
}
