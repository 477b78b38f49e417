/* SPDX-License-Identifier: ISC */
/*
 * stream_format.h: the stream header (doc/FORMAT.md section 2): the keys
 * derived from the file key, and the header built, parsed and checked:
 * RSA-OAEP stanzas, optional session binding and signature, MAC.
 *
 * The parser and the checks return 0 or an rp_err code (error.h) with a
 * short static reason in *why, and never exit, so fuzz targets can drive
 * them.  stream_header_create() dies on failure (it has no input to
 * blame).
 */
#ifndef RSAPIPE_STREAM_FORMAT_H
#define RSAPIPE_STREAM_FORMAT_H

#include <stddef.h>

#include "core/error.h"
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

/* A parsed header: pointers into the caller's buffer. */
struct stream_stanza {
	const unsigned char *id;
	const unsigned char *ct;
	size_t ct_len;
};

struct stream_header {
	unsigned int flags;
	const unsigned char *salt;
	size_t count;
	struct stream_stanza stanza[STREAM_MAX_RECIPIENTS];
	const unsigned char *session_tag; /* NULL unless STREAM_FLAG_SESSION */
	const unsigned char *signer_id;   /* NULL unless STREAM_FLAG_SIGNED */
	const unsigned char *sig;
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
 * or RP_REFUSED (another version) with *why.
 */
int stream_header_parse(struct stream_header *h, const unsigned char *buf,
    size_t len, size_t *need, const char **why);

/*
 * Write a new header for the recipients (and signer, session if not NULL)
 * into a malloc'ed buffer; fill keys (fresh file key and derived keys).
 * Dies on failure.
 */
unsigned char *stream_header_create(size_t *len, struct stream_keys *keys,
    const struct rsa_key *recipients, size_t nrecipients,
    const struct rsa_key *signer,
    const unsigned char *session);

/*
 * Recover the file key from the stanza for key into keys->file_key and
 * derive the other keys.  Returns 0, RP_NOKEY if no stanza carries the
 * key's id, RP_DECRYPT if one does but none decrypts with this key.
 */
int stream_unwrap_file_key(const struct stream_header *h,
    const struct rsa_key *key, struct stream_keys *keys);

/*
 * The same from stanza *at on.  On success *at is just past the stanza
 * used, so a caller whose header check fails under this file key (a
 * stanza made for our key by someone else) can go on to the next
 * candidate; RP_NOKEY and RP_DECRYPT speak of the stanzas after *at.
 */
int stream_unwrap_next(const struct stream_header *h, const struct rsa_key *key,
    struct stream_keys *keys, size_t *at);

/*
 * Check a parsed header with derived keys: the session binding (session
 * is NULL when none was given), the MAC, and, when from is not NULL, that
 * the stream is signed by from.  Returns 0, or RP_AUTH with *why saying
 * which check failed.
 */
int stream_header_verify(const struct stream_header *h,
    const unsigned char *buf, const struct stream_keys *keys,
    const unsigned char *session, const struct rsa_key *from,
    const char **why);

#endif
