/* SPDX-License-Identifier: ISC */
/* age_stream.c: see age_stream.h. */
#include <string.h>

#include "age_stream.h"
#include "common.h"

#define AGE_NONCE_BYTES 12

void
age_stream_open(struct age_stream *st,
    const unsigned char key[AGE_PAYLOAD_KEY_LEN])
{
	gcry_error_t err;

	memset(st, 0, sizeof(*st));
	/* GCRY_CIPHER_SECURE: the key schedule lives in secure memory. */
	err = gcry_cipher_open(&st->hd, GCRY_CIPHER_CHACHA20,
	    GCRY_CIPHER_MODE_POLY1305, GCRY_CIPHER_SECURE);
	if (err == 0)
		err = gcry_cipher_setkey(st->hd, key, AGE_PAYLOAD_KEY_LEN);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "age payload cipher");
}

void
age_stream_close(struct age_stream *st)
{
	gcry_cipher_close(st->hd);
	st->hd = NULL;
}

/* The nonce of chunk st->counter: 11-byte big-endian counter, flag. */
static void
set_nonce(struct age_stream *st, int last)
{
	unsigned char nonce[AGE_NONCE_BYTES];
	uint64_t c = st->counter;
	gcry_error_t err;
	int i;

	memset(nonce, 0, sizeof(nonce));
	for (i = 10; i >= 3; i--, c >>= 8)
		nonce[i] = c & 0xff;
	nonce[11] = last ? 1 : 0;
	if ((err = gcry_cipher_setiv(st->hd, nonce, sizeof(nonce))) != 0)
		die_gcry(EXIT_USAGE, err, "age payload nonce");
}

size_t
age_stream_seal(struct age_stream *st, unsigned char *buf, size_t len,
    int last)
{
	gcry_error_t err;

	if (st->finished || len > AGE_CHUNK_SIZE || (!last &&
	    len != AGE_CHUNK_SIZE) || (last && len == 0 && st->counter > 0))
		die(EXIT_USAGE, "internal error: age chunk out of order");
	set_nonce(st, last);
	err = gcry_cipher_final(st->hd);
	if (err == 0)
		err = gcry_cipher_encrypt(st->hd, buf, len, NULL, 0);
	if (err == 0)
		err = gcry_cipher_gettag(st->hd, buf + len, AGE_TAG_LEN);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "age payload seal");
	st->counter++;
	st->finished = last;
	return len + AGE_TAG_LEN;
}

int
age_stream_open_chunk(struct age_stream *st, unsigned char *buf, size_t n,
    int last, const char **why)
{
	gcry_error_t err;
	size_t len;

	if (st->finished) {
		*why = "age payload: data after the last chunk";
		return RP_MALFORMED;
	}
	if (n < AGE_TAG_LEN || (!last && n != AGE_CHUNK_MAX) ||
	    n > AGE_CHUNK_MAX) {
		*why = "age payload: truncated chunk";
		return RP_MALFORMED;
	}
	len = n - AGE_TAG_LEN;
	if (last && len == 0 && st->counter > 0) {
		*why = "age payload: empty last chunk";
		return RP_MALFORMED;
	}
	set_nonce(st, last);
	err = gcry_cipher_final(st->hd);
	if (err == 0)
		err = gcry_cipher_decrypt(st->hd, buf, len, NULL, 0);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "age payload open");
	if (gcry_cipher_checktag(st->hd, buf + len, AGE_TAG_LEN) != 0) {
		wipe(buf, len);
		*why = "age payload: chunk authentication failed";
		return RP_AUTH;
	}
	st->counter++;
	st->finished = last;
	return 0;
}
