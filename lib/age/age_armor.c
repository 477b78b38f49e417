/* SPDX-License-Identifier: ISC */
/* age_armor.c: see age_armor.h. */
#include <string.h>

#include "age/age_armor.h"
#include "codec/base64.h"
#include "codec/lines.h"
#include "core/error.h"

enum { LEAD, BEGIN_LINE, BODY, TRAIL };

#define LINE_BYTES 48

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void
age_armor_reader_open(struct age_armor_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->state = LEAD;
}

void
age_armor_reader_free(struct age_armor_reader *r)
{
	memset(r, 0, sizeof(*r));
}

static int
bad(struct rp_error *err, const char *reason)
{
	return rp_fail(err, RP_MALFORMED, "%s", reason);
}

/*
 * A line's shape, then its bytes: at most 64 columns, a multiple of 4,
 * strict padded base64 (base64.h: the alphabet, padding only at the
 * end, canonical).  *last: the line is shorter than a full one, or
 * padded, so the END line must follow.
 */
static int
decode_line(const char *s, size_t n, unsigned char *out, size_t *got,
    int *last, struct rp_error *err)
{
	const char *reason;

	if (n == 0)
		return bad(err, "age armor: empty line");
	if (n > AGE_ARMOR_COLUMNS)
		return bad(err, "age armor: line over 64 columns");
	if (n % 4 != 0)
		return bad(err, "age armor: line length not a multiple of 4");
	if ((reason = b64_check(s, n, 0, NULL)) != NULL)
		return bad(err, strcmp(reason, "non-canonical base64") == 0 ?
		    "age armor: non-canonical base64" :
		    "age armor: invalid character");
	*last = n < AGE_ARMOR_COLUMNS || s[n - 1] == '=';
	return b64_decode(s, n, 0, out, LINE_BYTES, got, NULL);
}

/* A whole body line (without its line end): END, or base64 to out. */
static int
body_line(struct age_armor_reader *r, unsigned char *out, size_t *outlen,
    struct rp_error *err)
{
	size_t got = 0;
	int last = 0;

	if (r->n == strlen(AGE_ARMOR_END) && memcmp(r->line, AGE_ARMOR_END,
	    r->n) == 0) {
		r->state = TRAIL;
		return 0;
	}
	if (r->last_seen)
		return bad(err, "age armor: text after the last line, "
		    "no END line");
	if (decode_line(r->line, r->n, out + *outlen, &got, &last, err) != 0)
		return RP_MALFORMED;
	*outlen += got;
	r->last_seen = last;
	return 0;
}

/* A line has ended (LF seen): the BEGIN line or a body line. */
static int
end_line(struct age_armor_reader *r, unsigned char *out, size_t *outlen,
    struct rp_error *err)
{
	int rc = 0;

	if (r->n > 0 && r->line[r->n - 1] == '\r')
		r->n--;
	if (r->state == BEGIN_LINE) {
		if (r->n != strlen(AGE_ARMOR_BEGIN) ||
		    memcmp(r->line, AGE_ARMOR_BEGIN, r->n) != 0)
			rc = bad(err, "age armor: bad BEGIN line");
		r->state = BODY;
	} else
		rc = body_line(r, out, outlen, err);
	r->n = 0;
	return rc;
}

/*
 * Append the next piece of a line (up to its LF, or to the end of raw
 * when the LF is in a later read) to r->line; *complete when its LF
 * came.  Returns the bytes of raw used, or 0 for a line too long.
 */
static size_t
take_piece(struct age_armor_reader *r, const unsigned char *raw,
    size_t len, int *complete)
{
	const unsigned char *line;
	struct lines c;
	size_t n, used;

	lines_init(&c, raw, len, 0, 0);
	*complete = lines_next(&c, &line, &n) == 0;
	if (!*complete)
		n = len;
	used = *complete ? c.off : len;
	if (n > sizeof(r->line) - r->n)
		return 0;
	memcpy(r->line + r->n, raw, n);
	r->n += n;
	return used;
}

int
age_armor_decode(struct age_armor_reader *r, const unsigned char *raw,
    size_t len, unsigned char *out, size_t *outlen, struct rp_error *err)
{
	size_t i, used;
	int complete;

	*outlen = 0;
	for (i = 0; i < len; i += used) {
		used = 1;
		if (r->state == TRAIL || (r->state == LEAD &&
		    is_blank(raw[i]))) {
			if (!is_blank(raw[i]))
				return bad(err, "age armor: text after the "
				    "END line");
			continue;
		}
		if (r->state == LEAD)
			r->state = BEGIN_LINE;
		if ((used = take_piece(r, raw + i, len - i, &complete)) == 0)
			return bad(err, r->state == BEGIN_LINE ?
			    "age armor: bad BEGIN line" :
			    "age armor: line over 64 columns");
		if (complete && end_line(r, out, outlen, err) != 0)
			return RP_MALFORMED;
	}
	return 0;
}

int
age_armor_finish(struct age_armor_reader *r, struct rp_error *err)
{
	/* The END line may end the file without a line end. */
	if (r->state == BODY && r->n > 0) {
		if (r->line[r->n - 1] == '\r')
			r->n--;
		if (r->n == strlen(AGE_ARMOR_END) &&
		    memcmp(r->line, AGE_ARMOR_END, r->n) == 0)
			r->state = TRAIL;
	}
	if (r->state == TRAIL)
		return 0;
	return bad(err, r->state == BODY ? "age armor: no END line" :
	    "age armor: no BEGIN line");
}
