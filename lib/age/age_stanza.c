/* SPDX-License-Identifier: ISC */
/*
 * age_stanza.c: see age_stanza.h.  X25519, ChaCha20-Poly1305 and scrypt
 * are libgcrypt's; HKDF is hkdf.h's; RSA-OAEP is rsa.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_stanza.h"
#include "codec/bech32.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"
#include "crypto/rsa.h"

#define X25519_TYPE "X25519"
#define X25519_INFO "age-encryption.org/v1/X25519"
#define SCRYPT_TYPE "scrypt"
#define SCRYPT_SALT_LABEL "age-encryption.org/v1/scrypt"
#define SCRYPT_SALT_LEN 16
#define RSA_TYPE "ssh-rsa"
#define RSA_LABEL "age-encryption.org/v1/ssh-rsa"
#define RSA_TAG_LEN 4
#define WRAP_KEY_LEN 32
#define TAG_LEN 16      /* Poly1305 */
#define BODY_LEN (AGE_FILE_KEY_LEN + TAG_LEN)
#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "age-secret-key-"
#define IDENTITY_PREFIX "AGE-SECRET-KEY-"

static const unsigned char basepoint[AGE_X25519_LEN] = { 9 };

/* out = X25519(scalar, point), RFC 7748 byte order, through libgcrypt
 * (which clamps the scalar).  Returns 0, or RP_MALFORMED when the
 * result is all zeros (a low-order point) or libgcrypt refuses point. */
static int
x25519(unsigned char out[AGE_X25519_LEN],
    const unsigned char scalar[AGE_X25519_LEN],
    const unsigned char point[AGE_X25519_LEN])
{
	unsigned char acc = 0;
	size_t i;

	if (gcry_ecc_mul_point(GCRY_ECC_CURVE25519, out, scalar, point) != 0) {
		wipe(out, AGE_X25519_LEN);
		return RP_MALFORMED;
	}
	for (i = 0; i < AGE_X25519_LEN; i++)
		acc |= out[i];
	return acc == 0 ? RP_MALFORMED : 0;
}

/* ChaCha20-Poly1305 with a zero nonce and no AAD: seal 16 bytes into a
 * 32-byte body, or open one (0, or RP_DECRYPT with out wiped). */
static int
aead(const unsigned char key[WRAP_KEY_LEN], const unsigned char *in,
    unsigned char *out, int seal)
{
	static const unsigned char nonce[12];
	gcry_cipher_hd_t h;
	gcry_error_t err;
	int rc = 0;

	err = gcry_cipher_open(&h, GCRY_CIPHER_CHACHA20,
	    GCRY_CIPHER_MODE_POLY1305, GCRY_CIPHER_SECURE);
	if (!err)
		err = gcry_cipher_setkey(h, key, WRAP_KEY_LEN);
	if (!err)
		err = gcry_cipher_setiv(h, nonce, sizeof(nonce));
	if (!err && seal) {
		err = gcry_cipher_encrypt(h, out, AGE_FILE_KEY_LEN, in,
		    AGE_FILE_KEY_LEN);
		if (!err)
			err = gcry_cipher_gettag(h, out + AGE_FILE_KEY_LEN,
			    TAG_LEN);
	} else if (!err) {
		err = gcry_cipher_decrypt(h, out, AGE_FILE_KEY_LEN, in,
		    AGE_FILE_KEY_LEN);
		if (!err && gcry_cipher_checktag(h, in + AGE_FILE_KEY_LEN,
		    TAG_LEN) != 0) {
			wipe(out, AGE_FILE_KEY_LEN);
			rc = RP_DECRYPT;
		}
	}
	gcry_cipher_close(h);
	if (err)
		die_gcry(EXIT_USAGE, err, "ChaCha20-Poly1305");
	return rc;
}

/* 0 if arg is canonical unpadded base64 of exactly n bytes (into out). */
static int
b64_exact(const char *arg, unsigned char *out, size_t n)
{
	const char *why;
	size_t got;

	if (age_b64_decode(arg, strlen(arg), out, n, &got, &why) != 0 ||
	    got != n)
		return RP_MALFORMED;
	return 0;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		die(EXIT_USAGE, "out of memory");
	return p;
}

static void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		die(EXIT_USAGE, "out of memory");
	return p;
}

/* A new stanza of type with one argument: base64 of arg (n bytes). */
static void
stanza_new(struct age_stanza *s, const char *type, const unsigned char *arg,
    size_t n, size_t body_len)
{
	memset(s, 0, sizeof(*s));
	s->type = xstrdup(type);
	s->args[0] = xmalloc(4 * ((n + 2) / 3) + 1);
	base64_encode_unpadded(arg, n, s->args[0]);
	s->nargs = 1;
	s->body = xmalloc(body_len);
	s->body_len = body_len;
}

