/* SPDX-License-Identifier: ISC */
/* age.c: the age filters: decryption and encryption. */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "age/age.h"
#include "age/age_armor.h"
#include "age/age_format.h"
#include "age/age_stream.h"
#include "codec/armor.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"

/*
 * The input buffer: the largest header, then room for many chunks at a
 * time, read in large blocks and opened in place.
 */
#define AGE_BATCH 32
#define AGE_INPUT_SIZE (AGE_HEADER_MAX + AGE_NONCE_LEN + \
	AGE_BATCH * AGE_CHUNK_MAX + FILTER_DECODE_SLACK)

static int
armor_decode_cb(void *ctx, const unsigned char *raw, size_t len,
    unsigned char *out, size_t *outlen, const char **why)
{
	return age_armor_decode(ctx, raw, len, out, outlen, why);
}

static int
armor_finish_cb(void *ctx, const char **why)
{
	return age_armor_finish(ctx, why);
}

/* 1 if buf so far is a prefix of s (or s a prefix of it), -1 if it is
 * too short to tell, 0 if not. */
static int
starts_with(const unsigned char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len < n)
		return memcmp(buf, s, len) == 0 ? -1 : 0;
	return memcmp(buf, s, n) == 0;
}

/*
 * Armor or binary, from the first bytes: armor when they do not start
 * with the version line but hold an armor line ("-----"), so text
 * before a BEGIN line is an armor failure, and anything else is left to
 * the header parser ("not an age file").
 */
static void
input_detect(struct filter_input *in, struct age_armor_reader *armor)
{
	struct filter_decoder dec;
	const unsigned char *p;
	size_t len;
	int more = 0;

	do {
		p = filter_input_peek(in, more, &len);
		more = 1;
	} while (starts_with(p, len, AGE_MAGIC) < 0 && !in->raw_eof);
	if (starts_with(p, len, AGE_MAGIC) == 1 || len == 0 ||
	    memmem(p, len, "-----", 5) == NULL)
		return;
	age_armor_reader_open(armor);
	dec.decode = armor_decode_cb;
	dec.finish = armor_finish_cb;
	dec.ctx = armor;
	filter_input_decode(in, &dec);
}

/* The header, whole, parsed. */
static void
read_header(struct filter_input *in, struct age_header *h)
{
	const char *why = "age header: malformed";
	size_t need = 0;
	int r;

	while ((r = age_header_parse(h, in->buf + in->start,
	    in->end - in->start, &need, &why)) != 0) {
		if (r != RP_MORE)
			die(EXIT_AUTH, "%s", why);
		if (!filter_input_need(in, need))
			die(EXIT_AUTH, in->end == in->start ?
			    "age header: empty input" :
			    "age header: truncated header");
	}
}

/* A stanza's refusal of the whole file, named as a header failure. */
static _Noreturn void
die_stanza(const char *why)
{
	if (strncmp(why, "age header: ", 12) == 0)
		die(EXIT_AUTH, "%s", why);
	die(EXIT_AUTH, "age header: %s", why);
}

/*
 * Try one unwrap result: 0 and the MAC holds (done), else note what
 * failed.  A file key whose MAC fails does not stop the search (any
 * sender can make a stanza for our key); the best failure is kept.
 */
static int
try_key(int r, const char *why, const struct age_header *h,
    const unsigned char *hdr, const unsigned char *file_key, int *best)
{
	if (r == RP_MALFORMED || r == RP_REFUSED)
		die_stanza(why);
	if (r != 0)
		return 0;
	if (age_header_check_mac(h, hdr, file_key) == 0)
		return 1;
	*best = RP_AUTH;
	return 0;
}

/* The scrypt stanza (alone in its header, age_stanzas_check): the
 * passphrase is asked for only now. */
static int
unwrap_scrypt(const struct age_decrypt_options *opt,
    const struct age_header *h, const unsigned char *hdr,
    unsigned char *file_key, int *best)
{
	const char *why = "age header: bad scrypt stanza";
	unsigned cap, log2n;
	char *pass;
	int r;

	if (opt->pass == NULL)
		return 0;
	cap = opt->scrypt_max_log2n ? opt->scrypt_max_log2n :
	    AGE_SCRYPT_MAX_LOG2N;
	/* Too costly is said before the passphrase is asked for. */
	if (age_scrypt_work_factor(&h->stanzas[0], &log2n) == 0 && log2n > cap)
		die(EXIT_AUTH, "age header: scrypt work factor %u is above the "
		    "cap of %u", log2n, cap);
	pass = passphrase_get(opt->pass, "Enter passphrase: ", 0);
	r = age_scrypt_unwrap(&h->stanzas[0], pass, cap, file_key, &why);
	passphrase_free(pass);
	if (r == RP_DECRYPT || r == RP_NOKEY)
		*best = RP_PASSPHRASE;
	return try_key(r, why, h, hdr, file_key, best);
}

