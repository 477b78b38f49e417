/* SPDX-License-Identifier: ISC */
/* key_write.c: new keys, and keys written as PKCS#8 and SPKI PEM. */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/der.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/keys.h"
#include "keys/keys_der.h"
#include "keys/pkcs8.h"

/* Every failure here is libgcrypt's on values we chose, or a caller's
 * size it should have checked: nobody's input, so rp_fatal(). */
void
key_generate(struct rsa_key *key, unsigned int nbits)
{
	gcry_sexp_t params, pair, priv;
	gcry_mpi_t n = NULL, e = NULL, d = NULL, p = NULL, q = NULL, u = NULL;
	gcry_error_t err;
	struct rp_error refused;

	memset(key, 0, sizeof(*key));
	if (nbits < KEY_MIN_BITS || nbits > KEY_MAX_BITS)
		rp_fatal("key size %u out of range %d..%d", nbits,
		    KEY_MIN_BITS, KEY_MAX_BITS);
	err = gcry_sexp_build(&params, NULL,
	    "(genkey (rsa (nbits %u) (rsa-use-e %u)))", nbits, 65537U);
	if (err != 0)
		rp_fatal("gcry_sexp_build: %s", gcry_strerror(err));
	err = gcry_pk_genkey(&pair, params);
	gcry_sexp_release(params);
	if (err != 0)
		rp_fatal("RSA key generation: %s", gcry_strerror(err));
	priv = gcry_sexp_find_token(pair, "private-key", 0);
	gcry_sexp_release(pair);
	if (priv == NULL)
		rp_fatal("RSA key generation: no private key");
	/* Rebuild so every key we hold has the same form. */
	err = gcry_sexp_extract_param(priv, NULL, "nedpqu", &n, &e, &d, &p,
	    &q, &u, NULL);
	gcry_sexp_release(priv);
	if (err != 0)
		rp_fatal("RSA key generation: %s", gcry_strerror(err));
	gcry_mpi_set_flag(d, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(p, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(q, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(u, GCRYMPI_FLAG_SECURE);
	if (gcry_mpi_cmp(p, q) > 0) {
		gcry_mpi_swap(p, q);
		if (!gcry_mpi_invm(u, p, q))
			rp_fatal("RSA key generation: bad primes");
	}
	err = gcry_sexp_build(&key->priv, NULL,
	    "(private-key (rsa (n %m) (e %m) (d %m) (p %m) (q %m) (u %m)))",
	    n, e, d, p, q, u);
	if (err != 0)
		rp_fatal("gcry_sexp_build: %s", gcry_strerror(err));
	if (keys_set_public(key, n, e, &refused) != 0)
		rp_fatal("RSA key generation: %s", refused.reason);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	gcry_mpi_release(d);
	gcry_mpi_release(p);
	gcry_mpi_release(q);
	gcry_mpi_release(u);
}

/* RSAPrivateKey DER (PKCS#1) of key, in secure memory, with OpenSSL's
 * CRT values: dP, dQ and qInv = q^-1 mod p. */
static unsigned char *
rsa_private_der(const struct rsa_key *key, size_t *len)
{
	gcry_mpi_t v[V_COUNT] = { NULL }, u = NULL;
	gcry_error_t err;
	asn1_node rsa;
	unsigned char *der;
	int i;

	if (key->priv == NULL)
		rp_fatal("no private key to write");
	err = gcry_sexp_extract_param(key->priv, NULL, "nedpqu", &v[V_N],
	    &v[V_E], &v[V_D], &v[V_P], &v[V_Q], &u, NULL);
	if (err != 0)
		rp_fatal("private key: %s", gcry_strerror(err));
	gcry_mpi_release(u);
	v[V_DP] = keys_crt_exponent(v[V_D], v[V_P]);
	v[V_DQ] = keys_crt_exponent(v[V_D], v[V_Q]);
	v[V_QINV] = keys_snew();
	if (!gcry_mpi_invm(v[V_QINV], v[V_Q], v[V_P]))
		rp_fatal("private key: bad primes");
	rsa = der_new("RSAPrivateKey");
	der_write_ulong(rsa, "version", 0);
	for (i = 0; i < V_COUNT; i++)
		der_write_mpi(rsa, keys_value_names[i], v[i]);
	der = der_encode(rsa, 1, len);
	der_free(&rsa);
	mpi_release_all(v, V_COUNT);
	return der;
}

/* PrivateKeyInfo DER of key, in secure memory. */
static unsigned char *
private_pkcs8_der(const struct rsa_key *key, size_t *len)
{
	asn1_node info;
	unsigned char *rsader, *der;
	size_t rsalen;

	rsader = rsa_private_der(key, &rsalen);
	info = der_new("PrivateKeyInfo");
	der_write_ulong(info, "version", 0);
	der_write_oid(info, "privateKeyAlgorithm.algorithm", OID_RSA);
	der_write_bytes(info, "privateKeyAlgorithm.parameters", keys_der_null,
	    sizeof(keys_der_null));
	der_write_bytes(info, "privateKey", rsader, rsalen);
	der_omit(info, "attributes");
	secure_free(rsader);
	der = der_encode(info, 1, len);
	der_free(&info);
	return der;
}

char *
key_private_pem(const struct rsa_key *key, const char *passphrase,
    size_t *len)
{
	unsigned char *der, *enc;
	size_t derlen, enclen;
	char *pem;

	der = private_pkcs8_der(key, &derlen);
	if (passphrase == NULL) {
		pem = pem_encode("PRIVATE KEY", der, derlen, 1, len);
		secure_free(der);
		return pem;
	}
	enc = pkcs8_encrypt(der, derlen, passphrase, &enclen);
	secure_free(der);
	/* Ciphertext, but callers free every private PEM the same way. */
	pem = pem_encode("ENCRYPTED PRIVATE KEY", enc, enclen, 1, len);
	free(enc);
	return pem;
}

char *
key_public_pem(const struct rsa_key *key, size_t *len)
{
	return pem_encode("PUBLIC KEY", key->spki, key->spki_len, 0, len);
}
