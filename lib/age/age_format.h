/* SPDX-License-Identifier: ISC */
/*
 * age_format.h: the age v1 header (age-encryption.org/v1, doc/AGE.md):
 * parse and build, the header MAC, and the payload key.
 *
 *	age-encryption.org/v1
 *	-> TYPE ARG...
 *	BODY (base64, no padding, 64-column lines ending in a short one)
 *	--- MAC
 *	[16-byte payload nonce, then the STREAM payload]
 *
 * The parser takes bytes and never exits: it returns 0, RP_MORE with
 * *need (the input length it must have to go on; err is left alone),
 * or an rp_err code with its reason in err (core/error.h).  Header
 * fields are base64.h's b64_decode() with B64_UNPADDED.  Every
 * malformation the spec names is refused: a line ending in CR, an empty argument, a character outside 0x21-0x7e, a
 * body line over 64 columns, a missing short final body line, base64
 * that is padded or not canonical, a MAC line that is not exactly
 * "--- " and 43 canonical characters.
 */
#ifndef RSAPIPE_AGE_FORMAT_H
#define RSAPIPE_AGE_FORMAT_H

#include <stddef.h>

#include "core/error.h"

#define AGE_MAGIC "age-encryption.org/"   /* any version: the file's own */
#define AGE_VERSION_LINE "age-encryption.org/v1"
#define AGE_FILE_KEY_LEN 16
#define AGE_MAC_LEN 32
#define AGE_NONCE_LEN 16
#define AGE_PAYLOAD_KEY_LEN 32
#define AGE_HEADER_MAX (1024 * 1024)   /* refused above: "header too large" */
#define AGE_MAX_STANZAS 256
#define AGE_MAX_ARGS 16                /* arguments after the type */

/* One recipient stanza, its strings NUL-terminated, the body decoded. */
struct age_stanza {
	char *type;
	char *args[AGE_MAX_ARGS];
	size_t nargs;
	unsigned char *body;
	size_t body_len;
};

struct age_header {
	struct age_stanza *stanzas;  /* nstanzas of them, owned */
	size_t nstanzas;
	unsigned char mac[AGE_MAC_LEN];
	size_t mac_input_len;  /* header bytes the MAC covers: through "---" */
	size_t len;            /* the whole header, through the MAC line's LF */
};

/*
 * Parse the header at the start of buf.  0 (h filled; free with
 * age_header_free), RP_MORE (*need set), RP_MALFORMED, or RP_REFUSED
 * for another version line ("unsupported age version") or a header over
 * AGE_HEADER_MAX.  The payload nonce is not part of the header.
 */
int age_header_parse(struct age_header *h, const unsigned char *buf,
    size_t len, size_t *need, struct rp_error *err);
void age_header_free(struct age_header *h);

/*
 * 0 if h's MAC is HMAC-SHA256(HKDF(file_key, "", "header"), the
 * mac_input_len bytes at hdr), compared in constant time, else RP_AUTH.
 */
int age_header_check_mac(const struct age_header *h,
    const unsigned char *hdr, const unsigned char file_key[AGE_FILE_KEY_LEN]);

/*
 * Build a header for these stanzas (their args and bodies as given)
 * and its MAC under file_key.  Returns malloc()ed text (free()), its
 * length in *len.  Cannot fail on input: a fault is rp_fatal().
 */
char *age_header_build(const struct age_stanza *stanzas, size_t n,
    const unsigned char file_key[AGE_FILE_KEY_LEN], size_t *len);

/* The payload key: HKDF-SHA256(file_key, nonce, "payload"). */
void age_payload_key(unsigned char key[AGE_PAYLOAD_KEY_LEN],
    const unsigned char file_key[AGE_FILE_KEY_LEN],
    const unsigned char nonce[AGE_NONCE_LEN]);

#endif
