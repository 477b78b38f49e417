/* SPDX-License-Identifier: ISC */
/* stream.c: the filter drivers: input, output, armor, whole files. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "armor.h"
#include "common.h"
#include "error.h"
#include "filter.h"
#include "format.h"
#include "io.h"
#include "stream.h"

/* --status-fd: the descriptor for the one word that says how the stream
 * ended, or -1; said once, "FAILED" at exit if nothing else was. */
static int status_fd = -1;

static void
status_word(const char *word)
{
	if (status_fd < 0)
		return;
	(void)!write(status_fd, word, strlen(word));
	status_fd = -1;
}

static void
status_failed(void)
{
	status_word("FAILED\n");
}

/* The input ended before the final record. */
static _Noreturn void
truncated(const char *why)
{
	status_word("TRUNCATED\n");
	die(EXIT_AUTH, "%s", why);
}

unsigned char *
stream_session_load(const char *path)
{
	unsigned char *session;
	size_t len;

	session = io_read_file(path, STREAM_SESSION_LEN, &len);
	if (len != STREAM_SESSION_LEN) {
		secure_free(session);
		die(EXIT_USAGE, "%s: a session file holds exactly %d bytes",
		    path, STREAM_SESSION_LEN);
	}
	return session;
}

/* Where records go: the output descriptor, raw or through armor. */
struct sink {
	int fd;
	const char *what;
	int armored;
	struct armor_writer armor;
};

static void
sink_open(struct sink *s, int fd, const char *what, int armored)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->what = what;
	s->armored = armored;
	if (armored)
		armor_writer_open(&s->armor, fd, what);
}

static void
sink_write(struct sink *s, const void *buf, size_t n)
{
	if (s->armored)
		armor_write(&s->armor, buf, n);
	else
		io_write_all(s->fd, buf, n, s->what);
}

static void
sink_close(struct sink *s)
{
	if (s->armored)
		armor_writer_close(&s->armor);
}

/* The header, written at once so a chat peer can set up before the
 * first line is typed; the record cipher under its file key. */
static void
encrypt_header(const struct stream_encrypt_options *opt, struct sink *sink,
    struct stream_cipher *cipher)
{
	struct stream_keys *keys;
	unsigned char *hdr;
	size_t len;

	keys = stream_keys_new();
	hdr = stream_header_create(&len, keys, opt->recipients,
	    opt->nrecipients, opt->signer, opt->session);
	stream_cipher_open(cipher, keys);
	stream_keys_free(keys);
	sink_write(sink, hdr, len);
	free(hdr);
}

void
stream_encrypt(const struct stream_encrypt_options *opt)
{
	struct stream_cipher cipher;
	struct io_output out;
	struct sink sink;
	unsigned char *buf;
	size_t n;
	int in;

	in = io_open_input(opt->input);
	io_output_open(&out, opt->output, 0600, 0);
	filter_pipe_widen(out.fd);
	sink_open(&sink, out.fd, filter_name(opt->output, "stdout"),
	    opt->armor);
	encrypt_header(opt, &sink, &cipher);
	/* One buffer, records sealed in place: each read() becomes one
	 * record written at once (a typed line crosses immediately, a big
	 * file streams in full records). */
	buf = plain_alloc(STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD);
	do {
		n = io_read_some(in, buf + STREAM_RECORD_HEADER_LEN,
		    STREAM_RECORD_MAX, filter_name(opt->input, "stdin"));
		sink_write(&sink, buf, stream_record_seal(&cipher, buf, n,
		    n == 0));
	} while (n > 0);
	stream_cipher_close(&cipher);
	plain_free(buf);
	sink_close(&sink);
	if (in != STDIN_FILENO)
		close(in);
	io_output_commit(&out);
}

/*
 * Buffered input for decryption (filter.h): big enough for the largest
 * header or one record plus what the next read brings.
 */
#define INPUT_SIZE (STREAM_HEADER_MAX + 2 * (STREAM_RECORD_MAX + \
	STREAM_RECORD_OVERHEAD))

/* armor.h's in-place decoder behind filter.h's interface. */
static int
armor_filter_decode(void *ctx, const unsigned char *raw, size_t len,
    unsigned char *out, size_t *outlen, const char **why)
{
	memcpy(out, raw, len);
	return armor_decode(ctx, out, len, outlen, why);
}

static int
armor_filter_finish(void *ctx, const char **why)
{
	return armor_reader_close(ctx, why);
}

/* Decide between binary and armor from the first bytes. */
static void
input_detect(struct filter_input *in, struct armor_reader *armor)
{
	struct filter_decoder dec;
	const unsigned char *p;
	size_t len;
	int a, more = 0;

	do {
		p = filter_input_peek(in, more, &len);
		more = 1;
	} while ((a = armor_detect(p, len)) < 0 && !in->raw_eof);
	if (a == 1) {
		armor_reader_open(armor);
		/* The decoder skips the BEGIN line itself. */
		dec.decode = armor_filter_decode;
		dec.finish = armor_filter_finish;
		dec.ctx = armor;
		filter_input_decode(in, &dec);
	}
	/* What was read to decide is parsed before anything more is
	 * asked for (a short non-stream is judged on what it has). */
	(void)filter_input_fill(in);
}

