/* SPDX-License-Identifier: ISC */
/* pem.c: strict PEM armor on the line cursor and the strict base64
 * decoder; encoding over libgpg-error's gpgrt_b64enc. */
#include <errno.h>
#include <gpg-error.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/lines.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"

#define BEGIN_MARK "-----BEGIN "
#define END_MARK "-----END "
#define DASHES "-----"

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* PEM's lines from pos: LF or CRLF, trailing blanks forgiven (common
 * and harmless), the last line may end the file without LF. */
static void
pem_lines(struct lines *c, const unsigned char *buf, size_t len, size_t pos)
{
	lines_init(c, buf, len, LINES_LAST_OPEN | LINES_TRIM, 0);
	c->off = pos;
}

/* If line is "<mark>LABEL-----" return LABEL's start and length. */
static int
boundary(const unsigned char *line, size_t n, const char *mark,
    const unsigned char **label, size_t *labellen)
{
	size_t m = strlen(mark), d = strlen(DASHES);

	if (n < m + d || memcmp(line, mark, m) != 0 ||
	    memcmp(line + n - d, DASHES, d) != 0)
		return 0;
	*label = line + m;
	*labellen = n - m - d;
	return 1;
}

static size_t
skip_space(const unsigned char *buf, size_t len, size_t pos)
{
	while (pos < len && is_space(buf[pos]))
		pos++;
	return pos;
}

/*
 * The first BEGIN line, as OpenSSL finds it: lines of text before it
 * (the "Bag Attributes" openssl pkcs12 writes, a note) are passed over.
 * *pos is left after the BEGIN line, *lab at its label.
 */
static int
find_begin(const unsigned char *buf, size_t len, size_t *pos,
    const unsigned char **lab, size_t *labn, struct rp_error *err)
{
	const unsigned char *line;
	struct lines c;
	size_t n;

	pem_lines(&c, buf, len, skip_space(buf, len, 0));
	if (lines_left(&c) == 0)
		return rp_fail(err, RP_MALFORMED, "empty key file");
	while (lines_next(&c, &line, &n) == 0)
		if (boundary(line, n, BEGIN_MARK, lab, labn)) {
			*pos = c.off;
			return 0;
		}
	return rp_fail(err, RP_MALFORMED, "not a PEM file (no BEGIN line)");
}

int
pem_label(const unsigned char *buf, size_t len,
    char label[PEM_LABEL_MAX + 1], struct rp_error *err)
{
	const unsigned char *lab;
	size_t pos, labn, i;
	int rc;

	if ((rc = find_begin(buf, len, &pos, &lab, &labn, err)) != 0)
		return rc;
	if (labn == 0 || labn > PEM_LABEL_MAX)
		return rp_fail(err, RP_MALFORMED, "bad PEM label");
	for (i = 0; i < labn; i++)
		if (!((lab[i] >= 'A' && lab[i] <= 'Z') ||
		    (lab[i] >= '0' && lab[i] <= '9') || lab[i] == ' '))
			return rp_fail(err, RP_MALFORMED, "bad PEM label");
	memcpy(label, lab, labn);
	label[labn] = '\0';
	return 0;
}

int
pem_next_block(const unsigned char *buf, size_t len, size_t *pos,
    size_t *start, size_t *blocklen)
{
	const unsigned char *line, *lab;
	struct lines c;
	size_t n, labn;

	pem_lines(&c, buf, len, *pos);
	do {
		if (lines_next(&c, &line, &n) != 0) {
			*pos = len;
			return 0;
		}
	} while (!boundary(line, n, BEGIN_MARK, &lab, &labn));
	*start = c.start;
	while (lines_next(&c, &line, &n) == 0 &&
	    !boundary(line, n, END_MARK, &lab, &labn))
		;
	*blocklen = c.off - *start;
	*pos = c.off;
	return 1;
}

static int
label_is(const unsigned char *lab, size_t labn, const char *label)
{
	return labn == strlen(label) && memcmp(lab, label, labn) == 0;
}

/* Why a line inside the block is not base64: a PEM header (legacy
 * encryption names itself in one) or anything else. */
static int
body_line_error(const unsigned char *line, size_t n, struct rp_error *err)
{
	if (memchr(line, ':', n) != NULL) {
		return rp_fail(err, RP_REFUSED, "%s",
		    n >= 10 && memcmp(line, "Proc-Type:", 10) == 0 ?
		    "legacy encrypted PEM is not supported; "
		    "make a PKCS#8 copy with openssl pkcs8 -topk8 -in KEY -out NEW" :
		    "PEM headers are not supported");
	}
	if (n == 0 || memchr(line, '-', n) != NULL)
		return rp_fail(err, RP_MALFORMED, "bad base64");
	return 0;
}

/*
 * The base64 lines from *pos up to the END line for label, joined into
 * b64 (room for len bytes); then nothing but blank space may follow.
 */
