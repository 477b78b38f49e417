/* SPDX-License-Identifier: ISC */
/*
 * lines.h: the line cursor, beside the byte cursor (bytes.h), under
 * every line-based text format: PEM, ssh public key lines, known_peers
 * and recipients files, the age header and armor.
 *
 * A cursor walks a caller's buffer and yields one line at a time as a
 * pointer into it (nothing is copied), without its line end, and knows
 * the line's number (1 for the first) and where it starts, for
 * messages and for formats that authenticate bytes up to a line.
 *
 * What a format allows is said by options, nothing is tolerated by
 * default:
 *	LINES_CRLF       a CR before the LF is part of the line end
 *	LINES_LAST_OPEN  the buffer is the whole input: a last line
 *	                 without LF is a line (else it is RP_MORE, for an
 *	                 incremental parser that reads on)
 *	LINES_TRIM       trailing spaces, tabs and CRs are not part of the
 *	                 line (any mix: what PEM and known_peers forgive)
 * and a maximum line length (0: none).
 *
 * Errors are sticky, as the byte cursor's: after one, every call fails
 * the same way.  RP_MORE comes with c->need, the input length the next
 * line needs, so an incremental parser asks for that much and starts
 * again.
 */
#ifndef RSAPIPE_LINES_H
#define RSAPIPE_LINES_H

#include <stddef.h>

#include "core/error.h"

#define LINES_CRLF 0x01u
#define LINES_LAST_OPEN 0x02u
#define LINES_TRIM 0x04u   /* implies LINES_CRLF */

struct lines {
	const unsigned char *buf;
	size_t len;
	size_t off;      /* the start of the next line */
	size_t start;    /* where the line last returned starts */
	size_t lineno;   /* its number: 0 before the first */
	size_t need;     /* after RP_MORE: the input length required */
	size_t max;      /* longest line taken (after trimming); 0: any */
	unsigned flags;
	int err;         /* the first error, sticky; 0 while none */
};

void lines_init(struct lines *c, const void *buf, size_t len,
    unsigned flags, size_t max);

/*
 * The next line into *line, *n bytes, its line end (and, with
 * LINES_TRIM, trailing blanks) left out; c->lineno and c->start name
 * it.  0, or RP_MORE at the end of the buffer (no line, or with
 * LINES_LAST_OPEN unset a line without its LF yet), or RP_MALFORMED for
 * a line over c->max (c->lineno names it).
 */
int lines_next(struct lines *c, const unsigned char **line, size_t *n);

/* Bytes not yet taken: 0 once every line has been. */
size_t lines_left(const struct lines *c);

/*
 * Blank-separated fields of one line: what known_peers, recipients and
 * ssh public key lines are made of.  Blanks are spaces and tabs.
 */
#define LINE_FIELDS_MAX 4
struct line_fields {
	const unsigned char *p[LINE_FIELDS_MAX];
	size_t len[LINE_FIELDS_MAX];
	size_t n;        /* fields on the line; only the first
	                    LINE_FIELDS_MAX are kept in p and len */
};

#define FIELDS_COMMENT 0x01u   /* a line whose first field starts with
                                  '#' has no fields */
#define FIELDS_PRINTABLE 0x02u /* a byte outside 0x21-0x7e in a field is
                                  RP_MALFORMED */

/* Split line (n bytes) into f.  0, or RP_MALFORMED (FIELDS_PRINTABLE). */
int line_fields(const unsigned char *line, size_t n, unsigned flags,
    struct line_fields *f);

/* Is field i of f (one of those kept) exactly the string s? */
int line_field_is(const struct line_fields *f, size_t i, const char *s);

#endif
