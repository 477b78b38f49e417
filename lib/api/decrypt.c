/* SPDX-License-Identifier: ISC */
/* decrypt.c: the format of the input, and its driver (decrypt.h). */
#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "api/decrypt.h"
#include "api/detect.h"
#include "api/input.h"
#include "api/keyset.h"
#include "core/common.h"
#include "core/error.h"
#include "core/filter.h"
#include "core/io.h"
#include "stream/stream.h"

/* Enough to tell an age file from an rsapipe stream, blank lines
 * before an armored one included. */
#define PREFIX_MAX 4096

/* The first bytes of the input, read until the detector decides, and
 * its format in *format; 0 or RP_IO. */
static int
read_prefix(int fd, const char *what, unsigned char *buf, size_t *len,
    enum data_format *format, struct rp_error *err)
{
	size_t r;
	int rc;

	*len = 0;
	while (detect_format(buf, *len, format) == RP_MORE) {
		if (*len == PREFIX_MAX) {
			*format = detect_format_final(buf, *len);
			return 0;
		}
		if ((rc = io_read(fd, buf + *len, PREFIX_MAX - *len, &r, what,
		    err)) != 0)
			return rc;
		if (r == 0) {
			*format = detect_format_final(buf, *len);
			return 0;
		}
		*len += r;
	}
	return 0;
}

/*
 * 1 if the input is to be read as an age file, 0 as a stream.  With no
 * RSA key, only an age file can be opened (by an age key, or by its
 * scrypt stanza with no key at all).
 */
static int
choose_age(enum data_format format, const struct identity_set *ids,
    struct rp_error *err)
{
	if (format == FORMAT_AGE || format == FORMAT_AGE_ARMOR)
		return 1;
	if (keyset_stream_keys(ids) > 0)
		return 0;
	if (keyset_age_keys(ids) == 0)
		return rp_fail(err, RP_USAGE, "no identity: give at least one "
		    "-i PRIVATE");
	if (format == FORMAT_RSAPIPE || format == FORMAT_RSAPIPE_ARMOR)
		return rp_fail(err, RP_USAGE, "an rsapipe stream needs an RSA "
		    "private key: age identities open age files only");
	return 1;
}

static int
decrypt_stream(const struct decrypt_request *req, struct filter_input *in,
    struct rp_error *err)
{
	struct stream_decrypt_options opt;
	struct rsa_key from;
	unsigned char *session = NULL;
	int rc = 0;

	memset(&opt, 0, sizeof(opt));
	opt.identities = req->identities;
	opt.stop_at_final = req->stop_at_final;
	opt.in = in;
	opt.output = req->output;
	if (req->from_path != NULL) {
		memset(&from, 0, sizeof(from));
		/* A --from key that cannot be used is the command's fault:
		 * status 2, as every key file given (decrypt.h). */
		if ((rc = key_read_public(&from, req->from_path, req->pass,
		    err)) != 0) {
			if (err != NULL)
				err->code = RP_USAGE;
			return RP_USAGE;
		}
		opt.from = &from;
	}
	if (req->session_path != NULL)
		rc = stream_session_load(req->session_path, &session, err);
	opt.session = session;
	if (rc == 0)
		rc = stream_decrypt(&opt, err);
	secure_free(session);
	if (opt.from != NULL)
		key_free(&from);
	return rc;
}

static int
decrypt_age(const struct decrypt_request *req, struct filter_input *in,
    struct rp_error *err)
{
	struct age_decrypt_options opt;

	if (req->from_path != NULL)
		return rp_fail(err, RP_USAGE, "--from cannot be used with an "
		    "age file: age files have no sender signature");
	if (req->session_path != NULL)
		return rp_fail(err, RP_USAGE, "--session cannot be used with "
		    "an age file: age files have no session");
	if (req->stop_at_final)
		return rp_fail(err, RP_USAGE, "--stop-at-final cannot be used "
		    "with an age file: it is read to its end");
	if (req->stream_only)
		return rp_fail(err, RP_USAGE, "--status-fd cannot be used with "
		    "an age file");
	memset(&opt, 0, sizeof(opt));
	opt.identities = req->identities;
	opt.in = in;
	opt.output = req->output;
	return age_decrypt(&opt, err);
}

int
decrypt_file(const struct decrypt_request *req, struct rp_error *err)
{
	unsigned char prefix[PREFIX_MAX];
	enum data_format format;
	struct input in;
	const char *what = filter_name(req->input, "stdin");
	size_t len;
	int age, rc;

	if ((rc = read_prefix(req->fd, what, prefix, &len, &format,
	    err)) != 0)
		return rc;
	if ((age = choose_age(format, req->identities, err)) < 0)
		return age;
	if (age)
		format = detect_format_as_age(prefix, len, format);
	input_open(&in, req->fd, what, format, age ? AGE_INPUT_SIZE :
	    STREAM_INPUT_SIZE, prefix, len);
	rc = age ? decrypt_age(req, &in.in, err) :
	    decrypt_stream(req, &in.in, err);
	input_close(&in);
	return rc;
}
