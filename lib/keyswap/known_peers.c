/* SPDX-License-Identifier: ISC */
/*
 * known_peers.c: trust on first use for keyswap (known_hosts style):
 * parsing entries and answers, on the line cursor (lines.h).  The file
 * on disk is known_peers_file.c's.
 */
#include <string.h>
#include <strings.h>

#include "codec/base64.h"
#include "codec/lines.h"
#include "core/common.h"
#include "core/error.h"
#include "keyswap/known_peers.h"

#define FINGERPRINT_PREFIX "SHA256:"
#define FINGERPRINT_B64_LEN 43
/* Base64 of the largest SPKI keyswap accepts (2100 bytes), padded. */
#define SPKI_B64_MAX 2800

static const char not_a_value[] = "neither a SHA256: fingerprint nor a "
    "base64 public key";

int
known_peers_valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > KNOWN_PEERS_NAME_MAX || name[0] == '#')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] >= 0x7f)
			return 0;
	return 1;
}

/* A value that is a fingerprint: checked and copied. */
static int
fingerprint_value(const char *value, size_t len,
    char out[KEY_FINGERPRINT_LEN], struct rp_error *err)
{
	size_t i;

	if (len != sizeof(FINGERPRINT_PREFIX) - 1 + FINGERPRINT_B64_LEN)
		return rp_fail(err, RP_MALFORMED, "bad fingerprint length");
	for (i = sizeof(FINGERPRINT_PREFIX) - 1; i < len; i++)
		if (!b64_is_char((unsigned char)value[i]))
			return rp_fail(err, RP_MALFORMED,
			    "bad character in fingerprint");
	memcpy(out, value, len);
	out[len] = '\0';
	return 0;
}

/* After a parse into the local key that returned rc: its fingerprint
 * when it parsed, and the key freed. */
static int
key_done(struct rsa_key *key, int rc, char fp[KEY_FINGERPRINT_LEN])
{
	if (rc == 0)
		key_fingerprint(key, fp);
	key_free(key);
	return rc;
}

/* A value that is the base64 of an SPKI DER: decoded (strictly,
 * base64.h) into secure memory, fingerprinted. */
static int
spki_value(const char *value, size_t len, char out[KEY_FINGERPRINT_LEN],
    struct rp_error *err)
{
	unsigned char *der;
	size_t der_len;
	struct rsa_key key;
	int rc;

	if (len > SPKI_B64_MAX)
		return rp_fail(err, RP_MALFORMED, "%s", not_a_value);
	der = secure_alloc(B64_DECODED_MAX(SPKI_B64_MAX));
	if (b64_decode(value, len, 0, der, B64_DECODED_MAX(SPKI_B64_MAX),
	    &der_len, NULL) != 0) {
		secure_free(der);
		return rp_fail(err, RP_MALFORMED, "%s", not_a_value);
	}
	rc = key_from_spki(&key, der, der_len, err);
	secure_free(der);
	return key_done(&key, rc, out);
}

/*
 * Turn an entry's value into a fingerprint: checked as is when it is
 * one, computed from the decoded key when it is a base64 SPKI.
 */
static int
value_fingerprint(const char *value, size_t len,
    char out[KEY_FINGERPRINT_LEN], struct rp_error *err)
{
	if (len > sizeof(FINGERPRINT_PREFIX) - 1 &&
	    memcmp(value, FINGERPRINT_PREFIX, sizeof(FINGERPRINT_PREFIX) - 1)
	    == 0)
		return fingerprint_value(value, len, out, err);
	return spki_value(value, len, out, err);
}

/*
 * An entry line: its text (the raw line, for messages that look at
 * what the fields leave out) and its blank-separated fields.
 */
struct entry {
	const unsigned char *line;
	size_t len;
	struct line_fields f;
};

/* The lines of a known_peers file or allow list: LF or CRLF, trailing
 * blanks forgiven, a last line without LF taken. */
static void
entries_start(struct lines *c, const unsigned char *buf, size_t len)
{
	lines_init(c, buf, len, LINES_LAST_OPEN | LINES_TRIM, 0);
}

/*
 * Advance to the next line that holds fields (not blank, not a '#'
 * comment).  0, RP_MORE at the end of the file, or RP_MALFORMED (with
 * c->lineno naming the line) for a byte that is not printable ASCII.
 */
static int
next_entry(struct lines *c, struct entry *e)
{
	const unsigned char *line;
	size_t n;

	while (lines_next(c, &line, &n) == 0) {
		e->line = line;
		e->len = c->off - c->start - (c->buf[c->off - 1] == '\n');
		if (line_fields(line, n, FIELDS_COMMENT | FIELDS_PRINTABLE,
		    &e->f) != 0)
			return RP_MALFORMED;
		if (e->f.n > 0)
			return 0;
	}
	return RP_MORE;
}

static const char malformed_entry[] = "malformed entry (want \"NAME "
    "SHA256:fingerprint\" or \"NAME base64-public-key\")";

int
known_peers_lookup(const unsigned char *buf, size_t len, const char *name,
    const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err)
{
	struct lines c;
	struct entry e;
	char found[KEY_FINGERPRINT_LEN];
	unsigned long changed_line = 0;
	int r, status = KNOWN_PEER_NEW;

	memset(entry, 0, sizeof(*entry));
	entries_start(&c, buf, len);
	while ((r = next_entry(&c, &e)) != RP_MORE) {
		entry->line = (unsigned long)c.lineno;
		if (r != 0 || e.f.n != 2)
			return rp_fail(err, RP_MALFORMED, "%s", malformed_entry);
		if ((r = value_fingerprint((const char *)e.f.p[1], e.f.len[1],
		    found, err)) != 0)
			return r;
		if (!line_field_is(&e.f, 0, name))
			continue; /* another peer's entry, well formed */
		if (strcmp(found, fingerprint) == 0)
			status = KNOWN_PEER_MATCH;
		else if (status == KNOWN_PEER_NEW) {
			/* The first entry is the one to show as "old". */
			status = KNOWN_PEER_CHANGED;
			changed_line = (unsigned long)c.lineno;
			memcpy(entry->fingerprint, found, sizeof(found));
		}
	}
	entry->line = changed_line;
	return status;
}

