/* SPDX-License-Identifier: ISC */
/* hkdf.c: HKDF-SHA256 (RFC 5869) on gcry_mac. */
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/hkdf.h"

/* HMAC over up to three pieces, so expand needs no concatenation copy
 * of secret material.  libgcrypt failing on it is rp_fatal(). */
static void
hmac3(unsigned char out[HKDF_SHA256_LEN], const unsigned char *key,
    size_t key_len, const void *a, size_t a_len, const void *b, size_t b_len,
    const void *c, size_t c_len)
{
	gcry_mac_hd_t h;
	gcry_error_t err;
	size_t outlen = HKDF_SHA256_LEN;

	err = gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, GCRY_MAC_FLAG_SECURE, NULL);
	if (err)
		rp_fatal("HMAC-SHA256: %s", gcry_strerror(err));
	err = gcry_mac_setkey(h, key, key_len);
	if (!err && a_len > 0)
		err = gcry_mac_write(h, a, a_len);
	if (!err && b_len > 0)
		err = gcry_mac_write(h, b, b_len);
	if (!err && c_len > 0)
		err = gcry_mac_write(h, c, c_len);
	if (!err)
		err = gcry_mac_read(h, out, &outlen);
	if (!err && outlen != HKDF_SHA256_LEN)
		err = gcry_error(GPG_ERR_INV_LENGTH);
	gcry_mac_close(h);
	if (err) {
		wipe(out, HKDF_SHA256_LEN);
		rp_fatal("HMAC-SHA256: %s", gcry_strerror(err));
	}
}

void
hmac_sha256(unsigned char out[HKDF_SHA256_LEN], const unsigned char *key,
    size_t key_len, const unsigned char *data, size_t data_len)
{
	hmac3(out, key, key_len, data, data_len, NULL, 0, NULL, 0);
}

void
hkdf_sha256(unsigned char *out, size_t out_len, const unsigned char *ikm,
    size_t ikm_len, const unsigned char *salt, size_t salt_len,
    const unsigned char *info, size_t info_len)
{
	static const unsigned char zero_salt[HKDF_SHA256_LEN];
	unsigned char *prk, *t;
	unsigned char counter;
	size_t done, n, t_len;

	if (out_len > HKDF_SHA256_MAX_OUT)
		rp_fatal("HKDF: %zu bytes asked for, %d at most", out_len,
		    HKDF_SHA256_MAX_OUT);
	/* HMAC keys may not be empty in libgcrypt; RFC 5869 says an
	 * absent salt is HashLen zeros, which is the same HMAC key. */
	if (salt_len == 0) {
		salt = zero_salt;
		salt_len = sizeof(zero_salt);
	}
	prk = secure_alloc(2 * HKDF_SHA256_LEN);
	t = prk + HKDF_SHA256_LEN;

	/* Extract: PRK = HMAC(salt, IKM). */
	hmac3(prk, salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0);
	/* Expand: T(i) = HMAC(PRK, T(i-1) || info || i). */
	t_len = 0;
	for (done = 0, counter = 1; done < out_len; counter++) {
		hmac3(t, prk, HKDF_SHA256_LEN, t, t_len, info, info_len,
		    &counter, 1);
		t_len = HKDF_SHA256_LEN;
		n = out_len - done < t_len ? out_len - done : t_len;
		memcpy(out + done, t, n);
		done += n;
	}
	secure_free(prk);
}