static int
collect_body(const unsigned char *buf, size_t len, size_t pos,
    const char *label, char *b64, size_t *b64len, struct rp_error *err)
{
	const unsigned char *line, *lab;
	struct lines c;
	size_t n, labn;
	int rc;

	*b64len = 0;
	pem_lines(&c, buf, len, pos);
	while (lines_next(&c, &line, &n) == 0) {
		if (boundary(line, n, END_MARK, &lab, &labn)) {
			if (!label_is(lab, labn, label))
				return rp_fail(err, RP_MALFORMED,
				    "PEM END label does not match BEGIN");
			if (skip_space(buf, len, c.off) != len)
				return rp_fail(err, RP_MALFORMED,
				    "trailing data after the PEM block");
			return 0;
		}
		if ((rc = body_line_error(line, n, err)) != 0)
			return rc;
		memcpy(b64 + *b64len, line, n);
		*b64len += n;
	}
	return rp_fail(err, RP_MALFORMED, "truncated PEM (no END line)");
}

int
pem_decode(const unsigned char *buf, size_t len, const char *label,
    unsigned char **der, size_t *derlen, struct rp_error *err)
{
	const unsigned char *lab;
	size_t pos, labn, b64len;
	char *b64;
	int rc;

	if ((rc = find_begin(buf, len, &pos, &lab, &labn, err)) != 0)
		return rc;
	if (!label_is(lab, labn, label))
		return rp_fail(err, RP_REFUSED, "unexpected PEM label");
	b64 = secure_alloc(len);
	rc = collect_body(buf, len, pos, label, b64, &b64len, err);
	if (rc == 0) {
		/* The one reason PEM has always shown for its base64. */
		*der = secure_alloc(B64_DECODED_MAX(b64len));
		if (b64len == 0 || b64_decode(b64, b64len, 0, *der,
		    B64_DECODED_MAX(b64len), derlen, NULL) != 0) {
			secure_free(*der);
			*der = NULL;
			rc = rp_fail(err, RP_MALFORMED, "bad base64");
		}
	}
	secure_free(b64);
	return rc;
}

/* A growing buffer behind a gpgrt cookie stream, so base64 text of a
 * private key is built in secure memory rather than estream's heap. */
struct membuf {
	char *p;
	size_t len, cap;
	int secret;
};

static gpgrt_ssize_t
membuf_write(void *cookie, const void *data, size_t n)
{
	struct membuf *mb = cookie;
	size_t cap;
	char *np;

	if (n == 0)
		return 0;
	if (n > SIZE_MAX / 2 - mb->len)
		return -1;
	if (mb->len + n + 1 > mb->cap) {
		cap = (mb->len + n + 1) * 2;
		np = mb->secret ? secure_alloc(cap) : malloc(cap);
		if (np == NULL)
			return -1;
		if (mb->p != NULL) {
			memcpy(np, mb->p, mb->len);
			if (mb->secret)
				secure_free(mb->p);
			else
				free(mb->p);
		}
		mb->p = np;
		mb->cap = cap;
	}
	memcpy(mb->p + mb->len, data, n);
	mb->len += n;
	return (gpgrt_ssize_t)n;
}

static char *
encode(const char *label, const unsigned char *data, size_t len, int secret,
    size_t *outlen)
{
	gpgrt_cookie_io_functions_t io = { NULL, membuf_write, NULL, NULL };
	struct membuf mb = { NULL, 0, 0, secret };
	gpgrt_stream_t stream;
	gpgrt_b64state_t state;
	gpg_err_code_t ec;

	/* Every failure here is memory running out (the sink is our own
	 * buffer), a fault that is nobody's input: rp_fatal(). */
	stream = gpgrt_fopencookie(&mb, "w", io);
	if (stream == NULL)
		rp_fatal("base64 encoder: %s", strerror(errno));
	/* Unbuffered: no copy of the text in estream's own buffer. */
	if (gpgrt_setvbuf(stream, NULL, _IONBF, 0) != 0)
		rp_fatal("base64 encoder: %s", strerror(errno));
	state = gpgrt_b64enc_start(stream, label);
	if (state == NULL)
		rp_fatal("base64 encoder: %s", strerror(errno));
	ec = gpgrt_b64enc_write(state, data, len);
	if (ec == 0)
		ec = gpgrt_b64enc_finish(state);
	else
		gpgrt_b64enc_finish(state);
	if (gpgrt_fclose(stream) != 0 && ec == 0)
		ec = GPG_ERR_EIO;
	if (ec != 0 || mb.p == NULL)
		rp_fatal("base64 encoding: %s",
		    gpg_strerror(ec != 0 ? ec : GPG_ERR_EIO));
	mb.p[mb.len] = '\0';
	*outlen = mb.len;
	return mb.p;
}

char *
pem_encode(const char *label, const unsigned char *der, size_t derlen,
    int secret, size_t *len)
{
	return encode(label, der, derlen, secret, len);
}

void
base64_encode_unpadded(const unsigned char *data, size_t len, char *out)
{
	char *text;
	size_t n, i, j;

	text = encode(NULL, data, len, 0, &n);
	for (i = j = 0; i < n; i++)
		if (text[i] != '\n' && text[i] != '=')
			out[j++] = text[i];
	out[j] = '\0';
	free(text);
}
