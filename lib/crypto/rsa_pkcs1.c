/* SPDX-License-Identifier: ISC */
/* rsa_pkcs1.c: RSASSA-PKCS1-v1_5 with SHA-256 and SHA-512 (libgcrypt). */
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa_pkcs1.h"

const char *
rsa_pkcs1_hash_name(enum rsa_pkcs1_hash hash)
{
	switch (hash) {
	case RSA_PKCS1_SHA256:
		return "sha256";
	case RSA_PKCS1_SHA512:
		return "sha512";
	}
	return NULL;
}

size_t
rsa_pkcs1_digest_len(enum rsa_pkcs1_hash hash)
{
	switch (hash) {
	case RSA_PKCS1_SHA256:
		return 32;
	case RSA_PKCS1_SHA512:
		return 64;
	}
	return 0;
}

void
rsa_pkcs1_digest(enum rsa_pkcs1_hash hash, const void *msg, size_t len,
    unsigned char *out)
{
	if (rsa_pkcs1_digest_len(hash) == 0)
		rp_fatal("rsa_pkcs1_digest: unknown hash %d", (int)hash);
	gcry_md_hash_buffer(hash == RSA_PKCS1_SHA256 ? GCRY_MD_SHA256 :
	    GCRY_MD_SHA512, out, msg, len);
}

/* (data (flags pkcs1) (hash NAME DIGEST)): libgcrypt builds the
 * DigestInfo for the named hash itself. */
static gcry_sexp_t
pkcs1_data(enum rsa_pkcs1_hash hash, const unsigned char *digest)
{
	gcry_sexp_t data;
	gcry_error_t e;

	e = gcry_sexp_build(&data, NULL, "(data (flags pkcs1) (hash %s %b))",
	    rsa_pkcs1_hash_name(hash), (int)rsa_pkcs1_digest_len(hash), digest);
	if (e != 0)
		rp_fatal("RSA PKCS#1 v1.5: %s", gcry_strerror(e));
	return data;
}

/* The signature value s out of result as exactly len octets (I2OSP). */
static void
sig_octets(gcry_sexp_t result, unsigned char *out, size_t len)
{
	gcry_mpi_t s = NULL;
	gcry_error_t e;
	size_t n;

	e = gcry_sexp_extract_param(result, NULL, "s", &s, NULL);
	if (e == 0 && (n = (gcry_mpi_get_nbits(s) + 7) / 8) <= len) {
		memset(out, 0, len - n);
		e = gcry_mpi_print(GCRYMPI_FMT_USG, out + (len - n), n, NULL,
		    s);
	} else if (e == 0) {
		e = GPG_ERR_TOO_LARGE;
	}
	gcry_mpi_release(s);
	if (e != 0)
		rp_fatal("RSA PKCS#1 v1.5 result: %s", gcry_strerror(e));
}

int
rsa_pkcs1_sign(const struct rsa_key *key, enum rsa_pkcs1_hash hash,
    const unsigned char *digest, unsigned char *sig, struct rp_error *err)
{
	gcry_sexp_t data, result;
	gcry_error_t e;

	if (rsa_pkcs1_hash_name(hash) == NULL)
		return rp_fail(err, RP_USAGE, "unknown PKCS#1 hash %d",
		    (int)hash);
	if (key->priv == NULL)
		return rp_fail(err, RP_NOKEY, "PKCS#1 v1.5 signing needs the "
		    "private key");
	data = pkcs1_data(hash, digest);
	e = gcry_pk_sign(&result, data, key->priv);
	gcry_sexp_release(data);
	if (e != 0)
		rp_fatal("RSA PKCS#1 v1.5 sign: %s", gcry_strerror(e));
	sig_octets(result, sig, rsa_modulus_bytes(key));
	gcry_sexp_release(result);
	return 0;
}

int
rsa_pkcs1_verify(const struct rsa_key *key, enum rsa_pkcs1_hash hash,
    const unsigned char *digest, const unsigned char *sig, size_t sig_len,
    struct rp_error *err)
{
	gcry_sexp_t data, sigval;
	gcry_error_t e;

	if (rsa_pkcs1_hash_name(hash) == NULL)
		return rp_fail(err, RP_AUTH, "unknown PKCS#1 hash %d",
		    (int)hash);
	/* Strict, as the spec says: a shorter encoding of the same number
	 * is not the signature. */
	if (sig_len != rsa_modulus_bytes(key))
		return rp_fail(err, RP_AUTH, "the RSA signature is %zu bytes; "
		    "the modulus is %zu", sig_len, rsa_modulus_bytes(key));
	e = gcry_sexp_build(&sigval, NULL, "(sig-val (rsa (s %b)))",
	    (int)sig_len, sig);
	if (e != 0)
		rp_fatal("RSA PKCS#1 v1.5: %s", gcry_strerror(e));
	data = pkcs1_data(hash, digest);
	e = gcry_pk_verify(sigval, data, key->pub);
	gcry_sexp_release(sigval);
	gcry_sexp_release(data);
	if (e != 0)
		return rp_fail(err, RP_AUTH, "the RSA signature does not "
		    "verify");
	return 0;
}
