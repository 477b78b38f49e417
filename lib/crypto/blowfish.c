/* SPDX-License-Identifier: ISC */
/* blowfish.c: Blowfish with the EksBlowfish key schedule (see blowfish.h). */
#include <string.h>

#include "crypto/blowfish.h"
#include "crypto/blowfish_pi.h"

#define F(bf, x) \
	((((bf)->s[0][(x) >> 24] + (bf)->s[1][((x) >> 16) & 0xff]) ^ \
	(bf)->s[2][((x) >> 8) & 0xff]) + (bf)->s[3][(x) & 0xff])

void
blowfish_init(struct blowfish *bf)
{
	memcpy(bf->p, blowfish_pi_p, sizeof(bf->p));
	memcpy(bf->s, blowfish_pi_s, sizeof(bf->s));
}

void
blowfish_encipher(const struct blowfish *bf, uint32_t *l, uint32_t *r)
{
	uint32_t xl = *l, xr = *r, t;
	int i;

	for (i = 0; i < 16; i++) {
		xl ^= bf->p[i];
		xr ^= F(bf, xl);
		t = xl;
		xl = xr;
		xr = t;
	}
	t = xl;
	xl = xr;
	xr = t;
	xr ^= bf->p[16];
	xl ^= bf->p[17];
	*l = xl;
	*r = xr;
}

/* The next 32 bits of data, big-endian, read cyclically from *pos. */
static uint32_t
next_word(const uint8_t *data, size_t len, size_t *pos)
{
	uint32_t w = 0;
	int i;

	for (i = 0; i < 4; i++) {
		w = (w << 8) | data[*pos];
		*pos = (*pos + 1) % len;
	}
	return w;
}

/* P ^= key, then every word of P and S from a running encryption whose
 * block is first XORed with the salt when there is one. */
static void
expand(struct blowfish *bf, const uint8_t *salt, size_t saltlen,
    const uint8_t *key, size_t keylen)
{
	size_t kpos = 0, spos = 0;
	uint32_t l = 0, r = 0;
	int i, j;

	for (i = 0; i < 18; i++)
		bf->p[i] ^= next_word(key, keylen, &kpos);
	for (i = 0; i < 18; i += 2) {
		if (salt != NULL) {
			l ^= next_word(salt, saltlen, &spos);
			r ^= next_word(salt, saltlen, &spos);
		}
		blowfish_encipher(bf, &l, &r);
		bf->p[i] = l;
		bf->p[i + 1] = r;
	}
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 256; j += 2) {
			if (salt != NULL) {
				l ^= next_word(salt, saltlen, &spos);
				r ^= next_word(salt, saltlen, &spos);
			}
			blowfish_encipher(bf, &l, &r);
			bf->s[i][j] = l;
			bf->s[i][j + 1] = r;
		}
	}
}

void
blowfish_expand0(struct blowfish *bf, const uint8_t *key, size_t keylen)
{
	expand(bf, NULL, 0, key, keylen);
}

void
blowfish_expand(struct blowfish *bf, const uint8_t *salt, size_t saltlen,
    const uint8_t *key, size_t keylen)
{
	expand(bf, salt, saltlen, key, keylen);
}