void
age_stanza_free(struct age_stanza *s)
{
	size_t i;

	free(s->type);
	for (i = 0; i < s->nargs && i < AGE_MAX_ARGS; i++)
		free(s->args[i]);
	free(s->body);
	memset(s, 0, sizeof(*s));
}

/* ---- X25519 keys ---- */

int
age_x25519_recipient_parse(unsigned char out[AGE_X25519_LEN],
    const char *s, size_t len, const char **why)
{
	unsigned char key[2 * AGE_X25519_LEN];
	char hrp[2 * sizeof(IDENTITY_HRP)];
	size_t i, n;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z') {
			*why = "age recipient not in lowercase";
			return RP_MALFORMED;
		}
	if (bech32_decode(s, len, hrp, sizeof(hrp), key, sizeof(key), &n,
	    why) != 0)
		return RP_MALFORMED;
	if (strcmp(hrp, RECIPIENT_HRP) != 0 || n != AGE_X25519_LEN) {
		*why = "not an age X25519 recipient (age1...)";
		return RP_MALFORMED;
	}
	memcpy(out, key, AGE_X25519_LEN);
	return 0;
}

int
age_x25519_identity_parse(struct age_x25519_identity *id, const char *s,
    size_t len, const char **why)
{
	char hrp[2 * sizeof(IDENTITY_HRP)];
	size_t i, n;

	memset(id, 0, sizeof(*id));
	for (i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z') {
			*why = "age identity not in uppercase";
			return RP_MALFORMED;
		}
	/* Room for twice the key, so a wrong length is named as such. */
	id->secret = secure_alloc(2 * AGE_X25519_LEN);
	if (bech32_decode(s, len, hrp, sizeof(hrp), id->secret,
	    2 * AGE_X25519_LEN, &n, why) != 0) {
		age_x25519_identity_free(id);
		return RP_MALFORMED;
	}
	if (strcmp(hrp, IDENTITY_HRP) != 0 || n != AGE_X25519_LEN) {
		age_x25519_identity_free(id);
		*why = "not an age X25519 identity (AGE-SECRET-KEY-1...)";
		return RP_MALFORMED;
	}
	if (x25519(id->public, id->secret, basepoint) != 0)
		die(EXIT_USAGE, "X25519 of the base point failed");
	return 0;
}

void
age_x25519_identity_free(struct age_x25519_identity *id)
{
	secure_free(id->secret);
	memset(id, 0, sizeof(*id));
}

/* ---- identity files ---- */

/* The line at *off (without LF or a CR before it) into *line, *n; the
 * offset moves past its LF.  0 at the end of buf. */
static int
next_line(const unsigned char *buf, size_t len, size_t *off,
    const char **line, size_t *n)
{
	const unsigned char *p, *lf;

	if (*off >= len)
		return 0;
	p = buf + *off;
	lf = memchr(p, '\n', len - *off);
	*n = lf != NULL ? (size_t)(lf - p) : len - *off;
	*off += *n + (lf != NULL);
	if (*n > 0 && p[*n - 1] == '\r')
		(*n)--;
	*line = (const char *)p;
	return 1;
}

int
age_identity_file_detect(const unsigned char *buf, size_t len)
{
	const char *line;
	size_t off = 0, n;

	while (next_line(buf, len, &off, &line, &n)) {
		if (n == 0 || line[0] == '#')
			continue;
		return n >= strlen(IDENTITY_PREFIX) &&
		    memcmp(line, IDENTITY_PREFIX, strlen(IDENTITY_PREFIX)) == 0;
	}
	return 0;
}

int
age_identity_file_parse(struct age_x25519_identity *ids, size_t max,
    size_t *n, const unsigned char *buf, size_t len, size_t *line,
    const char **why)
{
	const char *text;
	size_t off = 0, tlen, i;
	int rc = 0;

	*n = 0;
	*line = 0;
	while (rc == 0 && next_line(buf, len, &off, &text, &tlen)) {
		++*line;
		if (tlen == 0 || text[0] == '#')
			continue;
		if (*n == max) {
			*why = "too many age identities";
			rc = RP_MALFORMED;
		} else if ((rc = age_x25519_identity_parse(&ids[*n], text,
		    tlen, why)) == 0)
			++*n;
	}
	if (rc == 0 && *n == 0) {
		*line = 0;
		*why = "no age identities in the file";
		rc = RP_MALFORMED;
	}
	if (rc != 0) {
		for (i = 0; i < *n; i++)
			age_x25519_identity_free(&ids[i]);
		*n = 0;
	}
	return rc;
}

/* ---- X25519 stanzas ---- */

