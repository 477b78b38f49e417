/* SPDX-License-Identifier: ISC */
/*
 * age_keys.h: age's kinds of key as identity.h's recipients and
 * identities (X25519, ssh-rsa, scrypt), and age's own key text:
 * X25519 recipients "age1..." and identities "AGE-SECRET-KEY-1..." in
 * Bech32 (bech32.h), and identity files.  Secrets live in libgcrypt
 * secure memory.  Failures return an rp_err code with its reason.
 */
#ifndef RSAPIPE_AGE_KEYS_H
#define RSAPIPE_AGE_KEYS_H

#include <stddef.h>

#include "core/error.h"
#include "keys/identity.h"
#include "keys/keys.h"
#include "keys/passphrase.h"

#define AGE_X25519_LEN 32

/* The stanza types, which are also the kinds of the keys below. */
#define AGE_X25519_TYPE "X25519"
#define AGE_SSH_RSA_TYPE "ssh-rsa"
#define AGE_SCRYPT_TYPE "scrypt"

/* An X25519 identity; free with age_x25519_identity_free. */
struct age_x25519_identity {
	unsigned char *secret;                   /* 32 bytes, secure memory */
	unsigned char public[AGE_X25519_LEN];
};

/* "age1..." (lowercase only, as age requires) -> the 32-byte public
 * key; 0 or RP_MALFORMED. */
int age_x25519_recipient_parse(unsigned char out[AGE_X25519_LEN],
    const char *s, size_t len, struct rp_error *err);

/* "AGE-SECRET-KEY-1..." (one line, no blanks, uppercase only) ->
 * identity; 0 or RP_MALFORMED (id is then empty). */
int age_x25519_identity_parse(struct age_x25519_identity *id,
    const char *s, size_t len, struct rp_error *err);
void age_x25519_identity_free(struct age_x25519_identity *id);

/*
 * 1 if buf reads as an age identity file: after blank and '#' comment
 * lines, its first line starts with "AGE-SECRET-KEY-".
 */
int age_identity_file_detect(const unsigned char *buf, size_t len);

/*
 * Every identity of an age identity file: one per line, blank lines and
 * '#' comments allowed, CRLF allowed.  Into ids[0 .. *n), at most max.
 * 0, or RP_MALFORMED with *line the offending line number (0 when the
 * file holds no identity, which age refuses too); on failure none is
 * kept (*n = 0).
 */
int age_identity_file_parse(struct age_x25519_identity *ids, size_t max,
    size_t *n, const unsigned char *buf, size_t len, size_t *line,
    struct rp_error *err);

/*
 * The recipients and identities (keys/identity.h).  An X25519 identity
 * takes id's secret (id is left empty).  An ssh-rsa one takes key,
 * allocated with rp_alloc(), when own is set, else borrows it.  The
 * scrypt identity asks pass for the passphrase only when it meets a
 * scrypt stanza, and refuses a work factor above max_log2n (0:
 * AGE_SCRYPT_MAX_LOG2N) before asking.
 */
struct recipient *age_x25519_recipient(
    const unsigned char public[AGE_X25519_LEN]);
struct identity *age_x25519_identity(struct age_x25519_identity *id);
struct recipient *age_ssh_rsa_recipient(struct rsa_key *key, int own);
struct identity *age_ssh_rsa_identity(struct rsa_key *key, int own);
struct identity *age_scrypt_identity(const struct passphrase_source *pass,
    unsigned max_log2n);

#endif
