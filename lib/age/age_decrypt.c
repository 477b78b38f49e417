/* SPDX-License-Identifier: ISC */
/*
 * age_decrypt.c: the age payload opened on two cores (age.h); age.c
 * reads the header and calls it.
 *
 * Opening is bounded by ChaCha20-Poly1305, as sealing is, so it runs
 * as age_encrypt.c's does: the input is read a batch of DEC_BATCH
 * chunks at a time, straight into one of two buffers (chunk i of a
 * batch at slot i: ciphertext chunks are AGE_CHUNK_MAX bytes apart).
 * While a worker opens most of a batch on its own cipher handle (same
 * key; the chunk numbers are set per chunk), the main thread reads the
 * next batch into the other buffer, then opens the first part of this
 * one.  Then, in order, the verified chunks up to the first that is not
 * a verified middle chunk are written, with one writev.
 *
 * What the single-threaded reader promised still holds:
 *  - a chunk is written only after its tag verified, and nothing after
 *    the first chunk that fails (the chunks before it may be written:
 *    age's semantics); a worker that opened chunks after a failed one
 *    leaves them in the buffer, never written, wiped at the end;
 *  - which chunk is the last is the stream's to say
 *    (age_stream_open_chunk: a full chunk is opened as a middle chunk,
 *    and as the last only if that fails), so no read-ahead decides it;
 *    the read of the next batch, done anyway, tells whether data
 *    follows the last chunk;
 *  - a batch in which the input failed (a read, the armor decoder) is
 *    not opened: the failure is returned, as the input's;
 *  - memory stays two batches (2 x 16 chunks, about 2 MiB).
 */
#include <string.h>
#include <sys/uio.h>

#include "age/age.h"
#include "age/age_stream.h"
#include "age/age_worker.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"

#define DEC_BATCH 16
#define DEC_BATCH_BYTES ((size_t)DEC_BATCH * AGE_CHUNK_MAX)

/* What opening a chunk gave. */
enum { CHUNK_UNTRIED, CHUNK_MIDDLE, CHUNK_LAST, CHUNK_FAILED };

struct dec_batch {
	unsigned char *buf;   /* DEC_BATCH slots of AGE_CHUNK_MAX bytes */
	size_t got;           /* bytes read into it */
	int n;                /* chunks in it (the last may be short) */
	int eof;              /* the input ended in it */
	int failed;           /* the input failed while it was read */
	unsigned char state[DEC_BATCH];
};

static void
read_batch(struct filter_input *in, struct dec_batch *b)
{
	b->got = filter_input_read(in, b->buf, DEC_BATCH_BYTES);
	b->n = (int)((b->got + AGE_CHUNK_MAX - 1) / AGE_CHUNK_MAX);
	b->eof = b->got < DEC_BATCH_BYTES;
	b->failed = filter_input_error(in) != RP_OK;
}

static size_t
chunk_len(const struct dec_batch *b, int i)
{
	size_t off = (size_t)i * AGE_CHUNK_MAX;

	return b->got - off < AGE_CHUNK_MAX ? b->got - off : AGE_CHUNK_MAX;
}

/* Chunks [from, to) of b, numbered base + i, on the handle st: each
 * one's state, stopping at the first that is not a middle chunk. */
struct open_job {
	struct cipher_state *st;
	struct dec_batch *b;
	uint64_t base;
	int from, to;
	struct rp_error err;   /* why the part's failed chunk failed */
};

static void
open_part(void *arg)
{
	struct open_job *j = arg;
	struct dec_batch *b = j->b;
	int i;

	for (i = j->from; i < j->to; i++) {
		/* Chunk base + i, whatever this handle opened before. */
		j->st->counter = j->base + (uint64_t)i;
		j->st->finished = 0;
		if (age_stream_open_chunk(j->st, b->buf + (size_t)i *
		    AGE_CHUNK_MAX, chunk_len(b, i), &j->err) != 0) {
			b->state[i] = CHUNK_FAILED;
			return;
		}
		b->state[i] = j->st->finished ? CHUNK_LAST : CHUNK_MIDDLE;
		if (j->st->finished)
			return;
	}
}

/* The first k chunks of b, verified, to out (empty ones skipped: a
 * write of 0 bytes would be taken for EPIPE). */