/* The identities in order, each against the stanzas in order. */
static int
unwrap_identities(const struct age_decrypt_options *opt,
    const struct age_header *h, const unsigned char *hdr,
    unsigned char *file_key, int *best)
{
	const char *why = "age header: bad stanza";
	size_t i, j;
	int r;

	for (i = 0; i < opt->nx25519; i++)
		for (j = 0; j < h->nstanzas; j++) {
			r = age_x25519_unwrap(&h->stanzas[j], &opt->x25519[i],
			    file_key, &why);
			if (try_key(r, why, h, hdr, file_key, best))
				return 1;
		}
	for (i = 0; i < opt->nrsa; i++)
		for (j = 0; j < h->nstanzas; j++) {
			r = age_rsa_unwrap(&h->stanzas[j], &opt->rsa[i],
			    file_key, &why);
			if (try_key(r, why, h, hdr, file_key, best))
				return 1;
		}
	return 0;
}

/* The file key, its MAC checked, into secure memory; dies otherwise. */
static unsigned char *
open_header(const struct age_decrypt_options *opt,
    const struct age_header *h, const unsigned char *hdr)
{
	unsigned char *file_key;
	const char *why = "age header: bad stanza";
	int best = RP_NOKEY, found;

	if (age_stanzas_check(h->stanzas, h->nstanzas, &why) != 0)
		die_stanza(why);
	file_key = secure_alloc(AGE_FILE_KEY_LEN);
	if (h->nstanzas == 1 && strcmp(h->stanzas[0].type, "scrypt") == 0)
		found = unwrap_scrypt(opt, h, hdr, file_key, &best);
	else
		found = unwrap_identities(opt, h, hdr, file_key, &best);
	if (found)
		return file_key;
	secure_free(file_key);
	if (best == RP_AUTH)
		die(EXIT_AUTH, "age header MAC mismatch: a file key unwraps "
		    "but the header was altered");
	if (best == RP_PASSPHRASE)
		die(EXIT_AUTH, "wrong passphrase (or a damaged scrypt stanza)");
	die(EXIT_AUTH, "no identity matches: the file is not encrypted to "
	    "the given keys");
}

/* After the header: the nonce, and the payload cipher under its key. */
static void
open_payload(struct filter_input *in, const unsigned char *file_key,
    struct age_stream *st)
{
	unsigned char *key;

	if (!filter_input_need(in, AGE_NONCE_LEN))
		die(EXIT_AUTH, "age header: truncated payload nonce");
	key = secure_alloc(AGE_PAYLOAD_KEY_LEN);
	age_payload_key(key, file_key, in->buf + in->start);
	in->start += AGE_NONCE_LEN;
	age_stream_open(st, key);
	secure_free(key);
}

/* A whole chunk's bytes, or what is left at the end of the input. */
static void
fill_chunk(struct filter_input *in)
{
	if (in->cap - in->end < AGE_CHUNK_MAX + FILTER_DECODE_SLACK)
		filter_input_compact(in);
	while (in->end - in->start < AGE_CHUNK_MAX && !in->eof)
		(void)filter_input_fill(in);
}

/*
 * Open up to a batch of chunks in place, into iov.  Returns how many
 * verified; *why is set when the next one failed or is missing.
 */
static int
open_batch(struct filter_input *in, struct age_stream *st,
    struct iovec *iov, const char **why)
{
	size_t avail, n;
	int niov;

	fill_chunk(in);
	for (niov = 0; niov < AGE_BATCH && !st->finished; niov++) {
		avail = in->end - in->start;
		if (avail < AGE_CHUNK_MAX && !in->eof)
			break;
		n = avail < AGE_CHUNK_MAX ? avail : AGE_CHUNK_MAX;
		if (n == 0) {
			*why = st->counter == 0 ? "age payload: no chunks "
			    "(truncated)" : "age payload: no last chunk "
			    "(truncated)";
			break;
		}
		if (age_stream_open_chunk(st, in->buf + in->start, n, why) != 0)
			break;
		iov[niov].iov_base = in->buf + in->start;
		iov[niov].iov_len = n - AGE_TAG_LEN;
		in->start += n;
	}
	return niov;
}

/*
 * The chunks, each released once its tag verified, a batch written at
 * once.  Whether a full chunk is the last is the stream's to say (see
 * age_stream_open_chunk), so nothing is held back: on a failure, or
 * data after the last chunk, what verified before it is written first,
 * as age's reference reader releases it.
 */
