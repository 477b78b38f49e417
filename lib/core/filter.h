/* SPDX-License-Identifier: ISC */
/*
 * filter.h: what the filter drivers (stream.c, age.c) share: names in
 * messages, pipe widening, and buffered input that may start with bytes
 * the caller already read and may run through a decoder (ASCII armor).
 *
 * The input keeps [start, end) of decoded bytes not yet used in one
 * buffer of cap bytes (plain_alloc(): the drivers open records in place,
 * so it holds plaintext).  Bytes read from the descriptor first land
 * (when they must be looked at before a decoder is chosen, or when a
 * decoder runs) in a raw staging area of FILTER_RAW_SIZE bytes.
 *
 * The input ends at its first failure (a read: RP_IO; the decoder's, or
 * its refusal of the end: the decoder's code and reason): the reading
 * functions then return as at the end of the input, and
 * filter_input_error() says it was not the end.
 */
#ifndef RSAPIPE_FILTER_H
#define RSAPIPE_FILTER_H

#include <stddef.h>

#include "core/error.h"

#define FILTER_RAW_SIZE (256 * 1024)
#define FILTER_DECODE_SLACK 64

/* The name of a file argument in messages: "-" and none are standard. */
const char *filter_name(const char *path, const char *standard);

/* Widen a pipe to 1 MiB (best effort; nothing changes for files,
 * sockets, terminals, or when the system says no). */
void filter_pipe_widen(int fd);

struct filter_decoder {
	/* Decode len raw bytes into out, which has room for len +
	 * FILTER_DECODE_SLACK bytes; *outlen the bytes written.  0, or an
	 * rp_err code with its reason in err. */
	int (*decode)(void *ctx, const unsigned char *raw, size_t len,
	    unsigned char *out, size_t *outlen, struct rp_error *err);
	/* At the end of the input: 0 if it was complete, else an rp_err
	 * code with its reason in err. */
	int (*finish)(void *ctx, struct rp_error *err);
	void *ctx;
};

struct filter_input {
	int fd;
	const char *what;
	unsigned char *buf;
	size_t cap, start, end;
	int eof;               /* the decoded input has ended */
	unsigned char *raw;    /* read but not yet taken: [rstart, rend) */
	size_t rstart, rend;
	int raw_eof;           /* the descriptor has ended */
	int decoding;
	struct filter_decoder dec;
	struct rp_error err;   /* the failure that ended the input */
};

/*
 * Input from fd (already open; not closed here), named what, in a
 * buffer of cap bytes (> FILTER_DECODE_SLACK).  The prefix_len bytes at
 * prefix (at most FILTER_RAW_SIZE) were read from fd already and come
 * first.
 */
void filter_input_start(struct filter_input *in, int fd, const char *what,
    size_t cap, const unsigned char *prefix, size_t prefix_len);
void filter_input_close(struct filter_input *in);
/* RP_OK, or the code of the failure that ended the input (in->err). */
int filter_input_error(const struct filter_input *in);
/* For a driver whose input ran out: if a failure ended it, that failure
 * copied into err and its code; else fallback (the driver's own code
 * for an input that ends too soon, with err untouched), or RP_OK. */
int filter_input_failed(const struct filter_input *in, int fallback,
    struct rp_error *err);

/* The raw bytes not yet taken, reading once more first when more is
 * set (and the descriptor has not ended): for choosing a decoder. */
const unsigned char *filter_input_peek(struct filter_input *in, int more,
    size_t *len);

/* From now on every byte not yet taken goes through dec. */
void filter_input_decode(struct filter_input *in,
    const struct filter_decoder *dec);

/* One read more (moving what is unused to the front when the buffer's
 * end is reached).  Returns the bytes added, 0 at the end of input. */
size_t filter_input_fill(struct filter_input *in);

/* Make n contiguous bytes available at buf + start; 0 if the input ends
 * first.  n must be at most cap. */
int filter_input_need(struct filter_input *in, size_t n);

/*
 * Take up to n bytes of the input into dst (outside the buffer), in
 * order: those buffered first, then, when no decoder runs and nothing
 * raw waits, straight from the descriptor into dst (no copy); else
 * through the buffer.  Returns the bytes taken, fewer than n only at
 * the end of the input (or its failure: filter_input_error()).
 */
size_t filter_input_read(struct filter_input *in, unsigned char *dst,
    size_t n);

/* Move what is unused to the front of the buffer. */
void filter_input_compact(struct filter_input *in);

#endif
