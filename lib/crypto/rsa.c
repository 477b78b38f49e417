/* SPDX-License-Identifier: ISC */
/* rsa.c: RSA-OAEP and RSA-PSS on fixed-length octet strings. */
#include <stdint.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"

size_t
rsa_modulus_bytes(const struct rsa_key *key)
{
	return (key->nbits + 7) / 8;
}

/* The number under token name in sexp as exactly len octets. */
static void
sexp_octets(unsigned char *out, size_t len, gcry_sexp_t sexp,
    const char *name)
{
	gcry_sexp_t tok;
	gcry_mpi_t mpi;
	gcry_error_t err;
	size_t n;

	tok = gcry_sexp_find_token(sexp, name, 0);
	mpi = tok != NULL ? gcry_sexp_nth_mpi(tok, 1, GCRYMPI_FMT_USG) : NULL;
	gcry_sexp_release(tok);
	if (mpi == NULL)
		rp_fatal("RSA result has no number '%s'", name);
	n = (gcry_mpi_get_nbits(mpi) + 7) / 8;
	if (n > len)
		rp_fatal("RSA result '%s' too long", name);
	memset(out, 0, len - n);
	err = gcry_mpi_print(GCRYMPI_FMT_USG, out + (len - n), n, NULL, mpi);
	gcry_mpi_release(mpi);
	if (err)
		rp_fatal("RSA result: %s", gcry_strerror(err));
}

void
rsa_oaep_wrap(const struct rsa_key *key, const char *label,
    const unsigned char *msg, size_t len, unsigned char *out)
{
	gcry_sexp_t data, ciph;
	gcry_error_t err;

	err = gcry_sexp_build(&data, NULL,
	    "(data (flags oaep) (hash-algo sha256) (label %b) (value %b))",
	    (int)strlen(label), label, (int)len, msg);
	if (err)
		rp_fatal("RSA-OAEP: %s", gcry_strerror(err));
	err = gcry_pk_encrypt(&ciph, data, key->pub);
	gcry_sexp_release(data);
	if (err)
		rp_fatal("RSA-OAEP encrypt: %s", gcry_strerror(err));
	sexp_octets(out, rsa_modulus_bytes(key), ciph, "a");
	gcry_sexp_release(ciph);
}

/* The plaintext out of a decrypt result, if it has out_len bytes; the
 * result's own copy (ordinary memory) is wiped either way. */
static int
take_value(gcry_sexp_t plain, unsigned char *out, size_t out_len)
{
	gcry_sexp_t tok;
	const char *value;
	size_t n = 0;
	int rc = RP_DECRYPT;

	tok = gcry_sexp_find_token(plain, "value", 0);
	value = tok != NULL ? gcry_sexp_nth_data(tok, 1, &n) : NULL;
	if (value != NULL && n == out_len) {
		memcpy(out, value, n);
		rc = 0;
	}
	if (value != NULL)
		wipe((void *)(uintptr_t)value, n);
	gcry_sexp_release(tok);
	return rc;
}

int
rsa_oaep_unwrap(const struct rsa_key *key, const char *label,
    const unsigned char *ct, size_t ct_len, unsigned char *out,
    size_t out_len)
{
	gcry_sexp_t enc, plain;
	gcry_error_t err;
	int rc;

	if (key->priv == NULL)
		return RP_NOKEY;
	if (ct_len != rsa_modulus_bytes(key))
		return RP_DECRYPT;
	err = gcry_sexp_build(&enc, NULL,
	    "(enc-val (flags oaep) (hash-algo sha256) (label %b)"
	    " (rsa (a %b)))", (int)strlen(label), label, (int)ct_len, ct);
	if (err)
		rp_fatal("RSA-OAEP: %s", gcry_strerror(err));
	err = gcry_pk_decrypt(&plain, enc, key->priv);
	gcry_sexp_release(enc);
	if (err)
		return RP_DECRYPT;
	rc = take_value(plain, out, out_len);
	gcry_sexp_release(plain);
	return rc;
}

static gcry_sexp_t
pss_data(const unsigned char digest[RSA_DIGEST_LEN])
{
	gcry_sexp_t data;
	gcry_error_t err;

	err = gcry_sexp_build(&data, NULL,
	    "(data (flags pss) (hash sha256 %b) (salt-length %u))",
	    RSA_DIGEST_LEN, digest, (unsigned)RSA_PSS_SALT_LEN);
	if (err)
		rp_fatal("RSA-PSS: %s", gcry_strerror(err));
	return data;
}

void
rsa_pss_sign(const struct rsa_key *key,
    const unsigned char digest[RSA_DIGEST_LEN], unsigned char *sig)
{
	gcry_sexp_t data, result;
	gcry_error_t err;

	if (key->priv == NULL)
		rp_fatal("RSA-PSS sign: no private key");
	data = pss_data(digest);
	err = gcry_pk_sign(&result, data, key->priv);
	gcry_sexp_release(data);
	if (err)
		rp_fatal("RSA-PSS sign: %s", gcry_strerror(err));
	sexp_octets(sig, rsa_modulus_bytes(key), result, "s");
	gcry_sexp_release(result);
}

int
rsa_pss_verify(const struct rsa_key *key,
    const unsigned char digest[RSA_DIGEST_LEN], const unsigned char *sig,
    size_t sig_len)
{
	gcry_sexp_t data, sigval;
	gcry_error_t err;

	/* Strict: a signature is exactly the modulus length. */
	if (sig_len != rsa_modulus_bytes(key))
		return RP_AUTH;
	err = gcry_sexp_build(&sigval, NULL, "(sig-val (rsa (s %b)))",
	    (int)sig_len, sig);
	if (err)
		rp_fatal("RSA-PSS: %s", gcry_strerror(err));
	data = pss_data(digest);
	err = gcry_pk_verify(sigval, data, key->pub);
	gcry_sexp_release(sigval);
	gcry_sexp_release(data);
	return err ? RP_AUTH : 0;
}
