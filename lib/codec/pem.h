/* SPDX-License-Identifier: ISC */
/*
 * pem.h: PEM armor ("-----BEGIN LABEL-----", base64, "-----END LABEL-----")
 * and plain base64.  Lines are the line cursor's (lines.h: LF or CRLF,
 * trailing blanks forgiven), base64 the strict decoder's (base64.h);
 * encoding goes through libgpg-error's gpgrt_b64enc.
 *
 * Decoding is strict: one block, exact matching labels, nothing but
 * whitespace around it, only base64 characters inside, correct padding,
 * canonical (zero leftover bits).
 * Parsers return 0, or an rp_err code (error.h) with *why set to a
 * static reason; they never exit.  RP_MALFORMED: the text does not
 * parse (no BEGIN line, bad label, bad base64, no END line, trailing
 * data).  RP_REFUSED: it parses but is not taken (another label, PEM
 * headers, legacy encrypted PEM).
 */
#ifndef RSAPIPE_PEM_H
#define RSAPIPE_PEM_H

#include <stddef.h>

#define PEM_LABEL_MAX 64

/*
 * The label of the first BEGIN line in buf (after optional leading
 * whitespace), NUL-terminated into label.  Does not validate the rest.
 */
int pem_label(const unsigned char *buf, size_t len,
    char label[PEM_LABEL_MAX + 1], const char **why);

/*
 * Decode the single PEM block in buf, whose label must equal label.  The
 * DER goes to *der in secure memory (free with secure_free(*der)).
 */
int pem_decode(const unsigned char *buf, size_t len, const char *label,
    unsigned char **der, size_t *derlen, const char **why);

/*
 * The next PEM block of a file that may hold several, with any text
 * around them: from *pos, the first "-----BEGIN ...-----" line up to and
 * including the next "-----END ...-----" line (or the end of buf), as
 * [*start, *start + *blocklen); *pos moves past it.  Returns 0 when no
 * BEGIN line is left.  Nothing is validated: pem_decode() the block.
 */
int pem_next_block(const unsigned char *buf, size_t len, size_t *pos,
    size_t *start, size_t *blocklen);

/*
 * Decode plain base64 (no whitespace, correct padding, canonical) into
 * secure memory (free with secure_free(*out)).  RP_MALFORMED ("bad
 * base64") otherwise, for an empty string too.  New code calls
 * base64.h's b64_decode() into memory of its own choosing.
 */
int base64_decode(const char *b64, size_t len, unsigned char **out,
    size_t *outlen, const char **why);

/* 1 if c is one of the 64 base64 characters (not '='), else 0: the
 * old name of base64.h's b64_is_char(). */
int is_b64(unsigned char c);

/*
 * PEM-encode der under label, lines of 64 characters, final newline.
 * With secret set the text is built in secure memory (free with
 * secure_free(p)), otherwise with malloc (free()).  Memory exhausted is
 * rp_fatal() (error.h), the only way it fails.
 */
char *pem_encode(const char *label, const unsigned char *der, size_t derlen,
    int secret, size_t *len);

/* Unpadded single-line base64 of data into out (NUL-terminated); out
 * must hold 4 * ((len + 2) / 3) + 1 bytes.  As pem_encode(), fails
 * only by rp_fatal(). */
void base64_encode_unpadded(const unsigned char *data, size_t len, char *out);

#endif
