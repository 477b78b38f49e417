/* SPDX-License-Identifier: ISC */
/* lines.c: the line cursor and field splitting (lines.h). */
#include <stdint.h>
#include <string.h>

#include "codec/lines.h"

void
lines_init(struct lines *c, const void *buf, size_t len, unsigned flags,
    size_t max)
{
	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->len = len;
	c->flags = flags;
	c->max = max;
}

static int
is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

int
lines_next(struct lines *c, const unsigned char **line, size_t *n)
{
	const unsigned char *p, *lf;
	size_t k, end;

	if (c->err != 0)
		return c->err;
	p = c->buf + c->off;
	lf = memchr(p, '\n', c->len - c->off);
	if (lf == NULL && (c->off == c->len ||
	    !(c->flags & LINES_LAST_OPEN))) {
		c->need = c->len == SIZE_MAX ? SIZE_MAX : c->len + 1;
		return c->err = RP_MORE;
	}
	k = lf != NULL ? (size_t)(lf - p) : c->len - c->off;
	end = c->off + k + (lf != NULL);
	if ((c->flags & LINES_CRLF) && k > 0 && p[k - 1] == '\r')
		k--;
	if (c->flags & LINES_TRIM)
		while (k > 0 && (is_blank(p[k - 1]) || p[k - 1] == '\r'))
			k--;
	c->start = c->off;
	c->lineno++;
	if (c->max != 0 && k > c->max)
		return c->err = RP_MALFORMED;
	c->off = end;
	*line = p;
	*n = k;
	return 0;
}

size_t
lines_left(const struct lines *c)
{
	return c->len - c->off;
}

int
line_fields(const unsigned char *line, size_t n, unsigned flags,
    struct line_fields *f)
{
	size_t i = 0, start;

	memset(f, 0, sizeof(*f));
	for (;;) {
		while (i < n && is_blank(line[i]))
			i++;
		if (i == n || (f->n == 0 && line[i] == '#' &&
		    (flags & FIELDS_COMMENT)))
			return 0;
		for (start = i; i < n && !is_blank(line[i]); i++)
			if ((flags & FIELDS_PRINTABLE) &&
			    (line[i] < 0x21 || line[i] > 0x7e))
				return RP_MALFORMED;
		if (f->n < LINE_FIELDS_MAX) {
			f->p[f->n] = line + start;
			f->len[f->n] = i - start;
		}
		f->n++;
	}
}

int
line_field_is(const struct line_fields *f, size_t i, const char *s)
{
	size_t n = strlen(s);

	return i < f->n && i < LINE_FIELDS_MAX && f->len[i] == n &&
	    memcmp(f->p[i], s, n) == 0;
}
