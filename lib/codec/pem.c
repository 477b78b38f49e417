/* SPDX-License-Identifier: ISC */
/* pem.c: strict PEM armor and base64 over libgpg-error's gpgrt_b64. */
#include <gpg-error.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* The line at *pos, without its newline and trailing blanks; advances
 * *pos past the newline.  Returns 0 at the end of the buffer. */
static int
next_line(const unsigned char *buf, size_t len, size_t *pos,
    const unsigned char **line, size_t *linelen)
{
	const unsigned char *nl;
	size_t n;

	if (*pos >= len)
		return 0;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	n = nl != NULL ? (size_t)(nl - *line) : len - *pos;
	*pos += n + (nl != NULL);
	/* CRLF files and trailing blanks are common and harmless. */
	while (n > 0 && ((*line)[n - 1] == '\r' || (*line)[n - 1] == ' ' ||
	    (*line)[n - 1] == '\t'))
		n--;
	*linelen = n;
	return 1;
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
    const unsigned char **lab, size_t *labn, const char **why)
{
	const unsigned char *line;
	size_t n;

	*pos = skip_space(buf, len, 0);
	if (*pos == len) {
		*why = "empty key file";
		return RP_MALFORMED;
	}
	while (next_line(buf, len, pos, &line, &n))
		if (boundary(line, n, BEGIN_MARK, lab, labn))
			return 0;
	*why = "not a PEM file (no BEGIN line)";
	return RP_MALFORMED;
}

int
pem_label(const unsigned char *buf, size_t len,
    char label[PEM_LABEL_MAX + 1], const char **why)
{
	const unsigned char *lab;
	size_t pos, labn, i;
	int rc;

	if ((rc = find_begin(buf, len, &pos, &lab, &labn, why)) != 0)
		return rc;
	if (labn == 0 || labn > PEM_LABEL_MAX) {
		*why = "bad PEM label";
		return RP_MALFORMED;
	}
	for (i = 0; i < labn; i++)
		if (!((lab[i] >= 'A' && lab[i] <= 'Z') ||
		    (lab[i] >= '0' && lab[i] <= '9') || lab[i] == ' ')) {
			*why = "bad PEM label";
			return RP_MALFORMED;
		}
	memcpy(label, lab, labn);
	label[labn] = '\0';
	return 0;
}

int
pem_next_block(const unsigned char *buf, size_t len, size_t *pos,
    size_t *start, size_t *blocklen)
{
	const unsigned char *line, *lab;
	size_t at, n, labn;

	do {
		at = *pos;
		if (!next_line(buf, len, pos, &line, &n))
			return 0;
	} while (!boundary(line, n, BEGIN_MARK, &lab, &labn));
	*start = at;
	while (next_line(buf, len, pos, &line, &n) &&
	    !boundary(line, n, END_MARK, &lab, &labn))
		;
	*blocklen = *pos - at;
	return 1;
}

int
base64_decode(const char *b64, size_t len, unsigned char **out,
    size_t *outlen, const char **why)
{
	gpgrt_b64state_t state;
	unsigned char *buf;
	size_t i, pad = 0, got = 0;
	gpg_error_t err;

	/* gpgrt_b64dec skips characters it does not know and accepts a
	 * truncated final group, so the shape is checked here first. */
	*why = "bad base64";
	if (len == 0 || len % 4 != 0)
		return RP_MALFORMED;
	if (b64[len - 1] == '=')
		pad = b64[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (!is_b64((unsigned char)b64[i]))
			return RP_MALFORMED;
	buf = secure_alloc(len);
	memcpy(buf, b64, len);
	state = gpgrt_b64dec_start(NULL);
	if (state == NULL)
		die(EXIT_USAGE, "base64 decoder:");
	err = gpgrt_b64dec_proc(state, buf, len, &got);
	if (gpgrt_b64dec_finish(state) != 0 || err != 0 ||
	    got != len / 4 * 3 - pad) {
		secure_free(buf);
		return RP_MALFORMED;
	}
	wipe(buf + got, len - got);
	*out = buf;
	*outlen = got;
	return 0;
}

static int
label_is(const unsigned char *lab, size_t labn, const char *label)
{
	return labn == strlen(label) && memcmp(lab, label, labn) == 0;
}

/* Why a line inside the block is not base64: a PEM header (legacy
 * encryption names itself in one) or anything else. */
static int
body_line_error(const unsigned char *line, size_t n, const char **why)
{
	if (memchr(line, ':', n) != NULL) {
		*why = n >= 10 && memcmp(line, "Proc-Type:", 10) == 0 ?
		    "legacy encrypted PEM is not supported; "
		    "make a PKCS#8 copy with openssl pkcs8 -topk8 -in KEY -out NEW" :
		    "PEM headers are not supported";
		return RP_REFUSED;
	}
	if (n == 0 || memchr(line, '-', n) != NULL) {
		*why = "bad base64";
		return RP_MALFORMED;
	}
	return 0;
}

/*
 * The base64 lines from *pos up to the END line for label, joined into
 * b64 (room for len bytes); then nothing but blank space may follow.
 */
static int
collect_body(const unsigned char *buf, size_t len, size_t pos,
    const char *label, char *b64, size_t *b64len, const char **why)
{
	const unsigned char *line, *lab;
	size_t n, labn;
	int rc;

	*b64len = 0;
	while (next_line(buf, len, &pos, &line, &n)) {
		if (boundary(line, n, END_MARK, &lab, &labn)) {
			if (!label_is(lab, labn, label)) {
				*why = "PEM END label does not match BEGIN";
				return RP_MALFORMED;
			}
			if (skip_space(buf, len, pos) != len) {
				*why = "trailing data after the PEM block";
				return RP_MALFORMED;
			}
			return 0;
		}
		if ((rc = body_line_error(line, n, why)) != 0)
			return rc;
		memcpy(b64 + *b64len, line, n);
		*b64len += n;
	}
	*why = "truncated PEM (no END line)";
	return RP_MALFORMED;
}

int
pem_decode(const unsigned char *buf, size_t len, const char *label,
    unsigned char **der, size_t *derlen, const char **why)
{
	const unsigned char *lab;
	size_t pos, labn, b64len;
	char *b64;
	int rc;

	if ((rc = find_begin(buf, len, &pos, &lab, &labn, why)) != 0)
		return rc;
	if (!label_is(lab, labn, label)) {
		*why = "unexpected PEM label";
		return RP_REFUSED;
	}
	b64 = secure_alloc(len);
	rc = collect_body(buf, len, pos, label, b64, &b64len, why);
	if (rc == 0)
		rc = base64_decode(b64, b64len, der, derlen, why);
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

	stream = gpgrt_fopencookie(&mb, "w", io);
	if (stream == NULL)
		die(EXIT_USAGE, "base64 encoder:");
	/* Unbuffered: no copy of the text in estream's own buffer. */
	if (gpgrt_setvbuf(stream, NULL, _IONBF, 0) != 0)
		die(EXIT_USAGE, "base64 encoder:");
	state = gpgrt_b64enc_start(stream, label);
	if (state == NULL)
		die(EXIT_USAGE, "base64 encoder:");
	ec = gpgrt_b64enc_write(state, data, len);
	if (ec == 0)
		ec = gpgrt_b64enc_finish(state);
	else
		gpgrt_b64enc_finish(state);
	if (gpgrt_fclose(stream) != 0 && ec == 0)
		ec = GPG_ERR_EIO;
	if (ec != 0 || mb.p == NULL)
		die_gcry(EXIT_USAGE, gpg_error(ec != 0 ? ec : GPG_ERR_EIO),
		    "base64 encoding");
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