static void
decrypt_payload(struct filter_input *in, struct age_stream *st, int out,
    const char *what)
{
	struct iovec iov[AGE_BATCH];
	const char *why;
	int niov, i;

	do {
		why = NULL;
		niov = open_batch(in, st, iov, &why);
		if (why == NULL && st->finished && (in->end > in->start ||
		    filter_input_fill(in) > 0))
			why = "age payload: data after the last chunk";
		/* An empty chunk writes nothing (a write of 0 bytes would
		 * be taken for EPIPE). */
		for (i = 0; i < niov && iov[i].iov_len > 0; i++)
			continue;
		if (i > 0)
			io_writev_all(out, iov, i, what);
		if (why != NULL)
			die(EXIT_AUTH, "%s", why);
	} while (!st->finished);
}

void
age_decrypt(const struct age_decrypt_options *opt)
{
	struct age_armor_reader armor;
	struct filter_input in;
	struct age_stream st;
	struct age_header h;
	struct io_output out;
	unsigned char *file_key;

	memset(&armor, 0, sizeof(armor));
	filter_input_open(&in, opt->fd, opt->what != NULL ? opt->what :
	    "stdin", AGE_INPUT_SIZE, opt->prefix, opt->prefix_len);
	io_output_open(&out, opt->output, 0600, 0);
	input_detect(&in, &armor);
	read_header(&in, &h);
	file_key = open_header(opt, &h, in.buf + in.start);
	in.start += h.len;
	age_header_free(&h);
	open_payload(&in, file_key, &st);
	secure_free(file_key);
	decrypt_payload(&in, &st, out.fd, filter_name(opt->output, "stdout"));
	age_stream_close(&st);
	age_armor_reader_free(&armor);
	filter_input_close(&in);
	io_output_commit(&out);
}

/* Where the file goes: the output descriptor, raw or through armor. */
struct age_sink {
	int fd;
	const char *what;
	int armored;
	struct armor_writer armor;
};

static void
sink_write(struct age_sink *s, const void *buf, size_t n)
{
	if (s->armored)
		armor_write(&s->armor, buf, n);
	else
		io_write_all(s->fd, buf, n, s->what);
}

/* A fresh file key wrapped to every recipient, the header, the nonce;
 * the payload cipher ready, on two handles (see encrypt_batch). */
static void
encrypt_header(const struct age_encrypt_options *opt, struct age_sink *sink,
    struct age_stream st[2])
{
	unsigned char *file_key, *key, nonce[AGE_NONCE_LEN];
	struct age_stanza *s;
	size_t i, n, len;
	char *hdr;

	n = opt->nrsa + opt->nx25519;
	if (n == 0)
		die(EXIT_USAGE, "age: no recipients");
	if ((s = calloc(n, sizeof(*s))) == NULL)
		die(EXIT_USAGE, "out of memory");
	file_key = secure_alloc(AGE_FILE_KEY_LEN);
	gcry_randomize(file_key, AGE_FILE_KEY_LEN, GCRY_STRONG_RANDOM);
	for (i = 0; i < opt->nx25519; i++)
		age_x25519_wrap(&s[i], opt->x25519[i], file_key);
	for (i = 0; i < opt->nrsa; i++)
		age_rsa_wrap(&s[opt->nx25519 + i], &opt->rsa[i], file_key);
	hdr = age_header_build(s, n, file_key, &len);
	for (i = 0; i < n; i++)
		age_stanza_free(&s[i]);
	free(s);
	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	key = secure_alloc(AGE_PAYLOAD_KEY_LEN);
	age_payload_key(key, file_key, nonce);
	secure_free(file_key);
	age_stream_open(&st[0], key);
	age_stream_open(&st[1], key);
	secure_free(key);
	sink_write(sink, hdr, len);
	sink_write(sink, nonce, sizeof(nonce));
	free(hdr);
}

/*
 * Encryption is bounded by ChaCha20-Poly1305, so it runs on two cores:
 * while a sealing thread seals most of one batch of chunks (on its own
 * cipher handle: same key, its own chunk numbers), the main thread
 * reads the next batch into the other buffer, then seals the rest of
 * this one, among them its last chunk, whose flag the read just
 * decided (the last chunk is the one no byte follows).  The batches
 * are written in order, each after both halves are sealed.
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
 * read, which finds nothing. */
