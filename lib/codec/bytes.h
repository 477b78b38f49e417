/* SPDX-License-Identifier: ISC */
/*
 * bytes.h: the byte cursor under every binary wire format: the stream
 * header and records, keyswap frames, ssh key blobs.  Integers are
 * big-endian; a vector is a length of 1 to 4 bytes and that many bytes.
 *
 * A reader never reads outside its buffer.  Running out is RP_MORE, and
 * r->need says how many bytes the whole input must have for the read
 * to succeed, so an incremental parser can ask for exactly that much and
 * start again.  A vector whose length is outside [min, max] is
 * RP_MALFORMED.  Errors are sticky: after one, every read fails the
 * same way, so a parser may check once after several reads.
 *
 * A writer fills a caller's buffer and never writes past its end; too
 * little room is noted (w->overflow) and wr_finish() reports it.
 */
#ifndef RSAPIPE_BYTES_H
#define RSAPIPE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <gcrypt.h>

struct reader {
	const unsigned char *buf;
	size_t len;     /* bytes available */
	size_t off;     /* the next byte to read */
	size_t need;    /* after RP_MORE: the input length required */
	int err;        /* the first error, sticky; 0 while none */
};

void rd_init(struct reader *r, const void *buf, size_t len);
/* An unsigned integer of width (1 to 4) bytes into *v. */
int rd_uint(struct reader *r, size_t width, size_t *v);
/* n bytes: *p points at them inside the buffer. */
int rd_bytes(struct reader *r, size_t n, const unsigned char **p);
/* A length of width bytes, min <= length <= max, then that many bytes. */
int rd_vec(struct reader *r, size_t width, size_t min, size_t max,
    const unsigned char **p, size_t *n);
/*
 * An ssh mpint (RFC 4251 section 5): a uint32 length of 1 to max, then a
 * non-negative big-endian integer, into *m (secure when buf is in secure
 * memory; release with gcry_mpi_release()).  With minimal set only the
 * one shortest encoding of a positive value is taken, as in a public key
 * blob.  Anything else is RP_MALFORMED (*m NULL).
 */
int rd_mpint(struct reader *r, size_t max, int minimal, gcry_mpi_t *m);
/* Release the n MPIs at m (NULL ones too) and set them NULL. */
void mpi_release_all(gcry_mpi_t *m, size_t n);
/* Bytes not yet read. */
size_t rd_left(const struct reader *r);
/* 0 if every byte has been read, else RP_MALFORMED (trailing bytes). */
int rd_end(struct reader *r);

struct writer {
	unsigned char *buf;
	size_t cap;     /* room at buf */
	size_t off;     /* bytes written */
	int overflow;   /* a write did not fit (nothing was written) */
};

void wr_init(struct writer *w, void *buf, size_t cap);
/* v in width (1 to 4) bytes; a v that does not fit is an overflow. */
void wr_uint(struct writer *w, size_t width, size_t v);
void wr_bytes(struct writer *w, const void *p, size_t n);
/* Room for n bytes that the caller fills; NULL (and overflow) if none. */
unsigned char *wr_reserve(struct writer *w, size_t n);
/* A vector: n as width bytes, then the bytes. */
void wr_vec(struct writer *w, size_t width, const void *p, size_t n);
/* 0 with *len the bytes written, or RP_MALFORMED after an overflow. */
int wr_finish(const struct writer *w, size_t *len);

#endif
