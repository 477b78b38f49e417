/* SPDX-License-Identifier: ISC */
/* bytes.c: the byte cursor: big-endian integers and vectors. */
#include <string.h>

#include "codec/bytes.h"
#include "core/error.h"

void
rd_init(struct reader *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

/* The next n bytes, or NULL with the error noted. */
static const unsigned char *
take(struct reader *r, size_t n)
{
	const unsigned char *p;

	if (r->err != 0)
		return NULL;
	if (n > r->len - r->off) {
		r->err = RP_MORE;
		r->need = n > SIZE_MAX - r->off ? SIZE_MAX : r->off + n;
		return NULL;
	}
	p = r->buf + r->off;
	r->off += n;
	return p;
}

int
rd_uint(struct reader *r, size_t width, size_t *v)
{
	const unsigned char *p;
	size_t i;

	if ((p = take(r, width)) == NULL)
		return r->err;
	for (*v = 0, i = 0; i < width; i++)
		*v = *v << 8 | p[i];
	return 0;
}

int
rd_bytes(struct reader *r, size_t n, const unsigned char **p)
{
	if ((*p = take(r, n)) == NULL)
		return r->err;
	return 0;
}

int
rd_vec(struct reader *r, size_t width, size_t min, size_t max,
    const unsigned char **p, size_t *n)
{
	if (rd_uint(r, width, n) != 0)
		return r->err;
	if (*n < min || *n > max)
		return r->err = RP_MALFORMED;
	return rd_bytes(r, *n, p);
}

int
rd_mpint(struct reader *r, size_t max, int minimal, gcry_mpi_t *m)
{
	const unsigned char *p;
	size_t n;

	*m = NULL;
	if (rd_vec(r, 4, 1, max, &p, &n) != 0 || (p[0] & 0x80))
		return RP_MALFORMED;
	/* Minimal: no leading zero byte unless the next has its top bit
	 * set, and so no encoding of zero. */
	if (minimal && p[0] == 0 && (n == 1 || !(p[1] & 0x80)))
		return RP_MALFORMED;
	if (gcry_mpi_scan(m, GCRYMPI_FMT_USG, p, n, NULL) != 0) {
		*m = NULL;
		return RP_MALFORMED;
	}
	return 0;
}

void
mpi_release_all(gcry_mpi_t *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		gcry_mpi_release(m[i]);
		m[i] = NULL;
	}
}

size_t
rd_left(const struct reader *r)
{
	return r->len - r->off;
}

int
rd_end(struct reader *r)
{
	if (r->err == 0 && r->off != r->len)
		r->err = RP_MALFORMED;
	return r->err;
}

void
wr_init(struct writer *w, void *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
}

unsigned char *
wr_reserve(struct writer *w, size_t n)
{
	unsigned char *p;

	if (w->overflow || n > w->cap - w->off) {
		w->overflow = 1;
		return NULL;
	}
	p = w->buf + w->off;
	w->off += n;
	return p;
}

void
wr_uint(struct writer *w, size_t width, size_t v)
{
	unsigned char *p;

	if (width < sizeof(v) && v >> (8 * width) != 0) {
		w->overflow = 1; /* a length that does not fit its field */
		return;
	}
	if ((p = wr_reserve(w, width)) == NULL)
		return;
	while (width-- > 0) {
		p[width] = (unsigned char)v;
		v >>= 8;
	}
}

void
wr_bytes(struct writer *w, const void *src, size_t n)
{
	unsigned char *p;

	if ((p = wr_reserve(w, n)) != NULL && n > 0)
		memcpy(p, src, n);
}

void
wr_vec(struct writer *w, size_t width, const void *src, size_t n)
{
	wr_uint(w, width, n);
	wr_bytes(w, src, n);
}

int
wr_finish(const struct writer *w, size_t *len)
{
	if (w->overflow)
		return RP_MALFORMED;
	*len = w->off;
	return 0;
}
