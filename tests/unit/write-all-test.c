/* SPDX-License-Identifier: ISC */
/*
 * write-all-test: the one write loop (lib/core/write_all.h) on a pipe,
 * in one process: a non-blocking pipe much smaller than the data makes
 * every write short or EAGAIN, and the ready hook drains the other end,
 * so the bytes must arrive whole and in order; without a hook EAGAIN is
 * an error; chunk bounds each write(2); a hook's refusal stops before
 * any write with its code; a reader gone is RP_CLOSED with errno EPIPE and
 * the reason "write WHAT: ...".  (EINTR is retried by the same branch
 * as EAGAIN and is not provoked here.)  Exits 0 when every check passes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "core/write_all.h"
#include "unit.h"

#define BIG (1 << 20)

struct drain {
	int fd;              /* the read end */
	unsigned char *got;  /* what has arrived */
	size_t n, calls, refuse_at;
};

/*
 * Before each write: every other time, take what the pipe holds, as a
 * slow reader would; the times between, the pipe stays full and the
 * write meets EAGAIN, which must bring the writer back here.
 */
static int
drain_ready(void *ctx, struct rp_error *err)
{
	struct drain *d = ctx;
	ssize_t r;

	if (++d->calls == d->refuse_at)
		return rp_fail(err, RP_TIMEOUT, "peer too slow");
	if (d->calls % 2 == 1)
		return 0;
	while ((r = read(d->fd, d->got + d->n, BIG - d->n)) > 0)
		d->n += (size_t)r;
	return 0;
}

static void
nonblocking_pipe(int p[2])
{
	if (pipe(p) != 0 || fcntl(p[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) != 0)
		die(2, "pipe:");
#ifdef F_SETPIPE_SZ
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
#endif
}

static void
short_writes(const unsigned char *data)
{
	struct drain d = { 0, NULL, 0, 0, 0 };
	struct write_all_opts o = { 0, drain_ready, &d };
	struct rp_error err;
	int p[2], rc;

	nonblocking_pipe(p);
	d.fd = p[0];
	d.got = malloc(BIG);
	rc = write_all(p[1], data, BIG, "test", &o, &err);
	d.calls |= 1;
	(void)drain_ready(&d, &err);
	CHECK(rc == 0 && d.n == BIG && memcmp(d.got, data, BIG) == 0,
	    "1 MiB through a small non-blocking pipe: %zu bytes", d.n);
	CHECK(d.calls > 2, "the hook ran before each write (%zu)", d.calls);
	rp_clear(&err);
	rc = write_all(p[1], data, BIG, "test", NULL, &err);
	CHECK(rc == RP_IO && errno == EAGAIN &&
	    strncmp(err.reason, "write test: ", 12) == 0,
	    "without a hook EAGAIN is RP_IO (\"%s\")", err.reason);
	close(p[0]);
	close(p[1]);
	free(d.got);
}

static void
chunks_and_refusal(const unsigned char *data)
{
	struct drain d = { 0, NULL, 0, 0, 0 };
	struct write_all_opts o = { 1000, drain_ready, &d };
	struct rp_error err;
	int p[2], rc;

	nonblocking_pipe(p);
	d.fd = p[0];
	d.got = malloc(BIG);
	rc = write_all(p[1], data, 10000, "test", &o, &err);
	d.calls |= 1;
	(void)drain_ready(&d, &err);
	CHECK(rc == 0 && d.n == 10000 && d.calls >= 10,
	    "chunk 1000: 10000 bytes in at least 10 writes (%zu)", d.calls);
	d.calls = 0;
	d.n = 0;
	d.refuse_at = 1;
	rp_clear(&err);
	rc = write_all(p[1], data, 100, "test", &o, &err);
	d.refuse_at = 0;
	d.calls |= 1;
	(void)drain_ready(&d, &err);
	CHECK(rc == RP_TIMEOUT && err.code == RP_TIMEOUT &&
	    strcmp(err.reason, "peer too slow") == 0 && d.n == 0,
	    "a hook's refusal: its code and reason, nothing written");
	close(p[0]);
	close(p[1]);
	free(d.got);
}

static void
reader_gone(const unsigned char *data)
{
	struct rp_error err;
	int p[2], rc;

	if (pipe(p) != 0)
		die(2, "pipe:");
	close(p[0]);
	rp_clear(&err);
	errno = 0;
	rc = write_all(p[1], data, 10, "the peer", NULL, &err);
	CHECK(rc == RP_CLOSED && errno == EPIPE && err.code == RP_CLOSED &&
	    strncmp(err.reason, "write the peer: ", 16) == 0,
	    "a closed reader: RP_CLOSED, EPIPE kept (\"%s\")", err.reason);
	CHECK(write_all(p[1], data, 0, "the peer", NULL, &err) == 0,
	    "nothing to write is no write");
	close(p[1]);
}

int
main(int argc, char **argv)
{
	unsigned char *data;
	size_t i;

	(void)argc;
	rsapipe_init(argv[0]);  /* SIGPIPE ignored: EPIPE is RP_CLOSED */
	data = malloc(BIG);
	for (i = 0; i < BIG; i++)
		data[i] = (unsigned char)(i * 31 + i / 4093);
	short_writes(data);
	chunks_and_refusal(data);
	reader_gone(data);
	free(data);
	return unit_done("write_all");
}