static const char malformed_allowed[] = "malformed entry (want \"NAME "
    "SHA256:fingerprint\", \"NAME base64-public-key\" or \"ssh-rsa "
    "BASE64 NAME\")";

/* Why a line of an allow list that is not "NAME VALUE" is refused. */
static const char *
allowed_line_error(const struct entry *e)
{
	static const char *const others[] = { "ssh-", "ecdsa-", "sk-",
	    NULL };
	int k;

	if (line_field_is(&e->f, 0, "ssh-rsa"))
		return e->f.n < 3 ? "ssh-rsa line without a name: put the "
		    "client's name in its comment" : "the comment of an "
		    "ssh-rsa line is the client's name: one word";
	for (k = 0; others[k] != NULL; k++)
		if (e->f.len[0] > strlen(others[k]) && memcmp(e->f.p[0],
		    others[k], strlen(others[k])) == 0)
			return "not an RSA key: keyswap identities are RSA";
	if (memmem(e->line, e->len, "ssh-rsa ", 8))
		return "authorized_keys options are not supported; remove "
		    "everything before ssh-rsa";
	return malformed_allowed;
}

/* The fingerprint of an "ssh-rsa BASE64 NAME" line. */
static int
ssh_line_fingerprint(const struct entry *e, char fp[KEY_FINGERPRINT_LEN],
    struct rp_error *err)
{
	struct rsa_key key;
	int rc;

	rc = key_parse_public(&key, e->line, e->len, NULL, err);
	return key_done(&key, rc, fp);
}

/*
 * The fingerprint and name of the current allow-list line: "NAME VALUE"
 * or "ssh-rsa BASE64 NAME".  Returns 0, or an rp_err code with its
 * reason.
 */
static int
allowed_entry(const struct entry *e, char fp[KEY_FINGERPRINT_LEN],
    char *name, struct rp_error *err)
{
	const struct line_fields *f = &e->f;
	size_t name_word;
	int rc;

	if (f->n == 2 && !line_field_is(f, 0, "ssh-rsa")) {
		name_word = 0;
		rc = value_fingerprint((const char *)f->p[1], f->len[1], fp,
		    err);
	} else if (f->n == 3 && line_field_is(f, 0, "ssh-rsa")) {
		name_word = 2;
		rc = ssh_line_fingerprint(e, fp, err);
	} else
		return rp_fail(err, RP_MALFORMED, "%s", allowed_line_error(e));
	if (rc != 0)
		return rc;
	if (f->len[name_word] <= KNOWN_PEERS_NAME_MAX) {
		memcpy(name, f->p[name_word], f->len[name_word]);
		name[f->len[name_word]] = '\0';
		if (known_peers_valid_name(name))
			return 0;
	}
	return rp_fail(err, RP_MALFORMED, "bad name (want 1 to 255 printable "
	    "characters without spaces)");
}

int
known_peers_allowed_lookup(const unsigned char *buf, size_t len,
    const char *fingerprint, char *name, struct known_peer_entry *entry,
    struct rp_error *err)
{
	struct lines c;
	struct entry e;
	char fp[KEY_FINGERPRINT_LEN], line_name[KNOWN_PEERS_NAME_MAX + 1];
	int r, found = 0;

	memset(entry, 0, sizeof(*entry));
	entries_start(&c, buf, len);
	while ((r = next_entry(&c, &e)) != RP_MORE) {
		if (r != 0)
			r = rp_fail(err, RP_MALFORMED, "%s", malformed_allowed);
		else
			r = allowed_entry(&e, fp, line_name, err);
		if (r != 0) {
			entry->line = (unsigned long)c.lineno;
			return r;
		}
		if (found || strcmp(fp, fingerprint) != 0)
			continue;
		found = 1;
		strcpy(name, line_name);
		entry->line = (unsigned long)c.lineno;
		memcpy(entry->fingerprint, fp, sizeof(fp));
	}
	return found;
}

/* Is s (n bytes) a fingerprint's base64 part: 43 base64 characters? */
static int
is_fingerprint_b64(const char *s, size_t n)
{
	size_t i;

	if (n != FINGERPRINT_B64_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!b64_is_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
known_peers_answer(const char *answer, const char *fingerprint)
{
	const size_t prefix = sizeof(FINGERPRINT_PREFIX) - 1;
	const char *p = answer;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	if (n == 3 && strncasecmp(p, "yes", 3) == 0)
		return KNOWN_PEER_ANSWER_YES;
	if (n == 2 && strncasecmp(p, "no", 2) == 0)
		return KNOWN_PEER_ANSWER_NO;
	if (n >= prefix && memcmp(p, FINGERPRINT_PREFIX, prefix) == 0) {
		p += prefix;
		n -= prefix;
	} else if (!is_fingerprint_b64(p, n))
		return KNOWN_PEER_ANSWER_OTHER;
	/* A public value: an exact comparison, nothing to hide. */
	if (strlen(fingerprint) == prefix + n &&
	    memcmp(fingerprint, FINGERPRINT_PREFIX, prefix) == 0 &&
	    memcmp(fingerprint + prefix, p, n) == 0)
		return KNOWN_PEER_ANSWER_MATCH;
	return KNOWN_PEER_ANSWER_MISMATCH;
}
