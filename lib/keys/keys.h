/* SPDX-License-Identifier: ISC */
/*
 * keys.h: RSA keys in the forms OpenSSL and OpenSSH write.
 *
 * Parsers (key_parse_*, key_from_*) take bytes and return 0, or an rp_err
 * code (error.h) with a short reason in err ("bad base64", "modulus is
 * 1024 bits; 2048 to 16384 required", ...): RP_MALFORMED (the bytes do
 * not parse), RP_REFUSED (a value out of range, another kind of key, an
 * encrypted key without a passphrase source), RP_PASSPHRASE (wrong
 * passphrase or corrupt encrypted key).  An encrypted key whose
 * passphrase source fails (no terminal, an empty file) returns that
 * failure's code, RP_USAGE or RP_IO, with its reason: only that failure
 * has those codes.  Parsers never exit, so fuzz targets can drive them.
 * Loaders (key_read_*) read a file and return the parse's code with the
 * file name and the reason in a struct rp_error ("alice.pem: modulus is
 * 1024 bits; 2048 to 16384 required"); a failure of the passphrase's
 * source is told as it is, without the name.  A program dies with it,
 * status 2: a bad key file is the environment, not the data.
 *
 * Private key material lives only in libgcrypt secure memory.
 */
#ifndef RSAPIPE_KEYS_H
#define RSAPIPE_KEYS_H

#include <stddef.h>
#include <gcrypt.h>

#include "core/error.h"
#include "crypto/rsa.h"

#include "keys/passphrase.h"

#define KEY_FILE_MAX (64 * 1024) /* cap on any key file we read */


/*
 * Public key from: SPKI PEM (BEGIN PUBLIC KEY), PKCS#1 PEM (BEGIN RSA
 * PUBLIC KEY), an OpenSSH "ssh-rsa AAAA... comment" line, or any private
 * key form key_parse_private() accepts (its public half; an encrypted one
 * needs pass, else it is refused).
 */
int key_parse_public(struct rsa_key *key, const unsigned char *buf,
    size_t len, const struct passphrase_source *pass, struct rp_error *err);

/*
 * Private key from: PKCS#8 PEM (BEGIN PRIVATE KEY), PKCS#1 PEM (BEGIN RSA
 * PRIVATE KEY), encrypted PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY: PBES2 with
 * PBKDF2 or scrypt and AES-128/192/256-CBC, see pkcs8.h), OpenSSH's
 * format (BEGIN OPENSSH PRIVATE KEY, see openssh_key.h).  The passphrase for an
 * encrypted key comes from pass (file, fd or terminal prompt).  The
 * private values are checked for consistency (n = pq, CRT values).
 */
int key_parse_private(struct rsa_key *key, const unsigned char *buf,
    size_t len, const struct passphrase_source *pass, struct rp_error *err);

/* Public key from an ssh wire-format blob: string "ssh-rsa", mpint e,
 * mpint n (RFC 4253 section 6.6), nothing after. */
int key_from_ssh_blob(struct rsa_key *key, const unsigned char *blob,
    size_t len, struct rp_error *err);

/* The base64 of such a blob: the second field of an ssh-rsa line. */
int key_from_ssh_base64(struct rsa_key *key, const unsigned char *b64,
    size_t len, struct rp_error *err);

/* 1 if buf starts (after blanks) with an OpenSSH public key type:
 * "ssh-", "ecdsa-sha2-" or "sk-". */
int key_looks_like_ssh(const unsigned char *buf, size_t len);

/* Read and parse a key file ("-" is stdin), as above. */
int key_read_public(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, struct rp_error *err);
int key_read_private(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, struct rp_error *err);

/*
 * Every private key of a file that may hold several (PEM or OpenSSH
 * blocks one after the other, any text around them), into keys[0 ..
 * *n), as if each had its own file; at most max (RP_USAGE "FILE: too
 * many keys").  A prompt or a reason names "FILE (key N)" when there are
 * several.  On a failure no key is left: those made are freed.
 */
int key_read_private_all(struct rsa_key *keys, size_t max, const char *path,
    const struct passphrase_source *pass, size_t *n, struct rp_error *err);
/* The same for a file already read into buf (len bytes), named by path
 * in reasons ("-" or NULL: stdin). */
int key_parse_private_each(struct rsa_key *keys, size_t max,
    const unsigned char *buf, size_t len, const char *path,
    const struct passphrase_source *pass, size_t *n, struct rp_error *err);

/* Build a public key from a DER SubjectPublicKeyInfo (as sent by keyswap). */
int key_from_spki(struct rsa_key *key, const unsigned char *der, size_t len,
    struct rp_error *err);

/* Generate a new key pair, e = 65537; nbits in KEY_MIN_BITS ..
 * KEY_MAX_BITS (the caller checks).  libgcrypt failing is rp_fatal(). */
void key_generate(struct rsa_key *key, unsigned int nbits);

/*
 * PEM encodings.  The private one is PKCS#8 (BEGIN PRIVATE KEY), or with a
 * passphrase PBES2/scrypt/AES-256-CBC (BEGIN ENCRYPTED PRIVATE KEY) as
 * `openssl pkcs8 -topk8 -scrypt` writes; returned in secure memory
 * (free with secure_free(p)).  The public one is SPKI (BEGIN
 * PUBLIC KEY), in ordinary memory (free()).
 */
char *key_private_pem(const struct rsa_key *key, const char *passphrase,
    size_t *len);
char *key_public_pem(const struct rsa_key *key, size_t *len);

/*
 * "SHA256:" + unpadded base64 of SHA-256 over the OpenSSH public key blob
 * (RFC 4253: string "ssh-rsa", mpint e, mpint n): exactly the second
 * field of `ssh-keygen -l -E sha256` for the same key.  (A hash of the
 * SPKI DER could never match OpenSSH; the key id above does use it.)
 */
void key_fingerprint(const struct rsa_key *key,
    char out[KEY_FINGERPRINT_LEN]);
/* SHA-256 of that blob: the fingerprint's hash (and age's ssh-rsa tag
 * is its first 4 bytes). */
#define KEY_SSH_HASH_LEN 32
void key_ssh_blob_sha256(const struct rsa_key *key,
    unsigned char hash[KEY_SSH_HASH_LEN]);

/* Release everything, wiping private parts.  Safe on a zeroed key. */
void key_free(struct rsa_key *key);

#endif
