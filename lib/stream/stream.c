/* SPDX-License-Identifier: ISC */
/* stream.c: the filter drivers: input, output, armor, whole files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/armor.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"
#include "stream/format.h"
#include "stream/stream.h"

int
stream_session_load(const char *path, unsigned char **session,
    struct rp_error *err)
{
	size_t len;
	int rc;

	*session = NULL;
	if ((rc = io_file_load(path, STREAM_SESSION_LEN, session, &len,
	    err)) != 0)
		return rc;
	if (len != STREAM_SESSION_LEN) {
		secure_free(*session);
		*session = NULL;
		return rp_fail(err, RP_USAGE, "%s: a session file holds "
		    "exactly %d bytes", path, STREAM_SESSION_LEN);
	}
	return 0;
}

/* The header, written at once so a chat peer can set up before the
 * first line is typed; the record cipher under its file key. */
static int
encrypt_header(const struct stream_encrypt_options *opt,
    struct armor_sink *sink, struct cipher_state *cipher,
    struct rp_error *err)
{
	struct stream_keys *keys;
	unsigned char *hdr;
	size_t len;
	int rc;

	keys = stream_keys_new();
	rc = stream_header_create(&hdr, &len, keys, opt->recipients,
	    opt->signer, opt->session, err);
	if (rc == 0)
		stream_cipher_open(cipher, keys);
	stream_keys_free(keys);
	if (rc != 0)
		return rc;
	rc = armor_sink_write(sink, hdr, len, err);
	free(hdr);
	return rc;
}

/* One buffer, records sealed in place: each read() becomes one record
 * written at once (a typed line crosses immediately, a big file streams
 * in full records). */
static int
encrypt_records(int in, const char *what, struct armor_sink *sink,
    struct cipher_state *cipher, struct rp_error *err)
{
	unsigned char *buf;
	size_t n;
	int rc;

	buf = plain_alloc(STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD);
	do {
		if ((rc = io_read(in, buf + STREAM_RECORD_HEADER_LEN,
		    STREAM_RECORD_MAX, &n, what, err)) != 0)
			break;
		rc = armor_sink_write(sink, buf, stream_record_seal(cipher,
		    buf, n, n == 0), err);
	} while (rc == 0 && n > 0);
	plain_free(buf);
	return rc;
}

int
stream_encrypt(const struct stream_encrypt_options *opt,
    struct rp_error *err)
{
	struct cipher_state cipher;
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
	filter_pipe_widen(out.fd);
	if ((rc = armor_sink_open(&sink, out.fd, filter_name(opt->output,
	    "stdout"), opt->armor ? STREAM_ARMOR_TITLE : NULL, 1,
	    err)) == 0 &&
	    (rc = encrypt_header(opt, &sink, &cipher, err)) == 0) {
		rc = encrypt_records(in, filter_name(opt->input, "stdin"),
		    &sink, &cipher, err);
		stream_cipher_close(&cipher);
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

/* The header, whole, before anything else. */
static int
read_header(struct filter_input *in, struct stream_header *h,
    struct rp_error *err)
{
	size_t need;
	int r;

	while ((r = stream_header_parse(h, in->buf + in->start,
	    in->end - in->start, &need, err)) != 0) {
		if (r != RP_MORE)
			return r;
		if (filter_input_need(in, need))
			continue;
		if ((r = filter_input_failed(in, 0, err)) != 0)
			return r;
		return rp_fail(err, RP_MORE, in->end == in->start ?
			    "empty input: truncated or not an rsapipe stream" :
			    "truncated stream (incomplete header)");
	}
	return 0;
}

/* The header checked under the file key found (stream_find_file_key),
 * and the record cipher. */
static int
open_header(const struct stream_decrypt_options *opt,
    const struct stream_header *h, const unsigned char *buf,
    struct cipher_state *cipher, struct rp_error *err)
{
	struct stream_keys *keys;
	int rc;

	keys = stream_keys_new();
	rc = stream_find_file_key(h, buf, opt->identities, opt->session,
	    opt->from, keys, err);
	if (rc == 0)
		stream_cipher_open(cipher, keys);
	stream_keys_free(keys);
	return rc;
}

/* The next record, whole, its header checked; its length in *len. */
static int
next_record(struct filter_input *in, size_t *len, int *final,
    struct rp_error *err)
{
	int rc;

	if (!filter_input_need(in, STREAM_RECORD_HEADER_LEN)) {
		if ((rc = filter_input_failed(in, 0, err)) != 0)
			return rc;
		return rp_fail(err, RP_MORE, in->end == in->start ?
		    "truncated stream (no final record)" :
		    "truncated stream (partial record)");
	}
	if ((rc = stream_record_parse(in->buf + in->start, len, final,
	    err)) != 0)
		return rc;
	if (!filter_input_need(in, *len + STREAM_RECORD_OVERHEAD)) {
		if ((rc = filter_input_failed(in, 0, err)) != 0)
			return rc;
		return rp_fail(err, RP_MORE,
		    "truncated stream (partial record)");
	}
	return 0;
}

/* Records to out: each is written only after its tag verified. */
static int
decrypt_records(struct filter_input *in, struct cipher_state *cipher,
    int out, const char *what, struct rp_error *err)
{
	unsigned char *rec;
	size_t len;
	int final, rc;

	do {
		if ((rc = next_record(in, &len, &final, err)) != 0)
			return rc;
		rec = in->buf + in->start;
		if ((rc = stream_record_open(cipher, rec, len, final,
		    err)) != 0)
			return rc;
		if ((rc = io_write(out, rec + STREAM_RECORD_HEADER_LEN, len,
		    what, err)) != 0)
			return rc;
		in->start += len + STREAM_RECORD_OVERHEAD;
	} while (!final);
	return 0;
}

/* The header, the records, and nothing after them. */
static int
decrypt_input(const struct stream_decrypt_options *opt, int out,
    struct rp_error *err)
{
	struct filter_input *in = opt->in;
	struct stream_header h;
	struct cipher_state cipher;
	int rc;

	/* What was read to recognise the input is parsed before anything
	 * more is asked for (a short non-stream is judged on what it
	 * has). */
	(void)filter_input_fill(in);
	if ((rc = read_header(in, &h, err)) != 0 ||
	    (rc = open_header(opt, &h, in->buf + in->start, &cipher,
	    err)) != 0)
		return rc;
	in->start += h.len;
	rc = decrypt_records(in, &cipher, out,
	    filter_name(opt->output, "stdout"), err);
	stream_cipher_close(&cipher);
	/* Exactly one final record ends the stream. */
	if (rc == 0 && !opt->stop_at_final && (in->end > in->start ||
	    filter_input_fill(in) > 0))
		rc = rp_fail(err, RP_MALFORMED,
		    "trailing data after the final record");
	return rc != 0 ? rc : filter_input_failed(in, 0, err);
}

int
stream_decrypt(const struct stream_decrypt_options *opt,
    struct rp_error *err)
{
	struct rp_error local;
	struct io_output out;
	int rc;

	if (err == NULL)
		err = &local;
	if ((rc = io_output_create(&out, opt->output, 0600, 0, err)) != 0)
		return rc;
	if ((rc = decrypt_input(opt, out.fd, err)) != 0) {
		io_output_abort(&out);
		return rc;
	}
	return io_output_finish(&out, err);
}
