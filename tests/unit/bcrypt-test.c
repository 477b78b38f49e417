/* SPDX-License-Identifier: ISC */
/*
 * bcrypt-test: the hand-written Blowfish and bcrypt_pbkdf against
 * published known answers: Blowfish ECB vectors (Eric Young's set, from
 * Schneier's reference), Blowfish against libgcrypt's own for random keys
 * and blocks, and bcrypt_pbkdf against OpenBSD's regression vectors.
 * Exits 0 when every case matches, 1 otherwise, naming the case.
 */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "crypto/bcrypt_pbkdf.h"
#include "crypto/blowfish.h"

struct bf_case {
	const char *key, *plain, *cipher;
};

static const struct bf_case bf_cases[] = {
	{ "0000000000000000", "0000000000000000", "4ef997456198dd78" },
	{ "ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a" },
	{ "3000000000000000", "1000000000000001", "7d856f9a613063f2" },
	{ "1111111111111111", "1111111111111111", "2466dd878b963c9d" },
	{ "0123456789abcdef", "1111111111111111", "61f9c3802281b096" },
	{ "fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d" },
};

struct kdf_case {
	const char *pass;
	size_t passlen;
	const char *salt;
	size_t saltlen;
	unsigned int rounds;
	const char *key;
};

/* OpenBSD src/regress/lib/libutil/bcrypt_pbkdf. */
static const struct kdf_case kdf_cases[] = {
	{ "password", 8, "salt", 4, 4,
	    "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9" },
	{ "password", 8, "\0", 1, 4, "c12b566235eee04c212598970a579a67" },
	{ "\0", 1, "salt", 4, 4, "6051be18c2f4f82cbf0efee5471b4bb9" },
	{ "password\0", 9, "salt\0", 5, 4,
	    "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050" },
};

static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	for (i = 0; i < n; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

static int
check_blowfish_vectors(void)
{
	struct blowfish bf;
	uint8_t key[8], block[8], want[8];
	uint32_t l, r;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(bf_cases) / sizeof(bf_cases[0]); i++) {
		unhex(bf_cases[i].key, key);
		unhex(bf_cases[i].plain, block);
		unhex(bf_cases[i].cipher, want);
		blowfish_init(&bf);
		blowfish_expand0(&bf, key, sizeof(key));
		l = get_be32(block);
		r = get_be32(block + 4);
		blowfish_encipher(&bf, &l, &r);
		put_be32(block, l);
		put_be32(block + 4, r);
		if (memcmp(block, want, 8) != 0) {
			printf("blowfish vector %zu (key %s): mismatch\n", i,
			    bf_cases[i].key);
			bad = 1;
		}
	}
	return bad;
}

/* The standard key schedule is init + expand0: libgcrypt must agree. */
static int
check_against_libgcrypt(void)
{
	struct blowfish bf;
	gcry_cipher_hd_t hd;
	uint8_t key[56], block[8], ours[8];
	uint32_t l, r;
	int i, bad = 0;
	size_t keylen;

	for (i = 0; i < 200; i++) {
		keylen = 8 + (size_t)(i % 49);
		gcry_randomize(key, keylen, GCRY_WEAK_RANDOM);
		gcry_randomize(block, sizeof(block), GCRY_WEAK_RANDOM);
		if (gcry_cipher_open(&hd, GCRY_CIPHER_BLOWFISH,
		    GCRY_CIPHER_MODE_ECB, 0) != 0 ||
		    gcry_cipher_setkey(hd, key, keylen) != 0 ||
		    gcry_cipher_encrypt(hd, ours, 8, block, 8) != 0) {
			printf("libgcrypt Blowfish unavailable\n");
			return 1;
		}
		gcry_cipher_close(hd);
		blowfish_init(&bf);
		blowfish_expand0(&bf, key, keylen);
		l = get_be32(block);
		r = get_be32(block + 4);
		blowfish_encipher(&bf, &l, &r);
		put_be32(block, l);
		put_be32(block + 4, r);
		if (memcmp(block, ours, 8) != 0) {
			printf("blowfish differs from libgcrypt (key of %zu "
			    "bytes)\n", keylen);
			bad = 1;
		}
	}
	return bad;
}

static int
check_bcrypt_pbkdf(void)
{
	uint8_t want[64], got[64];
	size_t i, n;
	int bad = 0;

	for (i = 0; i < sizeof(kdf_cases) / sizeof(kdf_cases[0]); i++) {
		n = unhex(kdf_cases[i].key, want);
		if (bcrypt_pbkdf(kdf_cases[i].pass, kdf_cases[i].passlen,
		    (const uint8_t *)kdf_cases[i].salt, kdf_cases[i].saltlen,
		    got, n, kdf_cases[i].rounds) != 0 ||
		    memcmp(got, want, n) != 0) {
			printf("bcrypt_pbkdf vector %zu: mismatch\n", i);
			bad = 1;
		}
	}
	if (bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 1, got, 32, 0) != -1 ||
	    bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 0, got, 32, 1) != -1 ||
	    bcrypt_pbkdf("p", 1, (const uint8_t *)"s", 1, got, 0, 1) != -1) {
		printf("bcrypt_pbkdf accepted an argument out of range\n");
		bad = 1;
	}
	return bad;
}

int
main(int argc, char *argv[])
{
	int bad;

	(void)argc;
	rsapipe_init(argv[0]);
	bad = check_blowfish_vectors() | check_against_libgcrypt() |
	    check_bcrypt_pbkdf();
	if (!bad)
		printf("blowfish and bcrypt_pbkdf: all known answers match\n");
	return bad;
}