/* The wrap key: HKDF-SHA256(shared, share || recipient, info). */
static void
x25519_wrap_key(unsigned char key[WRAP_KEY_LEN],
    const unsigned char *shared, const unsigned char *share,
    const unsigned char *recipient)
{
	unsigned char salt[2 * AGE_X25519_LEN];
	gcry_error_t err;

	memcpy(salt, share, AGE_X25519_LEN);
	memcpy(salt + AGE_X25519_LEN, recipient, AGE_X25519_LEN);
	err = hkdf_sha256(key, WRAP_KEY_LEN, shared, AGE_X25519_LEN, salt,
	    sizeof(salt), (const unsigned char *)X25519_INFO,
	    strlen(X25519_INFO));
	if (err)
		die_gcry(EXIT_USAGE, err, "HKDF");
}

void
age_x25519_wrap(struct age_stanza *s,
    const unsigned char recipient[AGE_X25519_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char *eph, *shared, *key, share[AGE_X25519_LEN];

	eph = secure_alloc(2 * AGE_X25519_LEN + WRAP_KEY_LEN);
	shared = eph + AGE_X25519_LEN;
	key = shared + AGE_X25519_LEN;
	gcry_randomize(eph, AGE_X25519_LEN, GCRY_STRONG_RANDOM);
	if (x25519(share, eph, basepoint) != 0)
		die(EXIT_USAGE, "X25519 of the base point failed");
	if (x25519(shared, eph, recipient) != 0)
		die(EXIT_USAGE, "the X25519 recipient is a low-order point");
	x25519_wrap_key(key, shared, share, recipient);
	stanza_new(s, X25519_TYPE, share, sizeof(share), BODY_LEN);
	aead(key, file_key, s->body, 1);
	secure_free(eph);
}

/* The key-free rules of an X25519 stanza; the share into share. */
static int
x25519_check(const struct age_stanza *s, unsigned char *share,
    const char **why)
{
	if (s->nargs != 1 || b64_exact(s->args[0], share, AGE_X25519_LEN)) {
		*why = "X25519 stanza needs one argument, a 32-byte share";
		return RP_MALFORMED;
	}
	if (s->body_len != BODY_LEN) {
		*why = "X25519 stanza body is not 32 bytes";
		return RP_MALFORMED;
	}
	return 0;
}

int
age_x25519_unwrap(const struct age_stanza *s,
    const struct age_x25519_identity *id,
    unsigned char file_key[AGE_FILE_KEY_LEN], const char **why)
{
	unsigned char share[AGE_X25519_LEN], *shared, *key;
	int rc;

	if (strcmp(s->type, X25519_TYPE) != 0)
		return RP_NOKEY;
	if ((rc = x25519_check(s, share, why)) != 0)
		return rc;
	shared = secure_alloc(AGE_X25519_LEN + WRAP_KEY_LEN);
	key = shared + AGE_X25519_LEN;
	if (x25519(shared, id->secret, share) != 0) {
		*why = "X25519 share is a low-order point";
		rc = RP_MALFORMED;
	} else {
		x25519_wrap_key(key, shared, share, id->public);
		if ((rc = aead(key, s->body, file_key, 0)) != 0)
			*why = "X25519 stanza does not open with this identity";
	}
	secure_free(shared);
	return rc;
}

/* ---- ssh-rsa stanzas ---- */

static void
rsa_tag(const struct rsa_key *key, unsigned char tag[RSA_TAG_LEN])
{
	unsigned char hash[KEY_SSH_HASH_LEN];

	key_ssh_blob_sha256(key, hash);
	memcpy(tag, hash, RSA_TAG_LEN);
}

void
age_rsa_wrap(struct age_stanza *s, const struct rsa_key *key,
    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char tag[RSA_TAG_LEN];

	rsa_tag(key, tag);
	stanza_new(s, RSA_TYPE, tag, sizeof(tag), rsa_modulus_bytes(key));
	rsa_oaep_wrap(key, RSA_LABEL, file_key, AGE_FILE_KEY_LEN, s->body);
}

static int
rsa_check(const struct age_stanza *s, unsigned char *tag, const char **why)
{
	if (s->nargs != 1 || b64_exact(s->args[0], tag, RSA_TAG_LEN)) {
		*why = "ssh-rsa stanza needs one argument, a 4-byte tag";
		return RP_MALFORMED;
	}
	/* A body of the wrong length does not decrypt (age: no match). */
	return 0;
}

int
age_rsa_unwrap(const struct age_stanza *s, const struct rsa_key *key,
    unsigned char file_key[AGE_FILE_KEY_LEN], const char **why)
{
	unsigned char tag[RSA_TAG_LEN], ours[RSA_TAG_LEN];
	int rc;

	if (strcmp(s->type, RSA_TYPE) != 0)
		return RP_NOKEY;
	if ((rc = rsa_check(s, tag, why)) != 0)
		return rc;
	rsa_tag(key, ours);
	if (memcmp(tag, ours, RSA_TAG_LEN) != 0)
		return RP_NOKEY;
	rc = rsa_oaep_unwrap(key, RSA_LABEL, s->body, s->body_len, file_key,
	    AGE_FILE_KEY_LEN);
	if (rc == RP_NOKEY)
		*why = "ssh-rsa key has no private half";
	else if (rc != 0)
		*why = "ssh-rsa stanza does not open with this key";
	return rc;
}

/* ---- scrypt stanzas ---- */

/* The work factor: decimal, no sign or leading zero, at least 1.
 * Values past 99 are reported as 100 (above any cap). */
static int
scrypt_log2n(const char *arg, unsigned *log2n)
{
	size_t i;

	if (arg[0] < '1' || arg[0] > '9')
		return RP_MALFORMED;
	*log2n = 0;
	for (i = 0; arg[i] != '\0'; i++) {
		if (arg[i] < '0' || arg[i] > '9')
			return RP_MALFORMED;
		if (*log2n < 100)
			*log2n = *log2n * 10 + (unsigned)(arg[i] - '0');
	}
	if (*log2n > 100)
		*log2n = 100;
	return 0;
}

static int
scrypt_check(const struct age_stanza *s, unsigned char *salt,
    unsigned *log2n, const char **why)
{
	if (s->nargs != 2 || b64_exact(s->args[0], salt, SCRYPT_SALT_LEN)) {
		*why = "scrypt stanza needs a 16-byte salt and a work factor";
		return RP_MALFORMED;
	}
	if (scrypt_log2n(s->args[1], log2n) != 0) {
		*why = "scrypt work factor is not a decimal number from 1";
		return RP_MALFORMED;
	}
	if (s->body_len != BODY_LEN) {
		*why = "scrypt stanza body is not 32 bytes";
		return RP_MALFORMED;
	}
	return 0;
}

int
age_scrypt_work_factor(const struct age_stanza *s, unsigned *log2n)
{
	unsigned char salt[SCRYPT_SALT_LEN];
	const char *why;

	if (strcmp(s->type, SCRYPT_TYPE) != 0)
		return RP_MALFORMED;
	return scrypt_check(s, salt, log2n, &why);
}

int
age_scrypt_unwrap(const struct age_stanza *s, const char *passphrase,
    unsigned max_log2n, unsigned char file_key[AGE_FILE_KEY_LEN],
    const char **why)
{
	unsigned char salt[sizeof(SCRYPT_SALT_LABEL) - 1 + SCRYPT_SALT_LEN];
	unsigned char *key;
	unsigned log2n;
	gcry_error_t err;
	int rc;

	if (strcmp(s->type, SCRYPT_TYPE) != 0)
		return RP_NOKEY;
	memcpy(salt, SCRYPT_SALT_LABEL, sizeof(SCRYPT_SALT_LABEL) - 1);
	rc = scrypt_check(s, salt + sizeof(SCRYPT_SALT_LABEL) - 1, &log2n,
	    why);
	if (rc != 0)
		return rc;
	if (log2n > max_log2n || log2n > 30) {
		*why = "scrypt work factor above the cap";
		return RP_REFUSED;
	}
	if (passphrase[0] == '\0') {
		*why = "empty passphrase";
		return RP_DECRYPT;
	}
	key = secure_alloc(WRAP_KEY_LEN);
	err = gcry_kdf_derive(passphrase, strlen(passphrase), GCRY_KDF_SCRYPT,
	    1 << log2n, salt, sizeof(salt), 1, WRAP_KEY_LEN, key);
	if (err)
		die_gcry(EXIT_USAGE, err, "scrypt");
	if ((rc = aead(key, s->body, file_key, 0)) != 0)
		*why = "scrypt stanza does not open with this passphrase";
	secure_free(key);
	return rc;
}

/* ---- checks without a key ---- */

int
age_stanzas_check(const struct age_stanza *s, size_t n, const char **why)
{
	unsigned char buf[AGE_X25519_LEN];
	unsigned log2n;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if (strcmp(s[i].type, X25519_TYPE) == 0)
			rc = x25519_check(&s[i], buf, why);
		else if (strcmp(s[i].type, RSA_TYPE) == 0)
			rc = rsa_check(&s[i], buf, why);
		else if (strcmp(s[i].type, SCRYPT_TYPE) == 0) {
			rc = scrypt_check(&s[i], buf, &log2n, why);
			if (rc == 0 && n != 1) {
				*why = "a scrypt stanza must be alone";
				rc = RP_MALFORMED;
			}
		}
	}
	return rc;
}
