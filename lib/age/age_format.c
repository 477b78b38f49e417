/* SPDX-License-Identifier: ISC */
/* age_format.c: see age_format.h. */
#include <stdlib.h>
#include <string.h>

#include "age/age_format.h"
#include "codec/base64.h"
#include "codec/bytes.h"
#include "codec/lines.h"
#include "codec/pem.h"
#include "core/common.h"
#include "crypto/hkdf.h"

#define AGE_COLUMNS 64                  /* base64 characters in a body line */
#define AGE_LINE_BYTES 48               /* what a full body line holds */
#define AGE_MAC_B64_LEN 43

static const char header_info[] = "header";
static const char payload_info[] = "payload";

static int
fail(struct lines *r, int code, struct rp_error *err, const char *reason)
{
	return r->err = rp_fail(err, code, "%s", reason);
}

static char *
strdup_n(const unsigned char *p, size_t n)
{
	char *s;

	s = rp_alloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int
parse_intro(struct lines *r, struct rp_error *err)
{
	static const char family[] = "age-encryption.org/";
	const unsigned char *line;
	size_t n;

	if (lines_next(r, &line, &n) != 0)
		return r->err;
	if (n == sizeof(AGE_VERSION_LINE) - 1 &&
	    memcmp(line, AGE_VERSION_LINE, n) == 0)
		return 0;
	if (n > 0 && line[n - 1] == '\r')
		return fail(r, RP_MALFORMED, err, "age header: line ends in CR");
	if (n >= sizeof(family) - 1 && memcmp(line, family,
	    sizeof(family) - 1) == 0)
		return fail(r, RP_REFUSED, err,
		    "age header: unsupported age version");
	return fail(r, RP_MALFORMED, err, "age header: not an age file");
}

/* "-> TYPE ARG...": each field 1 or more characters from 0x21-0x7e. */
static int
parse_args(struct lines *r, struct age_stanza *s, const unsigned char *line,
    size_t n, struct rp_error *err)
{
	size_t i, start;

	if (n < 2 || memcmp(line, "->", 2) != 0 || n == 2)
		return fail(r, RP_MALFORMED, err,
		    "age header: stanza line without a type");
	for (i = 2; i < n; ) {
		if (line[i++] != ' ')
			return fail(r, RP_MALFORMED, err,
			    "age header: malformed stanza line");
		for (start = i; i < n && line[i] != ' '; i++)
			if (line[i] < 0x21 || line[i] > 0x7e)
				return fail(r, RP_MALFORMED, err,
				    "age header: invalid character in a stanza");
		if (i == start)
			return fail(r, RP_MALFORMED, err,
			    "age header: empty stanza argument");
		if (s->type == NULL)
			s->type = strdup_n(line + start, i - start);
		else if (s->nargs == AGE_MAX_ARGS)
			return fail(r, RP_REFUSED, err,
			    "age header: too many stanza arguments");
		else
			s->args[s->nargs++] = strdup_n(line + start, i - start);
	}
	return 0;
}

static void
body_append(struct age_stanza *s, size_t *cap, const unsigned char *p,
    size_t n)
{
	unsigned char *nb;

	if (s->body == NULL || s->body_len + n > *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		nb = rp_realloc(s->body, *cap);
		s->body = nb;
	}
	memcpy(s->body + s->body_len, p, n);
	s->body_len += n;
}

/* Body lines: full 64-column lines, then one shorter (maybe empty). */
static int
parse_body(struct lines *r, struct age_stanza *s, struct rp_error *err)
{
	unsigned char bin[AGE_LINE_BYTES];
	const unsigned char *line;
	size_t n, got, cap = 0;

	do {
		if (lines_next(r, &line, &n) != 0)
			return r->err;
		if (n > AGE_COLUMNS)
			return fail(r, RP_MALFORMED, err,
			    "age header: stanza body line too long");
		if (b64_decode((const char *)line, n, B64_UNPADDED, bin,
		    sizeof(bin), &got, NULL) != 0)
			return fail(r, RP_MALFORMED, err, n > 0 &&
			    line[n - 1] == '\r' ? "age header: line ends in CR" :
			    "age header: stanza body is not canonical base64");
		body_append(s, &cap, bin, got);
	} while (got == AGE_LINE_BYTES);
	return 0;
}

static int
parse_stanza(struct lines *r, struct age_header *h,
    const unsigned char *line, size_t n, struct rp_error *err)
{
	struct age_stanza *s;

	if (h->nstanzas == AGE_MAX_STANZAS)
		return fail(r, RP_REFUSED, err, "age header: too many stanzas");
	if (h->nstanzas % 8 == 0) {
		s = rp_realloc(h->stanzas, (h->nstanzas + 8) * sizeof(*s));
		h->stanzas = s;
	}
	s = &h->stanzas[h->nstanzas++];
	memset(s, 0, sizeof(*s));
	if (parse_args(r, s, line, n, err) != 0)
		return r->err;
	return parse_body(r, s, err);
}

/* "--- " and the MAC in 43 canonical characters, nothing else. */
static int
parse_mac(struct lines *r, struct age_header *h, const unsigned char *line,
    size_t n, struct rp_error *err)
{
	size_t got;

	if (n != 4 + AGE_MAC_B64_LEN || line[3] != ' ' ||
	    b64_decode((const char *)line + 4, AGE_MAC_B64_LEN, B64_UNPADDED,
	    h->mac, sizeof(h->mac), &got, NULL) != 0 || got != AGE_MAC_LEN)
		return fail(r, RP_MALFORMED, err,
		    "age header: malformed MAC line");
	h->mac_input_len = r->start + 3;
	return 0;
}

static int
parse_lines(struct lines *r, struct age_header *h, struct rp_error *err)
{
	const unsigned char *line;
	size_t n;

	if (parse_intro(r, err) != 0)
		return r->err;
	for (;;) {
		if (lines_next(r, &line, &n) != 0)
			return r->err;
		if (n >= 3 && memcmp(line, "---", 3) == 0)
			return parse_mac(r, h, line, n, err);
		if (n >= 2 && memcmp(line, "->", 2) == 0) {
			if (parse_stanza(r, h, line, n, err) != 0)
				return r->err;
		} else
			return fail(r, RP_MALFORMED, err, n > 0 &&
			    line[n - 1] == '\r' ? "age header: line ends in CR" :
			    "age header: unexpected line");
	}
}

int
age_header_parse(struct age_header *h, const unsigned char *buf,
    size_t len, size_t *need, struct rp_error *err)
{
	struct lines r;
	int rc;

	/* LF only (a CR stays in the line, where the parser refuses it),
	 * and no line without its LF: RP_MORE asks for more input. */
	memset(h, 0, sizeof(*h));
	lines_init(&r, buf, len > AGE_HEADER_MAX ? AGE_HEADER_MAX : len, 0, 0);
	rc = parse_lines(&r, h, err);
	if (rc == RP_MORE && r.need > AGE_HEADER_MAX)
		rc = rp_fail(err, RP_REFUSED, "age header: header too large");
	else if (rc == RP_MORE)
		*need = r.need;
	if (rc != 0) {
		age_header_free(h);
		return rc;
	}
	h->len = r.off;
	return 0;
}

void
age_header_free(struct age_header *h)
{
	struct age_stanza *s;
	size_t i, j;

	for (i = 0; i < h->nstanzas; i++) {
		s = &h->stanzas[i];
		free(s->type);
		for (j = 0; j < s->nargs; j++)
			free(s->args[j]);
		free(s->body);
	}
	free(h->stanzas);
	memset(h, 0, sizeof(*h));
}

/* HMAC-SHA256 under HKDF(file key, "", "header") of the n bytes at p. */
static void
header_mac(unsigned char mac[AGE_MAC_LEN], const unsigned char *p, size_t n,
    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char *key;

	key = secure_alloc(HKDF_SHA256_LEN);
	hkdf_sha256(key, HKDF_SHA256_LEN, file_key, AGE_FILE_KEY_LEN, NULL, 0,
	    (const unsigned char *)header_info, sizeof(header_info) - 1);
	hmac_sha256(mac, key, HKDF_SHA256_LEN, p, n);
	secure_free(key);
}

int
age_header_check_mac(const struct age_header *h, const unsigned char *hdr,
    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char mac[AGE_MAC_LEN];
	int ok;

	header_mac(mac, hdr, h->mac_input_len, file_key);
	ok = ct_equal(mac, h->mac, AGE_MAC_LEN);
	wipe(mac, sizeof(mac));
	return ok ? 0 : RP_AUTH;
}

/* The bytes of one stanza as written: its line, then its body lines. */
static size_t
stanza_size(const struct age_stanza *s)
{
	size_t i, n, b64;

	n = 3 + strlen(s->type) + 1;
	for (i = 0; i < s->nargs; i++)
		n += 1 + strlen(s->args[i]);
	b64 = (s->body_len * 4 + 2) / 3;
	return n + b64 + b64 / AGE_COLUMNS + 1;
}

static void
stanza_write(struct writer *w, const struct age_stanza *s)
{
	size_t i, b64, off, k;
	char *text;

	wr_bytes(w, "-> ", 3);
	wr_bytes(w, s->type, strlen(s->type));
	for (i = 0; i < s->nargs; i++) {
		wr_bytes(w, " ", 1);
		wr_bytes(w, s->args[i], strlen(s->args[i]));
	}
	wr_bytes(w, "\n", 1);
	text = rp_alloc(4 * ((s->body_len + 2) / 3) + 1);
	text[0] = '\0';
	if (s->body_len > 0)    /* libgpg-error refuses to encode nothing */
		base64_encode_unpadded(s->body, s->body_len, text);
	b64 = strlen(text);
	/* Full lines, then a short one: empty when the last was full. */
	for (off = 0; ; off += k) {
		k = b64 - off < AGE_COLUMNS ? b64 - off : AGE_COLUMNS;
		wr_bytes(w, text + off, k);
		wr_bytes(w, "\n", 1);
		if (k < AGE_COLUMNS)
			break;
	}
	free(text);
}

char *
age_header_build(const struct age_stanza *stanzas, size_t n,
    const unsigned char file_key[AGE_FILE_KEY_LEN], size_t *len)
{
	unsigned char mac[AGE_MAC_LEN];
	char b64[AGE_MAC_B64_LEN + 2];
	struct writer w;
	size_t i, cap;
	char *buf;

	cap = sizeof(AGE_VERSION_LINE) + 4 + AGE_MAC_B64_LEN + 1;
	for (i = 0; i < n; i++)
		cap += stanza_size(&stanzas[i]);
	buf = rp_alloc(cap);
	wr_init(&w, buf, cap);
	wr_bytes(&w, AGE_VERSION_LINE "\n", sizeof(AGE_VERSION_LINE));
	for (i = 0; i < n; i++)
		stanza_write(&w, &stanzas[i]);
	wr_bytes(&w, "---", 3);
	header_mac(mac, (unsigned char *)buf, w.off, file_key);
	base64_encode_unpadded(mac, sizeof(mac), b64);
	wr_bytes(&w, " ", 1);
	wr_bytes(&w, b64, AGE_MAC_B64_LEN);
	wr_bytes(&w, "\n", 1);
	if (wr_finish(&w, len) != 0)
		rp_fatal("age header size");
	return buf;
}

void
age_payload_key(unsigned char key[AGE_PAYLOAD_KEY_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN],
    const unsigned char nonce[AGE_NONCE_LEN])
{
	hkdf_sha256(key, AGE_PAYLOAD_KEY_LEN, file_key, AGE_FILE_KEY_LEN,
	    nonce, AGE_NONCE_LEN, (const unsigned char *)payload_info,
	    sizeof(payload_info) - 1);
}
