/* SPDX-License-Identifier: ISC */
/* age_stream.c: see age_stream.h. */
#include <string.h>

#include "age/age_stream.h"
#include "core/common.h"
#include "core/error.h"

#define AGE_NONCE_BYTES 12

void
age_stream_open(struct cipher_state *st,
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
		rp_fatal("age payload cipher: %s", gcry_strerror(err));
}

void
age_stream_close(struct cipher_state *st)
{
	gcry_cipher_close(st->hd);
	st->hd = NULL;
}

/* The nonce of chunk st->counter: 11-byte big-endian counter, flag. */
static void
set_nonce(struct cipher_state *st, int last)
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
		rp_fatal("age payload nonce: %s", gcry_strerror(err));
}

/* Run chunk st->counter's cipher (nonce, last flag) over len bytes at
 * buf in place, one whole message: decrypting or encrypting. */
static void
crypt_as(struct cipher_state *st, unsigned char *buf, size_t len, int last,
    int decrypt)
{
	gcry_error_t err;

	set_nonce(st, last);
	err = gcry_cipher_final(st->hd);
	if (err == 0)
		err = decrypt ? gcry_cipher_decrypt(st->hd, buf, len, NULL, 0) :
		    gcry_cipher_encrypt(st->hd, buf, len, NULL, 0);
	if (err != 0)
		rp_fatal("age payload: %s", gcry_strerror(err));
}

/* Decrypt len bytes at buf in place as chunk st->counter and check the
 * tag after them; 1 if it holds.  If it does not, the bytes are
 * encrypted again under the same nonce, which (ChaCha20 being a key
 * stream) gives back the ciphertext, to be tried once more. */
static int
open_as(struct cipher_state *st, unsigned char *buf, size_t len, int last)
{
	crypt_as(st, buf, len, last, 1);
	if (gcry_cipher_checktag(st->hd, buf + len, AGE_TAG_LEN) == 0)
		return 1;
	crypt_as(st, buf, len, last, 0);
	return 0;
}

size_t
age_stream_seal(struct cipher_state *st, unsigned char *buf, size_t len,
    int last)
{
	gcry_error_t err;

	if (st->finished || len > AGE_CHUNK_SIZE || (!last &&
	    len != AGE_CHUNK_SIZE) || (last && len == 0 && st->counter > 0))
		rp_fatal("age chunk out of order");
	crypt_as(st, buf, len, last, 0);
	if ((err = gcry_cipher_gettag(st->hd, buf + len, AGE_TAG_LEN)) != 0)
		rp_fatal("age payload seal: %s", gcry_strerror(err));
	st->counter++;
	st->finished = last;
	return len + AGE_TAG_LEN;
}

int
age_stream_open_chunk(struct cipher_state *st, unsigned char *buf, size_t n,
    struct rp_error *err)
{
	size_t len;
	int last;

	if (st->finished)
		return rp_fail(err, RP_MALFORMED,
		    "age payload: data after the last chunk");
	if (n < AGE_TAG_LEN || n > AGE_CHUNK_MAX)
		return rp_fail(err, RP_MALFORMED,
		    "age payload: truncated chunk");
	len = n - AGE_TAG_LEN;
	if (len == 0 && st->counter > 0)
		return rp_fail(err, RP_MALFORMED,
		    "age payload: empty last chunk");
	if (n == AGE_CHUNK_MAX && open_as(st, buf, len, 0))
		last = 0;
	else if (open_as(st, buf, len, 1))
		last = 1;
	else {
		wipe(buf, len);
		return rp_fail(err, RP_AUTH, "age payload: chunk "
		    "authentication failed (damaged or truncated)");
	}
	st->counter++;
	st->finished = last;
	return 0;
}
