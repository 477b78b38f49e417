/* SPDX-License-Identifier: ISC */
/* age_armor.c: see age_armor.h. */
#include <string.h>

#include "age/age_armor.h"
#include "age/age_format.h"
#include "codec/pem.h"
#include "core/common.h"
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
	/* No title: the text is plain base64, the lines checked here. */
	if ((r->b64 = gpgrt_b64dec_start(NULL)) == NULL)
		die(EXIT_USAGE, "out of memory");
}

void
age_armor_reader_free(struct age_armor_reader *r)
{
	if (r->b64 != NULL)
		(void)gpgrt_b64dec_finish(r->b64);
	r->b64 = NULL;
}

static int
bad(const char **why, const char *reason)
{
	*why = reason;
	return RP_MALFORMED;
}

/*
 * A line's shape: at most 64 columns, a multiple of 4, base64
 * characters, padding only at its end; a padded final quantum must be
 * canonical.  *last: the line is shorter than a full one.
 */
static int
check_line(const char *s, size_t n, int *last, const char **why)
{
	unsigned char q[3];
	const char *reason;
	size_t i, pad = 0, got;

	if (n == 0)
		return bad(why, "age armor: empty line");
	if (n > AGE_ARMOR_COLUMNS)
		return bad(why, "age armor: line over 64 columns");
	if (n % 4 != 0)
		return bad(why, "age armor: line length not a multiple of 4");
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (!is_b64((unsigned char)s[i]))
			return bad(why, "age armor: invalid character");
	if (pad > 0 && age_b64_decode(s + n - 4, 4 - pad, q, sizeof(q), &got,
	    &reason) != 0)
		return bad(why, "age armor: non-canonical base64");
	*last = n < AGE_ARMOR_COLUMNS || pad > 0;
	return 0;
}

/* A whole body line (without its line end): END, or base64 to out. */
static int
body_line(struct age_armor_reader *r, unsigned char *out, size_t *outlen,
    const char **why)
{
	size_t n = r->n, got = 0;
	int last;

	if (n == strlen(AGE_ARMOR_END) && memcmp(r->line, AGE_ARMOR_END,
	    n) == 0) {
		r->state = TRAIL;
		return 0;
	}
	if (r->last_seen)
		return bad(why, "age armor: text after the last line, "
		    "no END line");
	if (check_line(r->line, n, &last, why) != 0)
		return RP_MALFORMED;
	if (gpgrt_b64dec_proc(r->b64, r->line, n, &got) != 0 ||
	    got != n / 4 * 3 - (r->line[n - 1] == '=') -
	    (r->line[n - 2] == '='))
		return bad(why, "age armor: bad base64");
	memcpy(out + *outlen, r->line, got);
	*outlen += got;
	r->last_seen = last;
	return 0;
}

/* A line has ended (LF seen): the BEGIN line or a body line. */
static int
end_line(struct age_armor_reader *r, unsigned char *out, size_t *outlen,
    const char **why)
{
	int rc = 0;

	if (r->n > 0 && r->line[r->n - 1] == '\r')
		r->n--;
	if (r->state == BEGIN_LINE) {
		if (r->n != strlen(AGE_ARMOR_BEGIN) ||
		    memcmp(r->line, AGE_ARMOR_BEGIN, r->n) != 0)
			rc = bad(why, "age armor: bad BEGIN line");
		r->state = BODY;
	} else
		rc = body_line(r, out, outlen, why);
	r->n = 0;
	return rc;
}

int
age_armor_decode(struct age_armor_reader *r, const unsigned char *raw,
    size_t len, unsigned char *out, size_t *outlen, const char **why)
{
	size_t i;
	unsigned char c;

	*outlen = 0;
	for (i = 0; i < len; i++) {
		c = raw[i];
		if (r->state == TRAIL || (r->state == LEAD && is_blank(c))) {
			if (!is_blank(c))
				return bad(why, "age armor: text after the "
				    "END line");
			continue;
		}
		if (r->state == LEAD)
			r->state = BEGIN_LINE;
		if (c == '\n') {
			if (end_line(r, out, outlen, why) != 0)
				return RP_MALFORMED;
		} else if (r->n == sizeof(r->line))
			return bad(why, r->state == BEGIN_LINE ?
			    "age armor: bad BEGIN line" :
			    "age armor: line over 64 columns");
		else
			r->line[r->n++] = (char)c;
	}
	return 0;
}

int
age_armor_finish(struct age_armor_reader *r, const char **why)
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
	return bad(why, r->state == BODY ? "age armor: no END line" :
	    "age armor: no BEGIN line");
}