static int
write_chunks(int out, const char *what, const struct dec_batch *b, int k,
    struct rp_error *err)
{
	struct iovec iov[DEC_BATCH];
	int i, niov = 0;

	for (i = 0; i < k; i++) {
		iov[niov].iov_base = b->buf + (size_t)i * AGE_CHUNK_MAX;
		iov[niov].iov_len = chunk_len(b, i) - AGE_TAG_LEN;
		if (iov[niov].iov_len > 0)
			niov++;
	}
	return niov > 0 ? io_writev(out, iov, niov, what, err) : 0;
}

/*
 * In order: how batch b ends, its chunks opened, next read (next->got
 * 0 if b ended the input).  *k is set to the chunks to write.  1: b
 * held the last chunk and nothing follows; 0: go on; or an rp_err code.
 */
static int
judge_batch(struct filter_input *in, const struct dec_batch *b,
    const struct dec_batch *next, const struct open_job *part, int split,
    int *k, struct rp_error *err)
{
	int i;

	for (i = 0; i < b->n && b->state[i] == CHUNK_MIDDLE; i++)
		continue;
	*k = i;
	if (i < b->n && b->state[i] == CHUNK_FAILED) {
		*err = part[i < split ? 0 : 1].err;
		return err->code;
	}
	if (i < b->n) {   /* chunk i is the last */
		*k = i + 1;
		if (i + 1 < b->n || next->got > 0)
			return rp_fail(err, RP_MALFORMED,
			    "age payload: data after the last chunk");
		if (next->failed) {
			/* As the input's failure, with nothing of b. */
			*k = 0;
			return filter_input_failed(in, 0, err);
		}
		return 1;
	}
	if (next->got > 0)
		return 0;
	if (next->failed)
		return filter_input_failed(in, 0, err);
	return rp_fail(err, RP_MALFORMED,
	    "age payload: no last chunk (truncated)");
}

/* Open batch b (chunks base on) and write what verified; next is read
 * meanwhile, unless b ended the input.  1, 0 or an rp_err code, as
 * judge_batch. */
static int
decrypt_batch(struct filter_input *in, int out, const char *what,
    struct cipher_state st[2], struct age_worker *w, uint64_t base,
    struct dec_batch *b, struct dec_batch *next, struct rp_error *err)
{
	struct open_job part[2];
	int split, k, rc, wrc;

	if (b->failed)
		return filter_input_failed(in, 0, err);
	memset(b->state, CHUNK_UNTRIED, sizeof(b->state));
	/* The main thread also reads and writes: it takes about a third. */
	split = w->running ? (b->n * 3) / 8 : b->n;
	part[0] = (struct open_job){ &st[0], b, base, 0, split, { 0, "" } };
	part[1] = (struct open_job){ &st[1], b, base, split, b->n, { 0, "" } };
	if (split < b->n)
		age_worker_post(w, open_part, &part[1]);
	next->got = 0;
	next->n = 0;
	next->failed = 0;
	if (!b->eof)
		read_batch(in, next);
	open_part(&part[0]);
	age_worker_wait(w);
	rc = judge_batch(in, b, next, part, split, &k, err);
	if (k > 0 && (wrc = write_chunks(out, what, b, k, err)) != 0)
		return wrc;
	return rc;
}

int
age_decrypt_payload(struct filter_input *in, struct cipher_state st[2],
    int out, const char *what, struct rp_error *err)
{
	struct dec_batch b[2];
	struct age_worker w;
	uint64_t base = 0;
	int cur = 0, rc;

	memset(b, 0, sizeof(b));
	b[0].buf = plain_alloc(DEC_BATCH_BYTES);
	b[1].buf = plain_alloc(DEC_BATCH_BYTES);
	read_batch(in, &b[0]);
	if (b[0].failed)
		rc = filter_input_failed(in, 0, err);
	else if (b[0].got == 0)
		rc = rp_fail(err, RP_MALFORMED,
		    "age payload: no chunks (truncated)");
	else {
		age_worker_start(&w);
		while ((rc = decrypt_batch(in, out, what, st, &w, base,
		    &b[cur], &b[1 - cur], err)) == 0) {
			base += (uint64_t)b[cur].n;
			cur = 1 - cur;
		}
		age_worker_stop(&w);
	}
	plain_free(b[0].buf);
	plain_free(b[1].buf);
	return rc < 0 ? rc : 0;
}
