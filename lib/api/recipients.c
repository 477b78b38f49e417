/* SPDX-License-Identifier: ISC */
/* recipients.c: recipients files, one public key a line (recipients.h). */
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "api/recipients.h"

#define BLANK(c) ((c) == ' ' || (c) == '\t')

static const unsigned char *
skip_blanks(const unsigned char *p, const unsigned char *end)
{
	while (p < end && BLANK(*p))
		p++;
	return p;
}

static const unsigned char *
field_end(const unsigned char *p, const unsigned char *end)
{
	while (p < end && !BLANK(*p))
		p++;
	return p;
}

/* Characters of an option name; with '@' and '.' those of a key type. */
static int
is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Past the closing quote of the value whose opening quote is at p, or
 * NULL if it has none.  \" stays inside the value. */
static const unsigned char *
skip_quoted(const unsigned char *p, const unsigned char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && p + 1 < end && p[1] == '"')
			p++;
	}
	return NULL;
}

/* authorized_keys options: NAME or NAME="VALUE", comma-separated, up to
 * the first blank outside quotes. */
static int
skip_options(const unsigned char **pp, const unsigned char *end,
    struct rp_error *err)
{
	const unsigned char *p = *pp, *name;

	for (;;) {
		for (name = p; p < end && is_name_char(*p); p++)
			;
		if (p == name)
			return rp_fail(err, RP_MALFORMED,
			    "not a public key line");
		if (p < end && *p == '=') {
			if (p + 1 == end || p[1] != '"')
				return rp_fail(err, RP_MALFORMED,
				    "authorized_keys option value not in "
				    "double quotes");
			if ((p = skip_quoted(p + 1, end)) == NULL)
				return rp_fail(err, RP_MALFORMED,
				    "unterminated quoted string in the "
				    "authorized_keys options");
		}
		if (p == end || BLANK(*p))
			break;
		if (*p++ != ',')
			return rp_fail(err, RP_MALFORMED,
			    "bad authorized_keys options");
	}
	*pp = p;
	return 0;
}

static int
set_type(struct recipients_reader *r, const unsigned char *t, size_t n,
    struct rp_error *err)
{
	size_t i;

	if (n > RECIPIENT_TYPE_MAX)
		return rp_fail(err, RP_MALFORMED, "bad key type");
	for (i = 0; i < n; i++)
		if (!is_name_char(t[i]) && t[i] != '@' && t[i] != '.')
			return rp_fail(err, RP_MALFORMED, "bad key type");
	memcpy(r->type, t, n);
	r->type[n] = '\0';
	return 0;
}

/* A key's base64 (public: plain memory, free()), or NULL with "bad
 * base64", the one reason a recipients line has always been given. */
static unsigned char *
decode_b64(const unsigned char *b64, size_t n, size_t *len,
    struct rp_error *err)
{
	unsigned char *buf = rp_alloc(B64_DECODED_MAX(n));

	if (n == 0 || b64_decode((const char *)b64, n, 0, buf,
	    B64_DECODED_MAX(n), len, NULL) != 0) {
		free(buf);
		rp_fail(err, RP_MALFORMED, "bad base64");
		return NULL;
	}
	return buf;
}

/* A key of another type is skipped, but only a well-formed one: its
 * base64 decodes to a blob that names the same type. */
static int
check_other(const struct recipients_reader *r, const unsigned char *b64,
    size_t n, struct rp_error *err)
{
	const unsigned char *t;
	unsigned char *blob;
	struct reader rd;
	size_t len, tn;
	int ok;

	if ((blob = decode_b64(b64, n, &len, err)) == NULL)
		return RP_MALFORMED;
	rd_init(&rd, blob, len);
	ok = rd_vec(&rd, 4, 0, RECIPIENT_TYPE_MAX, &t, &tn) == 0 &&
	    tn == strlen(r->type) && memcmp(t, r->type, tn) == 0;
	free(blob);
	return ok ? 0 : rp_fail(err, RP_MALFORMED, "the key does not match "
	    "the key type before it");
}

