/* SPDX-License-Identifier: ISC */
/*
 * filter-test: buffered filter input (lib/core/filter.h): bytes read
 * ahead (the prefix) come first, peek reads once more without taking,
 * need() makes bytes contiguous and reports the end, a large input
 * streams through a small buffer, and a decoder sees every byte not yet
 * taken (the peeked ones too), may turn a read into nothing, is told of
 * the end, and its failures end the process with status 1 and its
 * reason.  Exits 0 when every check passes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/filter.h"
#include "unit.h"

/* A descriptor that reads back text, then ends. */
static int
input(const void *text, size_t n)
{
	char path[] = "/tmp/filter-test.XXXXXX";
	int fd;

	if ((fd = mkstemp(path)) < 0 || unlink(path) != 0 ||
	    write(fd, text, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0)
		die(2, "temporary file:");
	return fd;
}

/* Everything the input yields, as a string. */
static size_t
drain(struct filter_input *in, char *out, size_t cap)
{
	size_t n = 0, k;

	while (filter_input_fill(in) > 0 || in->end > in->start) {
		k = in->end - in->start;
		if (n + k >= cap)
			k = cap - 1 - n;
		memcpy(out + n, in->buf + in->start, k);
		n += k;
		in->start = in->end;
	}
	out[n] = '\0';
	return n;
}

static void
prefix_and_peek(void)
{
	struct filter_input in;
	const unsigned char *p;
	char all[64];
	size_t n;
	int fd = input("DEFG", 4);

	filter_input_start(&in, fd, "test", 256, (const unsigned char *)"ABC",
	    3);
	p = filter_input_peek(&in, 0, &n);
	CHECK(n == 3 && memcmp(p, "ABC", 3) == 0, "peek: the prefix alone");
	p = filter_input_peek(&in, 1, &n);
	CHECK(n == 7 && memcmp(p, "ABCDEFG", 7) == 0,
	    "peek with more: one read added, nothing taken");
	CHECK(filter_input_need(&in, 5) && memcmp(in.buf + in.start,
	    "ABCDE", 5) == 0, "need(5): the prefix first, contiguous");
	CHECK(!filter_input_need(&in, 8), "need(8) of 7 bytes: the end");
	CHECK(in.eof && in.end - in.start == 7, "all 7 bytes held at eof");
	filter_input_close(&in);
	close(fd);
	fd = input("xyz", 3);
	filter_input_start(&in, fd, "test", 256, NULL, 0);
	CHECK(drain(&in, all, sizeof(all)) == 3 && strcmp(all, "xyz") == 0 &&
	    filter_input_fill(&in) == 0, "no prefix: the descriptor's bytes");
	filter_input_close(&in);
	close(fd);
}

/* 1 MiB through a 4 KiB buffer arrives whole and in order. */
static void
streaming(void)
{
	struct filter_input in;
	unsigned char *big;
	size_t i, n = 1 << 20, got = 0, wrong = 0;
	int fd;

	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)(i % 251);
	fd = input(big, n);
	filter_input_start(&in, fd, "test", 4096, big, 100);
	lseek(fd, 100, SEEK_SET);
	while (filter_input_need(&in, 1000) || in.end > in.start) {
		for (i = in.start; i < in.end; i++, got++)
			wrong += in.buf[i] != big[got];
		in.start = in.end;
	}
	CHECK(got == n && wrong == 0, "1 MiB: %zu bytes, %zu wrong", got,
	    wrong);
	filter_input_close(&in);
	close(fd);
	free(big);
}

struct toy {
	int finished, fail_decode, fail_finish;
};

/* Upper-case, dropping every 'x': a read of x's makes nothing. */
static int
toy_decode(void *ctx, const unsigned char *raw, size_t len,
    unsigned char *out, size_t *outlen, struct rp_error *err)
{
	struct toy *t = ctx;
	size_t i;

	*outlen = 0;
	if (t->fail_decode)
		return rp_fail(err, RP_MALFORMED, "toy decoder refuses");
	for (i = 0; i < len; i++)
		if (raw[i] != 'x')
			out[(*outlen)++] = (unsigned char)(raw[i] & ~0x20);
	return 0;
}

static int
toy_finish(void *ctx, struct rp_error *err)
{
	struct toy *t = ctx;

	t->finished++;
	if (t->fail_finish)
		return rp_fail(err, RP_MALFORMED, "toy input incomplete");
	return 0;
}

static void
decoding(void)
{
	struct toy t = { 0, 0, 0 };
	struct filter_decoder dec = { toy_decode, toy_finish, &t };
	struct filter_input in;
	const unsigned char *p;
	char all[64];
	size_t n;
	int fd = input("xxdef", 5);

	filter_input_start(&in, fd, "test", 256, (const unsigned char *)"ab",
	    2);
	p = filter_input_peek(&in, 1, &n);
	CHECK(n == 7 && memcmp(p, "abxxdef", 7) == 0, "peek sees raw bytes");
	filter_input_decode(&in, &dec);
	CHECK(drain(&in, all, sizeof(all)) == 5 && strcmp(all, "ABDEF") == 0,
	    "every byte not yet taken decoded, x's to nothing: \"%s\"", all);
	CHECK(t.finished == 1, "the decoder told of the end once (%d)",
	    t.finished);
	filter_input_close(&in);
	close(fd);
}

/* Run f in a child; its exit status and first line on stderr. */
static int
child(void (*f)(struct toy *), struct toy *t, char *msg, size_t cap)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) != 0 || (pid = fork()) < 0)
		die(2, "fork:");
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		f(t);
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, cap - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
read_all_decoded(struct toy *t)
{
	struct filter_decoder dec = { toy_decode, toy_finish, t };
	struct filter_input in;
	char all[64];
	int fd = input("abc", 3);

	filter_input_start(&in, fd, "test", 256, NULL, 0);
	filter_input_decode(&in, &dec);
	(void)drain(&in, all, sizeof(all));
	/* The failure is kept, with its code, for the caller to end on. */
	if (filter_input_error(&in) != RP_OK)
		die_error(&in.err, -1);
}

static void
failures(void)
{
	struct toy t = { 0, 1, 0 };
	char msg[256];

	CHECK(child(read_all_decoded, &t, msg, sizeof(msg)) == EXIT_AUTH &&
	    strstr(msg, "toy decoder refuses") != NULL,
	    "a decoder's failure: status 1 and its reason (\"%s\")", msg);
	t.fail_decode = 0;
	t.fail_finish = 1;
	CHECK(child(read_all_decoded, &t, msg, sizeof(msg)) == EXIT_AUTH &&
	    strstr(msg, "toy input incomplete") != NULL,
	    "a failure at the end: status 1 and its reason (\"%s\")", msg);
	t.fail_finish = 0;
	CHECK(child(read_all_decoded, &t, msg, sizeof(msg)) == 0,
	    "and no failure: status 0");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	prefix_and_peek();
	streaming();
	decoding();
	failures();
	return unit_done("filter");
}
