/* SPDX-License-Identifier: ISC */
/*
 * stream.h: the rsapipe v1 stream (doc/FORMAT.md): header with RSA-OAEP
 * stanzas, optional signature and session binding, header MAC, then
 * AES-256-GCM records.
 *
 * The parsers (stream_header_parse, stream_record_parse, stream_record_open)
 * and the checks return 0 or an rp_err code (error.h) with a short static
 * reason in *why, and never exit, so fuzz targets can drive them.  stream_encrypt() and stream_decrypt() are
 * the whole programs' work and die with the documented status.
 */
#ifndef RSAPIPE_STREAM_H
#define RSAPIPE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>

#include "error.h"
#include "format.h"
#include "keys.h"

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
 * Check a parsed header with derived keys: the session binding (session
 * is NULL when none was given), the MAC, and, when from is not NULL, that
 * the stream is signed by from.  Returns 0, or RP_AUTH with *why saying
 * which check failed.
 */
int stream_header_verify(const struct stream_header *h,
    const unsigned char *buf, const struct stream_keys *keys,
    const unsigned char *session, const struct rsa_key *from,
    const char **why);

/* The record layer: one AES-256-GCM handle for the whole stream. */
struct stream_cipher {
	gcry_cipher_hd_t hd;
	uint64_t counter;   /* index of the next record */
	int finished;       /* the final record has been sealed/opened */
};

void stream_cipher_open(struct stream_cipher *c, const struct stream_keys *keys);
void stream_cipher_close(struct stream_cipher *c);

/*
 * Seal in place the len plaintext bytes at buf + STREAM_RECORD_HEADER_LEN
 * (buf must have room for STREAM_RECORD_OVERHEAD more); returns the
 * record's size.  Dies on failure.
 */
size_t stream_record_seal(struct stream_cipher *c, unsigned char *buf,
    size_t len, int final);

/* Parse a record header: plaintext length and final flag; 0, or
 * RP_MALFORMED with *why. */
int stream_record_parse(const unsigned char hdr[STREAM_RECORD_HEADER_LEN],
    size_t *len, int *final, const char **why);

/*
 * Authenticate and decrypt in place a whole record of len plaintext bytes
 * (size len + STREAM_RECORD_OVERHEAD).  Returns 0 (plaintext at rec +
 * STREAM_RECORD_HEADER_LEN), or with *why RP_AUTH (the tag fails),
 * RP_MALFORMED (a record after the final one) or RP_REFUSED (the counter
 * is exhausted).
 */
int stream_record_open(struct stream_cipher *c, unsigned char *rec,
    size_t len, int final, const char **why);

struct stream_encrypt_options {
	const struct rsa_key *recipients;
	size_t nrecipients;
	const struct rsa_key *signer;          /* or NULL */
	const unsigned char *session;          /* STREAM_SESSION_LEN, or NULL */
	int armor;
	const char *input;                     /* NULL or "-": stdin */
	const char *output;                    /* NULL or "-": stdout */
};

struct stream_decrypt_options {
	const struct rsa_key *identities;
	size_t nidentities;
	const struct rsa_key *from;            /* or NULL */
	const unsigned char *session;          /* or NULL */
	const char *input;
	const char *output;
	/* End at the final record instead of reading on to end of input to
	 * refuse trailing data: for a connection that stays open after the
	 * stream, whose end would otherwise wait for the peer to close. */
	int stop_at_final;
};

void stream_encrypt(const struct stream_encrypt_options *opt);
void stream_decrypt(const struct stream_decrypt_options *opt);

/* Read a --session file: exactly STREAM_SESSION_LEN bytes, in secure
 * memory (free with secure_free(p, STREAM_SESSION_LEN + 1)).  Dies
 * (EXIT_USAGE) otherwise. */
unsigned char *stream_session_load(const char *path);

#endif
