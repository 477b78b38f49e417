/* SPDX-License-Identifier: ISC */
/*
 * keys.c: RSA keys from DER: SubjectPublicKeyInfo, PKCS#1 RSAPublicKey
 * and RSAPrivateKey (every CRT value checked), PKCS#8 PrivateKeyInfo;
 * the checks every key takes.  PEM and its labels are key_pem.c, ssh
 * forms key_ssh.c, files key_file.c, writing key_write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/der.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/keys.h"
#include "keys/keys_der.h"
#include "keys/pkcs8.h"

const unsigned char keys_der_null[2] = { 0x05, 0x00 };

/* The size, parity and exponent checks every key takes. */
static int
check_public(gcry_mpi_t n, gcry_mpi_t e, struct rp_error *err)
{
	unsigned int nbits = gcry_mpi_get_nbits(n);

	if (nbits < KEY_MIN_BITS || nbits > KEY_MAX_BITS)
		return rp_fail(err, RP_REFUSED, "modulus is %u bits; %d to %d "
		    "required", nbits, KEY_MIN_BITS, KEY_MAX_BITS);
	if (!gcry_mpi_test_bit(n, 0))
		return rp_fail(err, RP_REFUSED, "modulus is even");
	if (gcry_mpi_get_nbits(e) > E_MAX_BITS)
		return rp_fail(err, RP_REFUSED, "public exponent is %u bits; "
		    "at most %d accepted", gcry_mpi_get_nbits(e), E_MAX_BITS);
	if (!gcry_mpi_test_bit(e, 0) || gcry_mpi_cmp_ui(e, 3) < 0)
		return rp_fail(err, RP_REFUSED,
		    "bad public exponent (must be odd, at least 3)");
	return 0;
}

/*
 * Check the public values, then fill key->pub, spki, nbits and id.
 */
int
keys_set_public(struct rsa_key *key, gcry_mpi_t n, gcry_mpi_t e,
    struct rp_error *err)
{
	asn1_node rsa, spki;
	unsigned char *rsader, hash[32];
	size_t rsalen;
	gcry_error_t ge;
	int rc;

	if ((rc = check_public(n, e, err)) != 0)
		return rc;
	ge = gcry_sexp_build(&key->pub, NULL,
	    "(public-key (rsa (n %m) (e %m)))", n, e);
	if (ge != 0)
		rp_fatal("gcry_sexp_build: %s", gcry_strerror(ge));

	rsa = der_new("RSAPublicKey");
	der_write_mpi(rsa, "modulus", n);
	der_write_mpi(rsa, "publicExponent", e);
	rsader = der_encode(rsa, 0, &rsalen);
	der_free(&rsa);

	spki = der_new("SubjectPublicKeyInfo");
	der_write_oid(spki, "algorithm.algorithm", OID_RSA);
	der_write_bytes(spki, "algorithm.parameters", keys_der_null,
	    sizeof(keys_der_null));
	der_write_bytes(spki, "subjectPublicKey", rsader, rsalen * 8);
	free(rsader);
	key->spki = der_encode(spki, 0, &key->spki_len);
	der_free(&spki);

	key->nbits = gcry_mpi_get_nbits(n);
	gcry_md_hash_buffer(GCRY_MD_SHA256, hash, key->spki, key->spki_len);
	memcpy(key->id, hash, KEY_ID_LEN);
	return 0;
}

/* The rsaEncryption AlgorithmIdentifier, or a reason to refuse it. */
static int
check_algorithm(asn1_node node, const char *name, struct rp_error *err)
{
	char field[64], oid[OID_MAX];
	unsigned char params[8];
	size_t plen;

	snprintf(field, sizeof(field), "%s.algorithm", name);
	if (der_read_oid(node, field, oid, sizeof(oid), err) != 0)
		return rp_recode(err, RP_MALFORMED);
	if (strcmp(oid, OID_RSA_PSS) == 0)
		return rp_fail(err, RP_REFUSED,
		    "RSA-PSS restricted keys are not supported");
	if (strcmp(oid, OID_RSA) != 0)
		return rp_fail(err, RP_REFUSED, "not an RSA key");
	/* RFC 8017: the parameters are NULL; tolerate them absent. */
	snprintf(field, sizeof(field), "%s.parameters", name);
	if (der_has(node, field) &&
	    (der_read_bytes(node, field, params, sizeof(params), &plen,
	    err) != 0 || plen != sizeof(keys_der_null) ||
	    memcmp(params, keys_der_null, plen) != 0))
		return rp_fail(err, RP_MALFORMED,
		    "bad rsaEncryption parameters");
	return 0;
}