static void
read_batch(int in, const char *what, struct batch *b)
{
	size_t got;

	for (b->n = 0, b->eof = 0; b->n < ENC_BATCH; b->n++) {
		got = io_read_full(in, b->buf + (size_t)b->n * AGE_CHUNK_MAX,
		    AGE_CHUNK_SIZE, what);
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
}

/* Full middle chunks [from, to) of buf, as chunks base + from on. */
struct seal_job {
	struct age_stream *st;
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

/* The sealing thread: a job at a time, until one with no buffer. */
struct sealer {
	pthread_t thread;
	sem_t go, done;
	struct seal_job job;
	int running;
};

static void *
sealer_run(void *arg)
{
	struct sealer *s = arg;

	for (;;) {
		while (sem_wait(&s->go) != 0)
			continue;
		if (s->job.buf == NULL)
			return NULL;
		seal_middle(&s->job);
		sem_post(&s->done);
	}
}

static void
sealer_start(struct sealer *s, struct age_stream *st)
{
	memset(s, 0, sizeof(*s));
	s->job.st = st;
	if (sem_init(&s->go, 0, 0) != 0 || sem_init(&s->done, 0, 0) != 0)
		die(EXIT_USAGE, "semaphore:");
	/* Without a second thread the main thread does all the work. */
	s->running = pthread_create(&s->thread, NULL, sealer_run, s) == 0;
}

static void
sealer_stop(struct sealer *s)
{
	if (s->running) {
		s->job.buf = NULL;
		sem_post(&s->go);
		pthread_join(s->thread, NULL);
	}
	sem_destroy(&s->go);
	sem_destroy(&s->done);
}

/*
 * Seal batch b (chunks base on) and write it; next is filled from the
 * input meanwhile, unless b ended it.  Returns 1 if b held the last
 * chunk.
 */
static int
encrypt_batch(int in, const char *what, struct age_sink *sink,
    struct age_stream *st, struct sealer *s, uint64_t base,
    struct batch *b, struct batch *next)
{
	struct seal_job mine = { st, b->buf, base, 0, 0 };
	int split, last;

	/* The main thread also reads: it takes about a third. */
	split = s->running ? (b->n * 3) / 8 : b->n - 1;
	s->job = (struct seal_job){ s->job.st, b->buf, base, split, b->n - 1 };
	if (s->running)
		sem_post(&s->go);
	next->n = 0;
	if (!b->eof)
		read_batch(in, what, next);
	last = b->eof || next->n == 0;
	mine.to = split;
	seal_middle(&mine);
	if (!s->running)
		seal_middle(&s->job);
	st->counter = base + (uint64_t)b->n - 1;
	age_stream_seal(st, b->buf + (size_t)(b->n - 1) * AGE_CHUNK_MAX,
	    b->len, last);
	if (s->running)
		while (sem_wait(&s->done) != 0)
			continue;
	sink_write(sink, b->buf, (size_t)(b->n - 1) * AGE_CHUNK_MAX +
	    b->len + AGE_TAG_LEN);
	return last;
}

/* 64 KiB chunks, sealed in place, two batches in flight; an empty
 * input is one empty last chunk. */
static void
encrypt_payload(int in, const char *what, struct age_sink *sink,
    struct age_stream st[2])
{
	struct batch b[2];
	struct sealer s;
	uint64_t base = 0;
	int cur = 0;

	b[0].buf = plain_alloc((size_t)ENC_BATCH * AGE_CHUNK_MAX);
	b[1].buf = plain_alloc((size_t)ENC_BATCH * AGE_CHUNK_MAX);
	read_batch(in, what, &b[0]);
	if (b[0].n == 0) {
		sink_write(sink, b[0].buf, age_stream_seal(&st[0], b[0].buf, 0,
		    1));
	} else {
		sealer_start(&s, &st[1]);
		while (!encrypt_batch(in, what, sink, &st[0], &s, base, &b[cur],
		    &b[1 - cur])) {
			base += (uint64_t)b[cur].n;
			cur = 1 - cur;
		}
		sealer_stop(&s);
	}
	plain_free(b[0].buf);
	plain_free(b[1].buf);
}

void
age_encrypt(const struct age_encrypt_options *opt)
{
	struct age_stream st[2];
	struct io_output out;
	struct age_sink sink;
	int in;

	in = io_open_input(opt->input);
	io_output_open(&out, opt->output, 0600, 0);
	filter_pipe_widen(in);
	filter_pipe_widen(out.fd);
	memset(&sink, 0, sizeof(sink));
	sink.fd = out.fd;
	sink.what = filter_name(opt->output, "stdout");
	sink.armored = opt->armor;
	if (opt->armor)
		armor_writer_open_title(&sink.armor, out.fd, sink.what,
		    AGE_ARMOR_TITLE, 0);
	encrypt_header(opt, &sink, st);
	encrypt_payload(in, filter_name(opt->input, "stdin"), &sink, st);
	age_stream_close(&st[0]);
	age_stream_close(&st[1]);
	if (opt->armor)
		armor_writer_close(&sink.armor);
	if (in != STDIN_FILENO)
		close(in);
	io_output_commit(&out);
}
