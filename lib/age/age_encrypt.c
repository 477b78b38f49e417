/* SPDX-License-Identifier: ISC */
/* age_encrypt.c: the age filter's encryption (age.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age/age.h"
#include "age/age_armor.h"
#include "age/age_format.h"
#include "age/age_stream.h"
#include "age/age_worker.h"
#include "codec/armor.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"
#include "keys/identity.h"

/* 1 if s can be written as an age stanza: a type and arguments of
 * printable ASCII (age-encryption.org/v1, "Header"). */
static int
age_text(const struct stanza *s)
{
	size_t i, j;

	if (s->type[0] == '\0')
		return 0;
	for (j = 0; s->type[j] != '\0'; j++)
		if (s->type[j] < 0x21 || s->type[j] > 0x7e)
			return 0;
	for (i = 0; i < s->nargs; i++) {
		if (s->arg_len[i] == 0)
			return 0;
		for (j = 0; j < s->arg_len[i]; j++)
			if (s->args[i][j] < 0x21 || s->args[i][j] > 0x7e)
				return 0;
	}
	return 1;
}

/* The file key wrapped to every recipient, in order, as age_format.h's
 * stanzas (views of the wrapped ones in wrapped[]). */
static int
wrap_all(const struct recipient_set *rcpts, const unsigned char *file_key,
    struct stanza *wrapped, struct age_stanza *s, struct rp_error *err)
{
	const struct recipient *r;
	size_t i, j;
	int rc;

	for (i = 0; i < rcpts->n; i++) {
		r = rcpts->r[i];
		if ((rc = r->ops->wrap(r, file_key, AGE_FILE_KEY_LEN,
		    &wrapped[i], err)) != 0)
			return rc;
		if (!age_text(&wrapped[i]))
			return rp_fail(err, RP_USAGE, "a %s recipient cannot "
			    "receive an age file", r->ops->kind);
		/* age_header_build only reads them. */
		s[i].type = (char *)wrapped[i].type;
		for (j = 0; j < wrapped[i].nargs; j++)
			s[i].args[j] = (char *)wrapped[i].args[j];
		s[i].nargs = wrapped[i].nargs;
		s[i].body = (unsigned char *)wrapped[i].body;
		s[i].body_len = wrapped[i].body_len;
	}
	return 0;
}

/* A fresh file key wrapped to every recipient: the header, into *hdr. */
static int
build_header(const struct age_encrypt_options *opt,
    const unsigned char *file_key, char **hdr, size_t *len,
    struct rp_error *err)
{
	struct stanza *wrapped;
	struct age_stanza *s;
	size_t i, n = opt->recipients->n;
	int rc;

	*hdr = NULL;
	if (n == 0)
		return rp_fail(err, RP_USAGE, "age: no recipients");
	wrapped = rp_calloc(n, sizeof(*wrapped));
	s = rp_calloc(n, sizeof(*s));
	if ((rc = wrap_all(opt->recipients, file_key, wrapped, s, err)) == 0)
		*hdr = age_header_build(s, n, file_key, len);
	for (i = 0; i < n; i++)
		stanza_free(&wrapped[i]);
	free(wrapped);
	free(s);
	return rc;
}

/* The header and the nonce written; the payload cipher ready, on two
 * handles (see encrypt_batch). */
static int
encrypt_header(const struct age_encrypt_options *opt, struct armor_sink *sink,
    struct cipher_state st[2], struct rp_error *err)
{
	unsigned char *file_key, *key, nonce[AGE_NONCE_LEN];
	size_t len;
	char *hdr;
	int rc;

	file_key = secure_alloc(AGE_FILE_KEY_LEN);
	gcry_randomize(file_key, AGE_FILE_KEY_LEN, GCRY_STRONG_RANDOM);
	if ((rc = build_header(opt, file_key, &hdr, &len, err)) != 0) {
		secure_free(file_key);
		return rc;
	}
	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	key = secure_alloc(AGE_PAYLOAD_KEY_LEN);
	age_payload_key(key, file_key, nonce);
	secure_free(file_key);
	age_stream_open(&st[0], key);
	age_stream_open(&st[1], key);
	secure_free(key);
	if ((rc = armor_sink_write(sink, hdr, len, err)) == 0)
		rc = armor_sink_write(sink, nonce, sizeof(nonce), err);
	free(hdr);
	if (rc != 0) {
		age_stream_close(&st[0]);
		age_stream_close(&st[1]);
	}
	return rc;
}

/*
 * Encryption is bounded by ChaCha20-Poly1305, so it runs on two cores:
 * while a sealing thread (age_worker.h) seals most of one batch of
 * chunks (on its own cipher handle: same key, its own chunk numbers),
 * the main thread reads the next batch into the other buffer, then
 * seals the rest of this one, among them its last chunk, whose flag
 * the read just decided (the last chunk is the one no byte follows).
 * The batches are written in order, each after both halves are sealed.
 */
#define ENC_BATCH 16

struct batch {
	unsigned char *buf;   /* ENC_BATCH slots of AGE_CHUNK_MAX bytes */
	int n;                /* chunks in it (the last may be short) */
	size_t len;           /* the last chunk's length */
	int eof;              /* the input ended in or right after it */
};