/* "TYPE BASE64 [comment]" from p. */
static int
parse_key(struct recipients_reader *r, const unsigned char *p,
    const unsigned char *end, struct rsa_key *key, struct rp_error *err)
{
	const unsigned char *type = p, *b64;
	int rc;

	p = field_end(p, end);
	if ((rc = set_type(r, type, (size_t)(p - type), err)) != 0)
		return rc;
	b64 = skip_blanks(p, end);
	p = field_end(b64, end);
	if (p == b64)
		return rp_fail(err, RP_MALFORMED, "no key after the key type");
	if (strcmp(r->type, "ssh-rsa") != 0) {
		r->kind = RECIPIENT_OTHER;
		return check_other(r, b64, (size_t)(p - b64), err);
	}
	r->kind = RECIPIENT_RSA;
	return key_from_ssh_base64(key, b64, (size_t)(p - b64), err);
}

/* The base64 of a SubjectPublicKeyInfo, as known_peers and keyswap
 * write it, and an optional comment. */
static int
parse_spki(struct recipients_reader *r, const unsigned char *p,
    const unsigned char *end, struct rsa_key *key, struct rp_error *err)
{
	unsigned char *der;
	size_t len;
	int rc;

	strcpy(r->type, "spki");
	r->kind = RECIPIENT_RSA;
	end = field_end(p, end);
	if ((der = decode_b64(p, (size_t)(end - p), &len, err)) == NULL)
		return RP_MALFORMED;
	rc = key_from_spki(key, der, len, err);
	free(der);
	return rc;
}

/* An age X25519 recipient, "age1" and Bech32, alone on its line as in
 * age's recipients files. */
static int
parse_age(struct recipients_reader *r, const unsigned char *p,
    const unsigned char *end, struct rp_error *err)
{
	const unsigned char *e = field_end(p, end);

	strcpy(r->type, "age");
	r->kind = RECIPIENT_AGE;
	if (skip_blanks(e, end) != end)
		return rp_fail(err, RP_MALFORMED,
		    "text after the age recipient");
	return age_x25519_recipient_parse(r->x25519, (const char *)p,
	    (size_t)(e - p), err);
}

/* One line: 1 a key, 0 nothing (blank, comment), or an rp_err code. */
static int
parse_line(struct recipients_reader *r, const unsigned char *p,
    const unsigned char *end, struct rsa_key *key, struct rp_error *err)
{
	int rc;

	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 0;
	if (end - p >= 4 && memcmp(p, "age1", 4) == 0) {
		rc = parse_age(r, p, end, err);
		return rc == 0 ? 1 : rc;
	}
	/* Every RSA SPKI of 2048 bits or more begins 30 82: "MII". */
	if (end - p >= 3 && memcmp(p, "MII", 3) == 0) {
		rc = parse_spki(r, p, end, key, err);
		return rc == 0 ? 1 : rc;
	}
	if (!key_looks_like_ssh(p, (size_t)(end - p))) {
		if ((rc = skip_options(&p, end, err)) != 0)
			return rc;
		p = skip_blanks(p, end);
		if (!key_looks_like_ssh(p, (size_t)(end - p)))
			return rp_fail(err, RP_MALFORMED,
			    "not a public key line");
	}
	rc = parse_key(r, p, end, key, err);
	return rc == 0 ? 1 : rc;
}

void
recipients_init(struct recipients_reader *r, const unsigned char *buf,
    size_t len)
{
	memset(r, 0, sizeof(*r));
	/* A last line without LF is a line; CRLF files are common (a
	 * GitHub .keys saved on Windows). */
	lines_init(&r->lines, buf, len, LINES_CRLF | LINES_LAST_OPEN, 0);
}

int
recipients_next(struct recipients_reader *r, struct rsa_key *key,
    struct rp_error *err)
{
	const unsigned char *line;
	size_t n;
	int rc;

	memset(key, 0, sizeof(*key));
	while (lines_next(&r->lines, &line, &n) == 0) {
		r->lineno = r->lines.lineno;
		r->type[0] = '\0';
		rp_clear(err);
		if ((rc = parse_line(r, line, line + n, key, err)) == 0)
			continue;
		if (rc < 0)
			key_free(key);
		return rc;
	}
	return 0;
}
