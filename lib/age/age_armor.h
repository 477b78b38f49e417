/* SPDX-License-Identifier: ISC */
/*
 * age_armor.h: age's strict ASCII armor (age-encryption.org/v1,
 * "ASCII armor"), streaming in constant memory:
 *
 *	-----BEGIN AGE ENCRYPTED FILE-----
 *	padded standard base64, lines of exactly 64 columns but the last
 *	(1 to 64), which alone may carry padding; canonical
 *	-----END AGE ENCRYPTED FILE-----
 *
 * Blank space (space, tab, CR, LF) is allowed before the BEGIN line
 * and after the END line, nowhere else; lines end in LF or CRLF (the
 * END line may end the file without one).  No headers, no checksum.
 * Lines are found with the line cursor (lines.h), each decoded by the
 * strict base64 decoder (base64.h).
 *
 * The reader returns 0 or RP_MALFORMED with its reason in err ("age
 * armor: ...") and never exits; the writer (armor.h) returns RP_IO on
 * write errors.
 */
#ifndef RSAPIPE_AGE_ARMOR_H
#define RSAPIPE_AGE_ARMOR_H

#include <stddef.h>

#include "core/error.h"

#define AGE_ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define AGE_ARMOR_COLUMNS 64
#define AGE_ARMOR_LINE_CAP 72   /* longer lines are refused at once */

struct age_armor_reader {
	int state;              /* where in the armor (age_armor.c) */
	int last_seen;          /* a short line came: END must follow */
	size_t n;               /* bytes of the current line */
	char line[AGE_ARMOR_LINE_CAP];
};

/* Never fails; _free() forgets the line held (nothing is allocated). */
void age_armor_reader_open(struct age_armor_reader *r);
void age_armor_reader_free(struct age_armor_reader *r);

/*
 * Decode len raw bytes (any split of the input) into out, which has
 * room for len + 64 bytes; *outlen the bytes written.  A full line
 * decodes to 48 bytes, all lines at most to 3/4 of their columns.
 */
int age_armor_decode(struct age_armor_reader *r, const unsigned char *raw,
    size_t len, unsigned char *out, size_t *outlen, struct rp_error *err);

/* At the end of the input: 0 if the armor was whole, else RP_MALFORMED. */
int age_armor_finish(struct age_armor_reader *r, struct rp_error *err);

/* The armor's title; the writer is armor.h's armor_writer_open_title. */
#define AGE_ARMOR_TITLE "AGE ENCRYPTED FILE"

#endif
