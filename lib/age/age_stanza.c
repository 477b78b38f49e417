/* SPDX-License-Identifier: ISC */
/*
 * age_stanza.c: see age_stanza.h.  X25519, ChaCha20-Poly1305 and scrypt
 * are libgcrypt's; HKDF is hkdf.h's; RSA-OAEP is rsa.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_stanza.h"
#include "codec/base64.h"
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
		rp_fatal("ChaCha20-Poly1305: %s", gcry_strerror(err));
	return rc;
}

/* 0 if argument i of s is canonical unpadded base64 of exactly n bytes
 * (into out). */
static int
b64_exact(const struct stanza *s, size_t i, unsigned char *out, size_t n)
{
	size_t got;

	if (b64_decode((const char *)s->args[i], s->arg_len[i], B64_UNPADDED,
	    out, n, &got, NULL) != 0 || got != n)
		return RP_MALFORMED;
	return 0;
}

/* A new stanza of type with one argument, base64 of arg (n bytes), and
 * body_len bytes of body (returned). */
static unsigned char *
age_stanza_new(struct stanza *s, const char *type, const unsigned char *arg,
    size_t n, size_t body_len)
{
	unsigned char b64[64];
	const unsigned char *args[1] = { b64 };
	size_t len;

	base64_encode_unpadded(arg, n, (char *)b64);
	len = strlen((const char *)b64);
	return stanza_new(s, type, 1, args, &len, body_len);
}

/* The public key of an X25519 secret; 0 or RP_MALFORMED. */
int
age_x25519_public(unsigned char pub[AGE_X25519_LEN],
    const unsigned char secret[AGE_X25519_LEN])
{
	return x25519(pub, secret, basepoint);
}

/* ---- X25519 stanzas ---- */

/* The wrap key: HKDF-SHA256(shared, share || recipient, info). */
static void
x25519_wrap_key(unsigned char key[WRAP_KEY_LEN],
    const unsigned char *shared, const unsigned char *share,
    const unsigned char *recipient)
{
	unsigned char salt[2 * AGE_X25519_LEN];

	memcpy(salt, share, AGE_X25519_LEN);
	memcpy(salt + AGE_X25519_LEN, recipient, AGE_X25519_LEN);
	hkdf_sha256(key, WRAP_KEY_LEN, shared, AGE_X25519_LEN, salt,
	    sizeof(salt), (const unsigned char *)X25519_INFO,
	    strlen(X25519_INFO));
}

