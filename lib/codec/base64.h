/* SPDX-License-Identifier: ISC */
/*
 * base64.h: the one strict base64 decoder (RFC 4648 section 4, standard
 * alphabet) under every format that carries base64 in a line: PEM
 * bodies, ssh public key lines, known_peers and recipients entries, the
 * age header and the age armor's lines.
 *
 * Strict means one spelling per byte string: only the 64 characters and
 * '=' (no blanks, no line breaks: the line parsers split lines), padding
 * only at the end and only as much as the final group needs, and the
 * bits a short final group leaves over all zero (RFC 4648 section 3.5,
 * "canonical encoding").  The one documented leniency is an option:
 *
 *	B64_UNPADDED  the final group carries no '=' (2 or 3 characters),
 *	              as age writes every header field (doc/AGE.md); '='
 *	              is then refused.
 *
 * PEM needs no leniency here: its line ends (LF or CRLF) and trailing
 * blanks are the line cursor's (lines.h), and the lines are joined
 * before decoding.  The rsapipe armor's documented tolerance (blanks
 * and unknown characters skipped, doc/FORMAT.md section 4) is a stream
 * decoder's, and stays with libgpg-error's gpgrt_b64dec in armor.c.
 *
 * The empty string is valid and decodes to nothing (RFC 4648 section
 * 10); a format that wants a value refuses length 0 itself.
 */
#ifndef RSAPIPE_BASE64_H
#define RSAPIPE_BASE64_H

#include <stddef.h>

#include "core/error.h"

#define B64_UNPADDED 0x01u

/* The bytes len characters decode to at most: room to give b64_decode. */
#define B64_DECODED_MAX(len) ((len) / 4 * 3 + 2)
/* Characters of the padded encoding of n bytes. */
#define B64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)

/*
 * Is s (len characters) valid under flags?  NULL if it is, with
 * *outlen (may be NULL) the number of bytes it decodes to; else a
 * static reason: "bad base64 length", "padded base64" (B64_UNPADDED and
 * an '='), "bad base64" (a character outside the alphabet, misplaced
 * padding) or "non-canonical base64" (non-zero leftover bits).
 * Nothing is decoded: for a check or a size before allocating.
 */
const char *b64_check(const char *s, size_t len, unsigned flags,
    size_t *outlen);

/*
 * Decode s into out (outcap bytes; the caller's memory, so a secret
 * goes where the caller wants it, secure memory for a key).  0 with
 * *outlen set, or RP_MALFORMED with err's reason one of b64_check()'s
 * or "base64 value too long" (more than outcap bytes).  Nothing is
 * written to out unless the whole input is valid.
 */
int b64_decode(const char *s, size_t len, unsigned flags,
    unsigned char *out, size_t outcap, size_t *outlen,
    struct rp_error *err);

/* 1 if c is one of the 64 base64 characters (not '='), else 0. */
int b64_is_char(unsigned char c);

#endif