int
keys_parse_rsa_public(struct rsa_key *key, const unsigned char *der,
    size_t len, struct rp_error *err)
{
	asn1_node node;
	gcry_mpi_t n = NULL, e = NULL;
	int rc = -1;

	if ((rc = der_decode("RSAPublicKey", der, len, &node, err)) != 0)
		return rc;
	if (der_read_mpi(node, "modulus", 0, &n, err) == 0 &&
	    der_read_mpi(node, "publicExponent", 0, &e, err) == 0)
		rc = keys_set_public(key, n, e, err);
	else
		rc = RP_REFUSED;
	der_free(&node);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	return rc;
}

int
key_from_spki(struct rsa_key *key, const unsigned char *der, size_t len,
    struct rp_error *err)
{
	asn1_node node;
	unsigned char *bits = NULL;
	size_t nbits;
	int rc = -1;

	memset(key, 0, sizeof(*key));
	if ((rc = der_decode("SubjectPublicKeyInfo", der, len, &node,
	    err)) != 0)
		return rc;
	rc = RP_REFUSED;
	bits = rp_alloc(len);
	/* libtasn1 gives a BIT STRING's length in bits. */
	if (check_algorithm(node, "algorithm", err) != 0 ||
	    der_read_bytes(node, "subjectPublicKey", bits, len, &nbits,
	    err) != 0)
		rc = rp_recode(err, RP_REFUSED);
	else if (nbits % 8 != 0)
		rc = rp_fail(err, RP_REFUSED, "bad public key bit string");
	else
		rc = keys_parse_rsa_public(key, bits, nbits / 8, err);

	free(bits);
	der_free(&node);
	if (rc != 0)
		key_free(key);
	return rc;
}

gcry_mpi_t
keys_snew(void)
{
	return gcry_mpi_snew(0);
}

const char *const keys_value_names[V_COUNT] = { "modulus",
    "publicExponent", "privateExponent", "prime1", "prime2", "exponent1",
    "exponent2", "coefficient" };

/* Decode an RSAPrivateKey (version 0) into v[], the private values
 * secure.  Multi-prime keys (version 1) do not decode: refused. */
static int
read_private_values(const unsigned char *der, size_t len,
    gcry_mpi_t v[V_COUNT], struct rp_error *err)
{
	unsigned long version;
	asn1_node node;
	int rc, i;

	if ((rc = der_decode("RSAPrivateKey", der, len, &node, err)) != 0)
		return rc;
	rc = RP_REFUSED;
	if (der_read_ulong(node, "version", &version, err) != 0 ||
	    version != 0) {
		rp_fail(err, rc, "unsupported RSA private key version");
		goto out;
	}
	for (i = 0; i < V_COUNT; i++)
		if (der_read_mpi(node, keys_value_names[i], i >= V_D, &v[i],
		    err) != 0)
			goto out;
	rc = 0;
out:
	der_free(&node);
	if (rc != 0)
		mpi_release_all(v, V_COUNT);
	return rc;
}

/* A CRT exponent: d mod (prime - 1), secure. */
gcry_mpi_t
keys_crt_exponent(gcry_mpi_t d, gcry_mpi_t prime)
{
	gcry_mpi_t t = keys_snew(), p1 = keys_snew();

	gcry_mpi_sub_ui(p1, prime, 1);
	gcry_mpi_mod(t, d, p1);
	gcry_mpi_release(p1);
	return t;
}

/* d mod (prime - 1) == want, as the file says it is. */
static int
crt_exponent_ok(gcry_mpi_t d, gcry_mpi_t prime, gcry_mpi_t want)
{
	gcry_mpi_t t = keys_crt_exponent(d, prime);
	int ok;

	ok = gcry_mpi_cmp(t, want) == 0;
	gcry_mpi_release(t);
	return ok;
}

/* Every CRT value in the file against the others: n = pq, 0 < d < n,
 * dp, dq and qinv = q^-1 mod p. */
