/* SPDX-License-Identifier: ISC */
/*
 * spake2_w.c: SPAKE2's w from an invite code, doc/KEYSWAP-v2.md 4.3:
 * rsapipe's choice of MHF, apart from the RFC's protocol in spake2.c.
 */
#include <string.h>

#include "core/common.h"
#include "crypto/spake2.h"

#define INVITE_SALT "rsapipe invite v2"

/* n of P-256, from libgcrypt's own curve table. */
static gcry_mpi_t
p256_order(void)
{
	gcry_ctx_t ec;
	gcry_mpi_t n;
	gcry_error_t e;

	e = gcry_mpi_ec_new(&ec, NULL, "NIST P-256");
	if (e)
		rp_fatal("libgcrypt has no NIST P-256: %s", gcry_strerror(e));
	n = gcry_mpi_ec_get_mpi("n", ec, 1);
	gcry_ctx_release(ec);
	return n;
}

int
spake2_password_to_w(unsigned char w[SPAKE2_SCALAR_LEN], const char *words,
    size_t words_len, unsigned number, struct rp_error *err)
{
	unsigned char salt[sizeof(INVITE_SALT) - 1 + 2];
	unsigned char *wide;
	gcry_mpi_t m = NULL, n;
	size_t len, written;
	gcry_error_t e;

	if (words_len == 0 || number > 0xffff)
		return rp_fail(err, RP_USAGE, "spake2: no words or bad number");
	memcpy(salt, INVITE_SALT, sizeof(INVITE_SALT) - 1);
	put_be16(salt + sizeof(INVITE_SALT) - 1, number);
	/* 32 + 16 bytes in secure memory: gcry_mpi_scan of a secure buffer
	 * makes a secure MPI. */
	wide = secure_alloc(SPAKE2_W_WIDE_LEN);
	e = gcry_kdf_derive(words, words_len, GCRY_KDF_SCRYPT, SPAKE2_SCRYPT_N,
	    salt, sizeof(salt), SPAKE2_SCRYPT_P, SPAKE2_W_WIDE_LEN, wide);
	/* Only memory can fail here (scrypt takes 32 MiB). */
	if (!e)
		e = gcry_mpi_scan(&m, GCRYMPI_FMT_USG, wide, SPAKE2_W_WIDE_LEN,
		    NULL);
	secure_free(wide);
	if (e)
		rp_fatal("scrypt of the invite code: %s", gcry_strerror(e));
	n = p256_order();
	gcry_mpi_mod(m, m, n);
	gcry_mpi_release(n);
	len = (gcry_mpi_get_nbits(m) + 7) / 8;
	memset(w, 0, SPAKE2_SCALAR_LEN);
	if (len > 0 && (gcry_mpi_print(GCRYMPI_FMT_USG,
	    w + SPAKE2_SCALAR_LEN - len, len, &written, m) != 0 ||
	    written != len))
		rp_fatal("spake2: gcry_mpi_print of w");
	gcry_mpi_release(m);
	return 0;
}
