/* SPDX-License-Identifier: ISC */
/* filter.c: see filter.h. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"

const char *
filter_name(const char *path, const char *standard)
{
	return path == NULL || strcmp(path, "-") == 0 ? standard : path;
}

/*
 * With the default 64 KiB pipe each full record takes two wake-ups of
 * the reader, and encrypt | decrypt ran at a third of cat's speed; at
 * 1 MiB it matches cat (doc/PERFORMANCE.md, T1c).  Files, sockets and
 * terminals refuse it, and so may a user over the pipe-user-pages limit.
 */
void
filter_pipe_widen(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

void
filter_input_start(struct filter_input *in, int fd, const char *what,
    size_t cap, const unsigned char *prefix, size_t prefix_len)
{
	memset(in, 0, sizeof(*in));
	if (prefix_len > FILTER_RAW_SIZE || cap <= FILTER_DECODE_SLACK)
		rp_fatal("filter input sizes");
	in->fd = fd;
	in->what = what;
	in->cap = cap;
	in->buf = plain_alloc(cap);
	in->raw = rp_alloc(FILTER_RAW_SIZE);
	if (prefix_len > 0)
		memcpy(in->raw, prefix, prefix_len);
	in->rend = prefix_len;
	filter_pipe_widen(fd);
}

void
filter_input_close(struct filter_input *in)
{
	plain_free(in->buf);
	free(in->raw);
	in->buf = in->raw = NULL;
}

int
filter_input_error(const struct filter_input *in)
{
	return in->err.code;
}

int
filter_input_failed(const struct filter_input *in, int fallback,
    struct rp_error *err)
{
	if (in->err.code == RP_OK)
		return fallback;
	if (err != NULL)
		*err = in->err;
	return in->err.code;
}

/* The input ends at its first failure, which is kept in in->err.
 * Returns 0, as at the end. */
static size_t
input_failed(struct filter_input *in)
{
	in->eof = in->raw_eof = 1;
	return 0;
}

/* One read from the descriptor into p; 0 at its end or on a failure. */
static size_t
read_fd(struct filter_input *in, unsigned char *p, size_t n)
{
	size_t r;

	if (io_read(in->fd, p, n, &r, in->what, &in->err) != 0)
		return input_failed(in);
	return r;
}

/* Read once into the raw area (after what is there); 0 at its end. */
static size_t
raw_read(struct filter_input *in)
{
	size_t r;

	if (in->raw_eof)
		return 0;
	if (in->rstart == in->rend)
		in->rstart = in->rend = 0;
	else if (in->rend == FILTER_RAW_SIZE) {
		memmove(in->raw, in->raw + in->rstart, in->rend - in->rstart);
		in->rend -= in->rstart;
		in->rstart = 0;
	}
	if (in->rend == FILTER_RAW_SIZE)
		return 0;
	r = read_fd(in, in->raw + in->rend, FILTER_RAW_SIZE - in->rend);
	if (r == 0)
		in->raw_eof = 1;
	in->rend += r;
	return r;
}

const unsigned char *
filter_input_peek(struct filter_input *in, int more, size_t *len)
{
	if (more)
		(void)raw_read(in);
	*len = in->rend - in->rstart;
	return in->raw + in->rstart;
}

void
filter_input_decode(struct filter_input *in, const struct filter_decoder *dec)
{
	in->dec = *dec;
	in->decoding = 1;
}

void
filter_input_compact(struct filter_input *in)
{
	memmove(in->buf, in->buf + in->start, in->end - in->start);
	in->end -= in->start;
	in->start = 0;
}

/* The end of the input: a decoder must have seen a complete whole. */
static size_t
input_eof(struct filter_input *in)
{
	in->eof = 1;
	if (in->err.code == RP_OK && in->decoding &&
	    in->dec.finish(in->dec.ctx, &in->err) != 0)
		return input_failed(in);
	return 0;
}

/* Raw bytes through the decoder into the buffer; 0 if they made none. */
static size_t
decode_some(struct filter_input *in)
{
	size_t n, out;

	if (in->rstart == in->rend && raw_read(in) == 0)
		return input_eof(in);
	n = in->rend - in->rstart;
	if (n > in->cap - in->end - FILTER_DECODE_SLACK)
		n = in->cap - in->end - FILTER_DECODE_SLACK;
	if (in->dec.decode(in->dec.ctx, in->raw + in->rstart, n,
	    in->buf + in->end, &out, &in->err) != 0)
		return input_failed(in);
	in->rstart += n;
	in->end += out;
	return out;
}

/* Raw bytes as they are: those read ahead first, then straight in. */
static size_t
copy_some(struct filter_input *in)
{
	size_t n;

	if (in->rstart < in->rend) {
		n = in->rend - in->rstart;
		if (n > in->cap - in->end)
			n = in->cap - in->end;
		memcpy(in->buf + in->end, in->raw + in->rstart, n);
		in->rstart += n;
	} else if (in->raw_eof)
		return input_eof(in);
	else if ((n = read_fd(in, in->buf + in->end,
	    in->cap - in->end)) == 0) {
		in->raw_eof = 1;
		return input_eof(in);
	}
	in->end += n;
	return n;
}

size_t
filter_input_fill(struct filter_input *in)
{
	size_t n;

	if (in->eof)
		return 0;
	if (in->start > 0 && in->cap - in->end <= FILTER_DECODE_SLACK)
		filter_input_compact(in);
	if (in->cap - in->end <= FILTER_DECODE_SLACK)
		rp_fatal("input buffer full");
	if (!in->decoding)
		return copy_some(in);
	/* A decoder can turn a read into nothing yet: read on. */
	while ((n = decode_some(in)) == 0 && !in->eof)
		continue;
	return n;
}

int
filter_input_need(struct filter_input *in, size_t n)
{
	if (in->end - in->start >= n)
		return 1;
	if (in->start + n + FILTER_DECODE_SLACK >= in->cap)
		filter_input_compact(in);
	while (in->end - in->start < n)
		if (filter_input_fill(in) == 0)
			return 0;
	return 1;
}

size_t
filter_input_read(struct filter_input *in, unsigned char *dst, size_t n)
{
	size_t got = 0, k;

	while (got < n) {
		if (in->start < in->end) {
			k = in->end - in->start;
			if (k > n - got)
				k = n - got;
			memcpy(dst + got, in->buf + in->start, k);
			in->start += k;
			got += k;
			continue;
		}
		if (in->eof)
			break;
		in->start = in->end = 0;
		if (!in->decoding && in->rstart == in->rend) {
			if (in->raw_eof) {
				(void)input_eof(in);
				break;
			}
			if ((k = read_fd(in, dst + got, n - got)) == 0) {
				in->raw_eof = 1;
				(void)input_eof(in);
				break;
			}
			got += k;
		} else if (filter_input_fill(in) == 0)
			break;
	}
	return got;
}