/* Fill b from the input: whole chunks until the batch or the input
 * ends.  An input that ends on a chunk boundary is seen by the next
 * read, which finds nothing.  0, or RP_IO. */
static int
read_batch(int in, const char *what, struct batch *b, struct rp_error *err)
{
	size_t got;
	int rc;

	for (b->n = 0, b->eof = 0; b->n < ENC_BATCH; b->n++) {
		if ((rc = io_read_all(in, b->buf + (size_t)b->n *
		    AGE_CHUNK_MAX, AGE_CHUNK_SIZE, &got, what, err)) != 0)
			return rc;
		if (got == 0) {
			b->eof = 1;
			break;
		}
		b->len = got;
		if (got < AGE_CHUNK_SIZE) {
			b->eof = 1;
			b->n++;
			break;
		}
	}
	return 0;
}

/* Full middle chunks [from, to) of buf, as chunks base + from on. */
struct seal_job {
	struct cipher_state *st;
	unsigned char *buf;
	uint64_t base;
	int from, to;
};

static void
seal_middle(const struct seal_job *j)
{
	int i;

	j->st->counter = j->base + (uint64_t)j->from;
	for (i = j->from; i < j->to; i++)
		age_stream_seal(j->st, j->buf + (size_t)i * AGE_CHUNK_MAX,
		    AGE_CHUNK_SIZE, 0);
}

/* The worker's job (age_worker.h). */
static void
seal_job(void *arg)
{
	seal_middle(arg);
}

/*
 * Seal batch b (chunks base on) and write it; next is filled from the
 * input meanwhile, unless b ended it.  Returns 1 if b held the last
 * chunk, 0 if not, or an rp_err code: a failed read of next leaves b
 * unwritten (once the sealing thread is done with it).
 */
static int
encrypt_batch(int in, const char *what, struct armor_sink *sink,
    struct cipher_state st[2], struct age_worker *w, uint64_t base,
    struct batch *b, struct batch *next, struct rp_error *err)
{
	struct seal_job mine = { &st[0], b->buf, base, 0, 0 };
	struct seal_job theirs = { &st[1], b->buf, base, 0, b->n - 1 };
	int split, last, rc = 0;

	/* The main thread also reads: it takes about a third. */
	split = w->running ? (b->n * 3) / 8 : b->n - 1;
	theirs.from = split;
	if (split < b->n - 1)
		age_worker_post(w, seal_job, &theirs);
	next->n = 0;
	if (!b->eof)
		rc = read_batch(in, what, next, err);
	last = b->eof || next->n == 0;
	mine.to = split;
	seal_middle(&mine);
	st[0].counter = base + (uint64_t)b->n - 1;
	age_stream_seal(&st[0], b->buf + (size_t)(b->n - 1) * AGE_CHUNK_MAX,
	    b->len, last);
	age_worker_wait(w);
	if (rc == 0)
		rc = armor_sink_write(sink, b->buf, (size_t)(b->n - 1) *
		    AGE_CHUNK_MAX + b->len + AGE_TAG_LEN, err);
	return rc != 0 ? rc : last;
}

/* 64 KiB chunks, sealed in place, two batches in flight; an empty
 * input is one empty last chunk. */
static int
encrypt_payload(int in, const char *what, struct armor_sink *sink,
    struct cipher_state st[2], struct rp_error *err)
{
	struct batch b[2];
	struct age_worker w;
	uint64_t base = 0;
	int cur = 0, rc;

	b[0].buf = plain_alloc((size_t)ENC_BATCH * AGE_CHUNK_MAX);
	b[1].buf = plain_alloc((size_t)ENC_BATCH * AGE_CHUNK_MAX);
	if ((rc = read_batch(in, what, &b[0], err)) == 0 && b[0].n == 0) {
		rc = armor_sink_write(sink, b[0].buf, age_stream_seal(&st[0],
		    b[0].buf, 0, 1), err);
	} else if (rc == 0) {
		age_worker_start(&w);
		while ((rc = encrypt_batch(in, what, sink, st, &w, base,
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

int
age_encrypt(const struct age_encrypt_options *opt, struct rp_error *err)
{
	struct cipher_state st[2];
	struct io_output out;
	struct armor_sink sink;
	int in, rc;

	if ((in = io_input_open(opt->input, err)) < 0)
		return in;
	if ((rc = io_output_create(&out, opt->output, 0600, 0, err)) != 0) {
		if (in != STDIN_FILENO)
			close(in);
		return rc;
	}
	filter_pipe_widen(in);
	filter_pipe_widen(out.fd);
	rc = armor_sink_open(&sink, out.fd, filter_name(opt->output,
	    "stdout"), opt->armor ? AGE_ARMOR_TITLE : NULL, 0, err);
	if (rc == 0 && (rc = encrypt_header(opt, &sink, st, err)) == 0) {
		rc = encrypt_payload(in, filter_name(opt->input, "stdin"),
		    &sink, st, err);
		age_stream_close(&st[0]);
		age_stream_close(&st[1]);
	}
	rc = armor_sink_close(&sink, rc, err);
	if (in != STDIN_FILENO)
		close(in);
	if (rc != 0) {
		io_output_abort(&out);
		return rc;
	}
	return io_output_finish(&out, err);
}