/* The header, whole, before anything else. */
static void
read_header(struct filter_input *in, struct stream_header *h)
{
	const char *why = NULL;
	size_t need;
	int r;

	while ((r = stream_header_parse(h, in->buf + in->start,
	    in->end - in->start, &need, &why)) != 0) {
		if (r != RP_MORE)
			die(EXIT_AUTH, "%s", why);
		if (!filter_input_need(in, need)) {
			if (in->end == in->start)
				truncated("empty input: truncated or not"
				    " an rsapipe stream");
			truncated("truncated stream (incomplete header)");
		}
	}
}

/*
 * The file key of the first candidate, in the order of the identities
 * and, for each, of its stanzas in the header, that unwraps and passes
 * the header checks.  A stanza that unwraps to a wrong file key (the MAC
 * fails) does not stop the search: any sender can make a stanza for our
 * key, and with -i alice -i bob the right one may be bob's.  Returns 0,
 * or the most telling failure with *why: a check that failed (RP_AUTH),
 * else RP_DECRYPT, else RP_NOKEY.
 */
static int
find_file_key(const struct stream_decrypt_options *opt,
    const struct stream_header *h, const unsigned char *buf,
    struct stream_keys *keys, const char **why)
{
	size_t i, at;
	int r, best = RP_NOKEY;

	*why = "not encrypted to this key (no stanza for this key)";
	for (i = 0; i < opt->nidentities; i++) {
		at = 0;
		while ((r = stream_unwrap_next(h, &opt->identities[i], keys,
		    &at)) == 0) {
			if ((r = stream_header_verify(h, buf, keys, opt->session,
			    opt->from, why)) == 0)
				return 0;
			best = r;
		}
		if (r == RP_DECRYPT && best == RP_NOKEY) {
			best = r;
			*why = "cannot decrypt the file key: wrong key or "
			    "tampered stanza";
		}
	}
	return best;
}

/* The header checked under the file key found, and the record cipher. */
static void
open_header(const struct stream_decrypt_options *opt,
    const struct stream_header *h, const unsigned char *buf,
    struct stream_cipher *cipher)
{
	struct stream_keys *keys;
	const char *why = NULL;
	int result;

	keys = stream_keys_new();
	result = find_file_key(opt, h, buf, keys, &why);
	if (result == 0)
		stream_cipher_open(cipher, keys);
	stream_keys_free(keys);
	if (result != 0)
		die(EXIT_AUTH, "%s", why);
}

/* The next record, whole, its header checked; returns its length. */
static size_t
next_record(struct filter_input *in, int *final)
{
	const char *why;
	size_t len;

	if (!filter_input_need(in, STREAM_RECORD_HEADER_LEN)) {
		if (in->end == in->start)
			truncated("truncated stream (no final record)");
		truncated("truncated stream (partial record)");
	}
	if (stream_record_parse(in->buf + in->start, &len, final, &why) != 0)
		die(EXIT_AUTH, "%s", why);
	if (!filter_input_need(in, len + STREAM_RECORD_OVERHEAD))
		truncated("truncated stream (partial record)");
	return len;
}

/* Records to out: each is written only after its tag verified. */
static void
decrypt_records(struct filter_input *in, struct stream_cipher *cipher, int out,
    const char *what)
{
	unsigned char *rec;
	const char *why;
	size_t len;
	int final;

	do {
		len = next_record(in, &final);
		rec = in->buf + in->start;
		if (stream_record_open(cipher, rec, len, final, &why) != 0)
			die(EXIT_AUTH, "%s", why);
		io_write_all(out, rec + STREAM_RECORD_HEADER_LEN, len, what);
		in->start += len + STREAM_RECORD_OVERHEAD;
	} while (!final);
}

void
stream_decrypt(const struct stream_decrypt_options *opt)
{
	struct stream_header h;
	struct stream_cipher cipher;
	struct armor_reader armor;
	struct io_output out;
	struct filter_input in;

	if (opt->status_fd > 2) {
		status_fd = opt->status_fd;
		atexit(status_failed);
	}
	filter_input_open(&in, opt->fd, filter_name(opt->input, "stdin"),
	    INPUT_SIZE, opt->prefix, opt->prefix_len);
	io_output_open(&out, opt->output, 0600, 0);
	input_detect(&in, &armor);
	read_header(&in, &h);
	open_header(opt, &h, in.buf + in.start, &cipher);
	in.start += h.len;
	decrypt_records(&in, &cipher, out.fd,
	    filter_name(opt->output, "stdout"));
	stream_cipher_close(&cipher);
	/* Exactly one final record ends the stream. */
	if (!opt->stop_at_final && (in.end > in.start ||
	    filter_input_fill(&in) > 0))
		die(EXIT_AUTH, "trailing data after the final record");
	filter_input_close(&in);
	io_output_commit(&out);
	status_word("FINAL\n");
}
