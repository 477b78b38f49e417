/* SPDX-License-Identifier: ISC */
/*
 * stream_format.h: the stream header (doc/FORMAT.md section 2): the keys
 * derived from the file key, and the header built, parsed and checked:
 * RSA-OAEP stanzas, optional session binding and signature, MAC.
 *
 * Every function returns 0 or an rp_err code with its reason in the
 * caller's struct rp_error (core/error.h), and never exits, so fuzz
 * targets can drive them.  The stanzas are identity.h's generic ones:
 * the recipients and identities of stream_rsa.h wrap and unwrap them.
 */
#ifndef RSAPIPE_STREAM_FORMAT_H
#define RSAPIPE_STREAM_FORMAT_H

#include <stddef.h>

#include "core/error.h"
#include "keys/identity.h"
#include "keys/keys.h"
#include "stream/format.h"

/* Everything derived from the file key; allocate with stream_keys_new()
 * (secure memory), release with stream_keys_free() (wiped). */
struct stream_keys {
	unsigned char file_key[STREAM_FILE_KEY_LEN];
	unsigned char header_key[32];
	unsigned char payload_key[32];
	unsigned char session_key[32];
};

struct stream_keys *stream_keys_new(void);
/* HKDF-SHA256(file_key, salt, "header" / "payload" / "session"). */
void stream_keys_derive(struct stream_keys *keys,
    const unsigned char salt[STREAM_SALT_LEN]);
void stream_keys_free(struct stream_keys *keys);

/* A parsed header: pointers into the caller's buffer.  Each stanza
 * is of type STREAM_STANZA_TYPE (stream_rsa.h): args[0] the key id, the
 * ciphertext its body. */
struct stream_header {
	unsigned int version;             /* STREAM_VERSION or _SSHSIG */
	unsigned int flags;
	const unsigned char *salt;
	size_t count;
	struct stanza stanza[STREAM_MAX_RECIPIENTS];
	const unsigned char *session_tag; /* NULL unless STREAM_FLAG_SESSION */
	const unsigned char *signer_id;   /* NULL unless STREAM_FLAG_SIGNED */
	const unsigned char *sig;         /* PSS (version 1), SSHSIG (2) */
	size_t sig_len;
	size_t signed_len;  /* header bytes covered by the signature */
	size_t mac_offset;  /* header bytes covered by the MAC */
	const unsigned char *mac;
	size_t len;         /* whole header */
};

/*
 * Parse a header from the len bytes available at buf.  Returns 0 when
 * complete (h->len is its size), RP_MORE when more bytes are needed
 * (*need is the total required so far, always > len), else RP_MALFORMED
 * or RP_REFUSED (another version) with its reason.
 */
int stream_header_parse(struct stream_header *h, const unsigned char *buf,
    size_t len, size_t *need, struct rp_error *err);

/*
 * Write a new header for the recipients (each of the stream's kind,
 * STREAM_STANZA_TYPE) and, when not NULL, signer (an identity that
 * signs: of kind STREAM_STANZA_TYPE, RSA-PSS in a version 1 header, or
 * STREAM_AGENT_KIND, an SSHSIG in a version 2 header) and session,
 * into *out (free()); fill keys (a fresh file key and its derived
 * keys).  0, or RP_USAGE: no recipient or too many, a key of another
 * kind or size; or what the signer's sign() failed with.
 */
int stream_header_create(unsigned char **out, size_t *len,
    struct stream_keys *keys, const struct recipient_set *rcpts,
    const struct identity *signer, const unsigned char *session,
    struct rp_error *err);

/*
 * Check a parsed header with derived keys: the session binding (session
 * is NULL when none was given), the MAC, and, when from is not NULL, that
 * the stream is signed by from.  Returns 0, or RP_AUTH saying which check
 * failed.
 */
int stream_header_verify(const struct stream_header *h,
    const unsigned char *buf, const struct stream_keys *keys,
    const unsigned char *session, const struct rsa_key *from,
    struct rp_error *err);

/*
 * The file key, by identity.h's one search over the identities and the
 * header's stanzas, each candidate checked by stream_header_verify();
 * into keys, its keys derived.  0, or the best failure: RP_AUTH (the
 * check's reason), RP_DECRYPT, RP_NOKEY (the stream's own words), or
 * what an identity refused the header with.
 */
int stream_find_file_key(const struct stream_header *h,
    const unsigned char *buf, const struct identity_set *ids,
    const unsigned char *session, const struct rsa_key *from,
    struct stream_keys *keys, struct rp_error *err);

#endif
