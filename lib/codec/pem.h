/* SPDX-License-Identifier: ISC */
/*
 * pem.h: PEM armor ("-----BEGIN LABEL-----", base64, "-----END LABEL-----");
 * plain base64 is decoded by base64.h alone.  Lines are the line
 * cursor's (lines.h: LF or CRLF, trailing blanks forgiven), base64 the
 * strict decoder's (base64.h); encoding goes through libgpg-error's
 * gpgrt_b64enc.
 *
 * Decoding is strict: one block, exact matching labels, nothing but
 * whitespace around it, only base64 characters inside, correct padding,
 * canonical (zero leftover bits).
 * Parsers return 0, or an rp_err code with its reason in err
 * (core/error.h); they never exit.  RP_MALFORMED: the text does not
 * parse (no BEGIN line, bad label, bad base64, no END line, trailing
 * data).  RP_REFUSED: it parses but is not taken (another label, PEM
 * headers, legacy encrypted PEM).
 */
#ifndef RSAPIPE_PEM_H
#define RSAPIPE_PEM_H

#include <stddef.h>

#include "core/error.h"

#define PEM_LABEL_MAX 64

/*
 * The label of the first BEGIN line in buf (after optional leading
 * whitespace), NUL-terminated into label.  Does not validate the rest.
 */
int pem_label(const unsigned char *buf, size_t len,
    char label[PEM_LABEL_MAX + 1], struct rp_error *err);

/*
 * Decode the single PEM block in buf, whose label must equal label.  The
 * DER goes to *der in secure memory (free with secure_free(*der)).
 */
int pem_decode(const unsigned char *buf, size_t len, const char *label,
    unsigned char **der, size_t *derlen, struct rp_error *err);

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