static int
crt_consistent(gcry_mpi_t v[V_COUNT])
{
	gcry_mpi_t t;
	int ok;

	if (gcry_mpi_cmp_ui(v[V_P], 1) <= 0 ||
	    gcry_mpi_cmp_ui(v[V_Q], 1) <= 0 ||
	    gcry_mpi_cmp_ui(v[V_D], 0) <= 0 ||
	    gcry_mpi_cmp(v[V_D], v[V_N]) >= 0)
		return 0;
	t = keys_snew();
	gcry_mpi_mul(t, v[V_P], v[V_Q]);
	ok = gcry_mpi_cmp(t, v[V_N]) == 0 &&
	    crt_exponent_ok(v[V_D], v[V_P], v[V_DP]) &&
	    crt_exponent_ok(v[V_D], v[V_Q], v[V_DQ]) &&
	    gcry_mpi_invm(t, v[V_Q], v[V_P]) &&
	    gcry_mpi_cmp(t, v[V_QINV]) == 0;
	gcry_mpi_release(t);
	return ok;
}

/* key->priv from consistent values: libgcrypt wants p < q and u = p^-1
 * mod q (OpenSSL's order is the other way round), so swap when needed,
 * and recompute u.  Then libgcrypt's own check, which catches what
 * crt_consistent() does not: e*d = 1 mod lcm. */
static int
build_private(struct rsa_key *key, gcry_mpi_t v[V_COUNT],
    struct rp_error *err)
{
	gcry_mpi_t u = keys_snew();
	gcry_error_t ge;
	int rc = RP_REFUSED;

	if (gcry_mpi_cmp(v[V_P], v[V_Q]) > 0)
		gcry_mpi_swap(v[V_P], v[V_Q]);
	if (!gcry_mpi_invm(u, v[V_P], v[V_Q])) {
		rp_fail(err, rc, "inconsistent private key (CRT values do not "
		    "match)");
		goto out;
	}
	ge = gcry_sexp_build(&key->priv, NULL,
	    "(private-key (rsa (n %m) (e %m) (d %m) (p %m) (q %m) (u %m)))",
	    v[V_N], v[V_E], v[V_D], v[V_P], v[V_Q], u);
	if (ge != 0)
		rp_fatal("gcry_sexp_build: %s", gcry_strerror(ge));
	if (gcry_pk_testkey(key->priv) != 0) {
		rp_fail(err, rc, "inconsistent private key (failed the RSA key "
		    "check)");
		goto out;
	}
	rc = 0;
out:
	gcry_mpi_release(u);
	return rc;
}

/*
 * A two-prime RSAPrivateKey (PKCS#1).  Every CRT value in the file is
 * checked against the others; u is recomputed in libgcrypt's order.
 */
int
keys_parse_rsa_private(struct rsa_key *key, const unsigned char *der,
    size_t len, struct rp_error *err)
{
	gcry_mpi_t v[V_COUNT] = { NULL };
	int rc;

	if ((rc = read_private_values(der, len, v, err)) != 0)
		return rc;
	if ((rc = keys_set_public(key, v[V_N], v[V_E], err)) == 0)
		rc = crt_consistent(v) ? build_private(key, v, err) :
		    rp_fail(err, RP_REFUSED, "inconsistent private key (CRT "
		    "values do not match)");
	mpi_release_all(v, V_COUNT);
	return rc;
}

/* PrivateKeyInfo (PKCS#8, unencrypted) holding an RSAPrivateKey. */
int
keys_parse_pkcs8(struct rsa_key *key, const unsigned char *der, size_t len,
    struct rp_error *err)
{
	asn1_node node;
	unsigned long version;
	unsigned char *inner;
	size_t innerlen;
	int rc = -1;

	if ((rc = der_decode("PrivateKeyInfo", der, len, &node, err)) != 0)
		return rc;
	rc = RP_REFUSED;
	inner = secure_alloc(len);
	if (der_read_ulong(node, "version", &version, err) != 0 ||
	    version > 1) {
		rc = rp_fail(err, RP_REFUSED, "unsupported PKCS#8 version");
		goto out;
	}
	if (check_algorithm(node, "privateKeyAlgorithm", err) != 0 ||
	    der_read_bytes(node, "privateKey", inner, len, &innerlen,
	    err) != 0) {
		rc = rp_recode(err, RP_REFUSED);
		goto out;
	}
	rc = keys_parse_rsa_private(key, inner, innerlen, err);
out:
	secure_free(inner);
	der_free(&node);
	return rc;
}

void
key_free(struct rsa_key *key)
{
	gcry_sexp_release(key->pub);
	gcry_sexp_release(key->priv);
	free(key->spki);
	memset(key, 0, sizeof(*key));
}
