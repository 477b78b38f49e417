/* SPDX-License-Identifier: ISC */
/* bcrypt_pbkdf.c: OpenSSH's bcrypt KDF (see bcrypt_pbkdf.h). */
#include <gcrypt.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/bcrypt_pbkdf.h"
#include "crypto/blowfish.h"

#define SHA512_LEN 64
#define BCRYPT_WORDS 8
#define BCRYPT_HASHSIZE (BCRYPT_WORDS * 4)

/* One bcrypt hash: EksBlowfish keyed with both SHA-512 digests, 64
 * rounds of alternate expansion, then a fixed text encrypted 64 times;
 * the words come out little-endian. */
static void
bcrypt_hash(const uint8_t sha2pass[SHA512_LEN],
    const uint8_t sha2salt[SHA512_LEN], uint8_t out[BCRYPT_HASHSIZE])
{
	static const uint8_t text[BCRYPT_HASHSIZE] =
	    "OxychromaticBlowfishSwatDynamite";
	struct blowfish *bf;
	uint32_t cdata[BCRYPT_WORDS];
	int i, j;

	bf = secure_alloc(sizeof(*bf));
	blowfish_init(bf);
	blowfish_expand(bf, sha2salt, SHA512_LEN, sha2pass, SHA512_LEN);
	for (i = 0; i < 64; i++) {
		blowfish_expand0(bf, sha2salt, SHA512_LEN);
		blowfish_expand0(bf, sha2pass, SHA512_LEN);
	}
	for (i = 0; i < BCRYPT_WORDS; i++)
		cdata[i] = get_be32(text + 4 * i);
	for (i = 0; i < 64; i++)
		for (j = 0; j < BCRYPT_WORDS; j += 2)
			blowfish_encipher(bf, &cdata[j], &cdata[j + 1]);
	for (i = 0; i < BCRYPT_WORDS; i++) {
		out[4 * i + 0] = cdata[i] & 0xff;
		out[4 * i + 1] = (cdata[i] >> 8) & 0xff;
		out[4 * i + 2] = (cdata[i] >> 16) & 0xff;
		out[4 * i + 3] = (cdata[i] >> 24) & 0xff;
	}
	wipe(cdata, sizeof(cdata));
	secure_free(bf);
}

/* The block for one counter value: bcrypt of SHA-512(salt || count),
 * then rounds - 1 more, each of the SHA-512 of the last, all XORed. */
static void
block(const uint8_t *sha2pass, const uint8_t *salt, size_t saltlen,
    uint32_t count, unsigned int rounds, uint8_t *out)
{
	uint8_t *buf = secure_alloc(2 * SHA512_LEN + BCRYPT_HASHSIZE);
	uint8_t *sha2salt = buf, *tmp = buf + SHA512_LEN;
	uint8_t be[4];
	gcry_md_hd_t md;
	unsigned int r;
	int i;

	put_be32(be, count);
	if (gcry_md_open(&md, GCRY_MD_SHA512, GCRY_MD_FLAG_SECURE) != 0)
		rp_fatal("cannot start SHA-512");
	gcry_md_write(md, salt, saltlen);
	gcry_md_write(md, be, sizeof(be));
	memcpy(sha2salt, gcry_md_read(md, GCRY_MD_SHA512), SHA512_LEN);
	gcry_md_close(md);
	bcrypt_hash(sha2pass, sha2salt, tmp);
	memcpy(out, tmp, BCRYPT_HASHSIZE);
	for (r = 1; r < rounds; r++) {
		gcry_md_hash_buffer(GCRY_MD_SHA512, sha2salt, tmp,
		    BCRYPT_HASHSIZE);
		bcrypt_hash(sha2pass, sha2salt, tmp);
		for (i = 0; i < BCRYPT_HASHSIZE; i++)
			out[i] ^= tmp[i];
	}
	secure_free(buf);
}

int
bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt,
    size_t saltlen, uint8_t *key, size_t keylen, unsigned int rounds)
{
	uint8_t *sha2pass, out[BCRYPT_HASHSIZE];
	size_t stride, amt, i, dest, left = keylen;
	uint32_t count;

	if (rounds < 1 || saltlen == 0 || saltlen > (1u << 20) ||
	    keylen == 0 || keylen > BCRYPT_PBKDF_MAX_KEY)
		return -1;
	/* The output is spread over the blocks, byte i of block n going to
	 * i * stride + n, so that every block must be computed. */
	stride = (keylen + BCRYPT_HASHSIZE - 1) / BCRYPT_HASHSIZE;
	amt = (keylen + stride - 1) / stride;
	sha2pass = secure_alloc(SHA512_LEN);
	gcry_md_hash_buffer(GCRY_MD_SHA512, sha2pass, pass, passlen);
	for (count = 1; left > 0; count++) {
		block(sha2pass, salt, saltlen, count, rounds, out);
		if (amt > left)
			amt = left;
		for (i = 0; i < amt; i++) {
			dest = i * stride + (count - 1);
			if (dest >= keylen)
				break;
			key[dest] = out[i];
		}
		left -= i;
	}
	wipe(out, sizeof(out));
	secure_free(sha2pass);
	return 0;
}