int
age_x25519_wrap(struct stanza *s,
    const unsigned char recipient[AGE_X25519_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err)
{
	unsigned char *eph, *shared, *key, share[AGE_X25519_LEN];

	eph = secure_alloc(2 * AGE_X25519_LEN + WRAP_KEY_LEN);
	shared = eph + AGE_X25519_LEN;
	key = shared + AGE_X25519_LEN;
	gcry_randomize(eph, AGE_X25519_LEN, GCRY_STRONG_RANDOM);
	if (x25519(share, eph, basepoint) != 0)
		rp_fatal("X25519 of the base point failed");
	if (x25519(shared, eph, recipient) != 0) {
		secure_free(eph);
		return rp_fail(err, RP_USAGE,
		    "the X25519 recipient is a low-order point");
	}
	x25519_wrap_key(key, shared, share, recipient);
	aead(key, file_key, age_stanza_new(s, X25519_TYPE, share,
	    sizeof(share), BODY_LEN), 1);
	secure_free(eph);
	return 0;
}

/* The key-free rules of an X25519 stanza; the share into share. */
static int
x25519_check(const struct stanza *s, unsigned char *share,
    struct rp_error *err)
{
	if (s->nargs != 1 || b64_exact(s, 0, share, AGE_X25519_LEN))
		return rp_fail(err, RP_MALFORMED,
		    "X25519 stanza needs one argument, a 32-byte share");
	if (s->body_len != BODY_LEN)
		return rp_fail(err, RP_MALFORMED,
		    "X25519 stanza body is not 32 bytes");
	return 0;
}

int
age_x25519_unwrap(const struct stanza *s,
    const struct age_x25519_identity *id,
    unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err)
{
	unsigned char share[AGE_X25519_LEN], *shared, *key;
	int rc;

	if (!stanza_is(s, X25519_TYPE))
		return rp_fail(err, RP_NOKEY, "not an X25519 stanza");
	if ((rc = x25519_check(s, share, err)) != 0)
		return rc;
	shared = secure_alloc(AGE_X25519_LEN + WRAP_KEY_LEN);
	key = shared + AGE_X25519_LEN;
	if (x25519(shared, id->secret, share) != 0) {
		rc = rp_fail(err, RP_MALFORMED,
		    "X25519 share is a low-order point");
	} else {
		x25519_wrap_key(key, shared, share, id->public);
		if ((rc = aead(key, s->body, file_key, 0)) != 0)
			rp_fail(err, rc,
			    "X25519 stanza does not open with this identity");
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
age_rsa_wrap(struct stanza *s, const struct rsa_key *key,
    const unsigned char file_key[AGE_FILE_KEY_LEN])
{
	unsigned char tag[RSA_TAG_LEN];

	rsa_tag(key, tag);
	rsa_oaep_wrap(key, RSA_LABEL, file_key, AGE_FILE_KEY_LEN,
	    age_stanza_new(s, RSA_TYPE, tag, sizeof(tag),
	    rsa_modulus_bytes(key)));
}

static int
rsa_check(const struct stanza *s, unsigned char *tag, struct rp_error *err)
{
	if (s->nargs != 1 || b64_exact(s, 0, tag, RSA_TAG_LEN))
		return rp_fail(err, RP_MALFORMED,
		    "ssh-rsa stanza needs one argument, a 4-byte tag");
	/* A body of the wrong length does not decrypt (age: no match). */
	return 0;
}

int
age_rsa_unwrap(const struct stanza *s, const struct rsa_key *key,
    unsigned char file_key[AGE_FILE_KEY_LEN], struct rp_error *err)
{
	unsigned char tag[RSA_TAG_LEN], ours[RSA_TAG_LEN];
	int rc;

	if (!stanza_is(s, RSA_TYPE))
		return rp_fail(err, RP_NOKEY, "not an ssh-rsa stanza");
	if ((rc = rsa_check(s, tag, err)) != 0)
		return rc;
	rsa_tag(key, ours);
	if (memcmp(tag, ours, RSA_TAG_LEN) != 0)
		return rp_fail(err, RP_NOKEY, "ssh-rsa stanza for another key");
	rc = rsa_oaep_unwrap(key, RSA_LABEL, s->body, s->body_len, file_key,
	    AGE_FILE_KEY_LEN);
	if (rc == RP_NOKEY)
		rp_fail(err, rc, "ssh-rsa key has no private half");
	else if (rc != 0)
		rc = rp_fail(err, RP_DECRYPT,
		    "ssh-rsa stanza does not open with this key");
	return rc;
}

/* ---- scrypt stanzas ---- */

/* The work factor: decimal, no sign or leading zero, at least 1.
 * Values past 99 are reported as 100 (above any cap). */
static int
scrypt_log2n(const unsigned char *arg, size_t len, unsigned *log2n)
{
	size_t i;

	if (len == 0 || arg[0] < '1' || arg[0] > '9')
		return RP_MALFORMED;
	*log2n = 0;
	for (i = 0; i < len; i++) {
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
scrypt_check(const struct stanza *s, unsigned char *salt,
    unsigned *log2n, struct rp_error *err)
{
	if (s->nargs != 2 || b64_exact(s, 0, salt, SCRYPT_SALT_LEN))
		return rp_fail(err, RP_MALFORMED,
		    "scrypt stanza needs a 16-byte salt and a work factor");
	if (scrypt_log2n(s->args[1], s->arg_len[1], log2n) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "scrypt work factor is not a decimal number from 1");
	if (s->body_len != BODY_LEN)
		return rp_fail(err, RP_MALFORMED,
		    "scrypt stanza body is not 32 bytes");
	return 0;
}

int
age_scrypt_work_factor(const struct stanza *s, unsigned *log2n)
{
	unsigned char salt[SCRYPT_SALT_LEN];

	if (!stanza_is(s, SCRYPT_TYPE))
		return RP_MALFORMED;
	return scrypt_check(s, salt, log2n, NULL);
}

int
age_scrypt_unwrap(const struct stanza *s, const char *passphrase,
    unsigned max_log2n, unsigned char file_key[AGE_FILE_KEY_LEN],
    struct rp_error *err)
{
	unsigned char salt[sizeof(SCRYPT_SALT_LABEL) - 1 + SCRYPT_SALT_LEN];
	unsigned char *key;
	unsigned log2n;
	gcry_error_t e;
	int rc;

	if (!stanza_is(s, SCRYPT_TYPE))
		return rp_fail(err, RP_NOKEY, "not a scrypt stanza");
	memcpy(salt, SCRYPT_SALT_LABEL, sizeof(SCRYPT_SALT_LABEL) - 1);
	rc = scrypt_check(s, salt + sizeof(SCRYPT_SALT_LABEL) - 1, &log2n,
	    err);
	if (rc != 0)
		return rc;
	if (log2n > max_log2n || log2n > 30)
		return rp_fail(err, RP_REFUSED,
		    "scrypt work factor above the cap");
	if (passphrase[0] == '\0')
		return rp_fail(err, RP_DECRYPT, "empty passphrase");
	key = secure_alloc(WRAP_KEY_LEN);
	e = gcry_kdf_derive(passphrase, strlen(passphrase), GCRY_KDF_SCRYPT,
	    1 << log2n, salt, sizeof(salt), 1, WRAP_KEY_LEN, key);
	if (e)
		rp_fatal("scrypt: %s", gcry_strerror(e));
	if ((rc = aead(key, s->body, file_key, 0)) != 0)
		rp_fail(err, rc,
		    "scrypt stanza does not open with this passphrase");
	secure_free(key);
	return rc;
}

/* ---- checks without a key ---- */

int
age_stanzas_check(const struct stanza *s, size_t n, struct rp_error *err)
{
	unsigned char buf[AGE_X25519_LEN];
	unsigned log2n;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if (stanza_is(&s[i], X25519_TYPE))
			rc = x25519_check(&s[i], buf, err);
		else if (stanza_is(&s[i], RSA_TYPE))
			rc = rsa_check(&s[i], buf, err);
		else if (stanza_is(&s[i], SCRYPT_TYPE)) {
			rc = scrypt_check(&s[i], buf, &log2n, err);
			if (rc == 0 && n != 1)
				rc = rp_fail(err, RP_MALFORMED,
				    "a scrypt stanza must be alone");
		}
	}
	return rc;
}
