/* SPDX-License-Identifier: ISC */
/*
 * keys.c: RSA keys in the forms OpenSSL and OpenSSH write: SPKI, PKCS#1,
 * PKCS#8 (encrypted ones through pkcs8.c), ssh-rsa lines; generation;
 * fingerprints.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/der.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "core/io.h"
#include "keys/keys.h"
#include "keys/openssh_key.h"
#include "keys/pkcs8.h"

#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_RSA_PSS "1.2.840.113549.1.1.10"
#define OID_MAX 128
/* An exponent bigger than this is no RSA key anyone generates, and it
 * would make public operations slow. */
#define E_MAX_BITS 256

static const unsigned char der_null[] = { 0x05, 0x00 };

_Static_assert(KEY_REASON_LEN == PKCS8_REASON_LEN,
    "pkcs8_decrypt writes its reasons into key->reason");

/* A reason that names a number, in the key the caller owns (a parse
 * may be under way on another key at the same time). */
static const char *
key_reason(struct rsa_key *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
key_reason(struct rsa_key *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key->reason, sizeof(key->reason), fmt, ap);
	va_end(ap);
	return key->reason;
}

/* The size, parity and exponent checks every key takes. */
static int
check_public(struct rsa_key *key, gcry_mpi_t n, gcry_mpi_t e,
    const char **why)
{
	unsigned int nbits = gcry_mpi_get_nbits(n);

	if (nbits < KEY_MIN_BITS || nbits > KEY_MAX_BITS) {
		*why = key_reason(key, "modulus is %u bits; %d to %d "
		    "required", nbits, KEY_MIN_BITS, KEY_MAX_BITS);
		return RP_REFUSED;
	}
	if (!gcry_mpi_test_bit(n, 0)) {
		*why = "modulus is even";
		return RP_REFUSED;
	}
	if (gcry_mpi_get_nbits(e) > E_MAX_BITS) {
		*why = key_reason(key, "public exponent is %u bits; at most "
		    "%d accepted", gcry_mpi_get_nbits(e), E_MAX_BITS);
		return RP_REFUSED;
	}
	if (!gcry_mpi_test_bit(e, 0) || gcry_mpi_cmp_ui(e, 3) < 0) {
		*why = "bad public exponent (must be odd, at least 3)";
		return RP_REFUSED;
	}
	return 0;
}

/*
 * Check the public values, then fill key->pub, spki, nbits and id.
 */
static int
set_public(struct rsa_key *key, gcry_mpi_t n, gcry_mpi_t e, const char **why)
{
	asn1_node rsa, spki;
	unsigned char *rsader, hash[32];
	size_t rsalen;
	gcry_error_t err;
	int rc;

	if ((rc = check_public(key, n, e, why)) != 0)
		return rc;
	err = gcry_sexp_build(&key->pub, NULL,
	    "(public-key (rsa (n %m) (e %m)))", n, e);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "gcry_sexp_build");

	rsa = der_new("RSAPublicKey");
	der_write_mpi(rsa, "modulus", n);
	der_write_mpi(rsa, "publicExponent", e);
	rsader = der_encode(rsa, 0, &rsalen);
	der_free(&rsa);

	spki = der_new("SubjectPublicKeyInfo");
	der_write_oid(spki, "algorithm.algorithm", OID_RSA);
	der_write_bytes(spki, "algorithm.parameters", der_null,
	    sizeof(der_null));
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
check_algorithm(asn1_node node, const char *name, const char **why)
{
	char field[64], oid[OID_MAX];
	unsigned char params[8];
	size_t plen;

	snprintf(field, sizeof(field), "%s.algorithm", name);
	if (der_read_oid(node, field, oid, sizeof(oid), why) != 0)
		return RP_MALFORMED;
	if (strcmp(oid, OID_RSA_PSS) == 0) {
		*why = "RSA-PSS restricted keys are not supported";
		return RP_REFUSED;
	}
	if (strcmp(oid, OID_RSA) != 0) {
		*why = "not an RSA key";
		return RP_REFUSED;
	}
	/* RFC 8017: the parameters are NULL; tolerate them absent. */
	snprintf(field, sizeof(field), "%s.parameters", name);
	if (der_has(node, field) &&
	    (der_read_bytes(node, field, params, sizeof(params), &plen,
	    why) != 0 || plen != sizeof(der_null) ||
	    memcmp(params, der_null, plen) != 0)) {
		*why = "bad rsaEncryption parameters";
		return RP_MALFORMED;
	}
	return 0;
}

static int
parse_rsa_public_der(struct rsa_key *key, const unsigned char *der,
    size_t len, const char **why)
{
	asn1_node node;
	gcry_mpi_t n = NULL, e = NULL;
	int rc = -1;

	if ((rc = der_decode("RSAPublicKey", der, len, &node, why)) != 0)
		return rc;
	rc = RP_REFUSED;
	if (der_read_mpi(node, "modulus", 0, &n, why) == 0 &&
	    der_read_mpi(node, "publicExponent", 0, &e, why) == 0)
		rc = set_public(key, n, e, why);
	der_free(&node);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	return rc;
}

int
key_from_spki(struct rsa_key *key, const unsigned char *der, size_t len,
    const char **why)
{
	asn1_node node;
	unsigned char *bits = NULL;
	size_t nbits;
	int rc = -1;

	memset(key, 0, sizeof(*key));
	if ((rc = der_decode("SubjectPublicKeyInfo", der, len, &node,
	    why)) != 0)
		return rc;
	rc = RP_REFUSED;
	if (check_algorithm(node, "algorithm", why) != 0)
		goto out;
	if ((bits = malloc(len)) == NULL)
		die(EXIT_USAGE, "out of memory");
	/* libtasn1 gives a BIT STRING's length in bits. */
	if (der_read_bytes(node, "subjectPublicKey", bits, len, &nbits,
	    why) != 0)
		goto out;
	if (nbits % 8 != 0) {
		*why = "bad public key bit string";
		goto out;
	}
	rc = parse_rsa_public_der(key, bits, nbits / 8, why);
out:
	free(bits);
	der_free(&node);
	if (rc != 0)
		key_free(key);
	return rc;
}

static gcry_mpi_t
snew(void)
{
	return gcry_mpi_snew(0);
}

/* The values of a two-prime RSAPrivateKey, in the order of PKCS#1. */
enum { V_N, V_E, V_D, V_P, V_Q, V_DP, V_DQ, V_QINV, V_COUNT };
static const char *const value_names[V_COUNT] = { "modulus",
    "publicExponent", "privateExponent", "prime1", "prime2", "exponent1",
    "exponent2", "coefficient" };

/* Decode an RSAPrivateKey (version 0) into v[], the private values
 * secure.  Multi-prime keys (version 1) do not decode: refused. */
static int
read_private_values(const unsigned char *der, size_t len,
    gcry_mpi_t v[V_COUNT], const char **why)
{
	unsigned long version;
	asn1_node node;
	int rc, i;

	if ((rc = der_decode("RSAPrivateKey", der, len, &node, why)) != 0)
		return rc;
	rc = RP_REFUSED;
	if (der_read_ulong(node, "version", &version, why) != 0 ||
	    version != 0) {
		*why = "unsupported RSA private key version";
		goto out;
	}
	for (i = 0; i < V_COUNT; i++)
		if (der_read_mpi(node, value_names[i], i >= V_D, &v[i],
		    why) != 0)
			goto out;
	rc = 0;
out:
	der_free(&node);
	if (rc != 0)
		mpi_release_all(v, V_COUNT);
	return rc;
}

/* A CRT exponent: d mod (prime - 1), secure. */
static gcry_mpi_t
crt_exponent(gcry_mpi_t d, gcry_mpi_t prime)
{
	gcry_mpi_t t = snew(), p1 = snew();

	gcry_mpi_sub_ui(p1, prime, 1);
	gcry_mpi_mod(t, d, p1);
	gcry_mpi_release(p1);
	return t;
}

/* d mod (prime - 1) == want, as the file says it is. */
static int
crt_exponent_ok(gcry_mpi_t d, gcry_mpi_t prime, gcry_mpi_t want)
{
	gcry_mpi_t t = crt_exponent(d, prime);
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
	t = snew();
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
build_private(struct rsa_key *key, gcry_mpi_t v[V_COUNT], const char **why)
{
	gcry_mpi_t u = snew();
	gcry_error_t err;
	int rc = RP_REFUSED;

	if (gcry_mpi_cmp(v[V_P], v[V_Q]) > 0)
		gcry_mpi_swap(v[V_P], v[V_Q]);
	if (!gcry_mpi_invm(u, v[V_P], v[V_Q]))
		goto out;
	err = gcry_sexp_build(&key->priv, NULL,
	    "(private-key (rsa (n %m) (e %m) (d %m) (p %m) (q %m) (u %m)))",
	    v[V_N], v[V_E], v[V_D], v[V_P], v[V_Q], u);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "gcry_sexp_build");
	if (gcry_pk_testkey(key->priv) != 0) {
		*why = "inconsistent private key (failed the RSA key check)";
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
static int
parse_rsa_private_der(struct rsa_key *key, const unsigned char *der,
    size_t len, const char **why)
{
	gcry_mpi_t v[V_COUNT] = { NULL };
	int rc;

	if ((rc = read_private_values(der, len, v, why)) != 0)
		return rc;
	if ((rc = set_public(key, v[V_N], v[V_E], why)) == 0) {
		*why = "inconsistent private key (CRT values do not match)";
		rc = crt_consistent(v) ? build_private(key, v, why) :
		    RP_REFUSED;
	}
	mpi_release_all(v, V_COUNT);
	return rc;
}

/* PrivateKeyInfo (PKCS#8, unencrypted) holding an RSAPrivateKey. */
static int
parse_pkcs8_der(struct rsa_key *key, const unsigned char *der, size_t len,
    const char **why)
{
	asn1_node node;
	unsigned long version;
	unsigned char *inner;
	size_t innerlen;
	int rc = -1;

	if ((rc = der_decode("PrivateKeyInfo", der, len, &node, why)) != 0)
		return rc;
	rc = RP_REFUSED;
	inner = secure_alloc(len);
	if (der_read_ulong(node, "version", &version, why) != 0 ||
	    version > 1) {
		*why = "unsupported PKCS#8 version";
		goto out;
	}
	if (check_algorithm(node, "privateKeyAlgorithm", why) != 0)
		goto out;
	if (der_read_bytes(node, "privateKey", inner, len, &innerlen,
	    why) != 0)
		goto out;
	rc = parse_rsa_private_der(key, inner, innerlen, why);
out:
	secure_free(inner);
	der_free(&node);
	return rc;
}

/* The passphrase of an encrypted key, asked for by the key's name; NULL
 * with *why set when nothing can supply one. */
static char *
key_passphrase(const struct passphrase_source *src, const char **why)
{
	char prompt[PATH_MAX + 64];

	if (src == NULL) {
		*why = "the key is encrypted and no passphrase source was given";
		return NULL;
	}
	if (src->key_name != NULL)
		snprintf(prompt, sizeof(prompt), "Enter passphrase for key "
		    "'%s': ", src->key_name);
	else
		snprintf(prompt, sizeof(prompt), "Enter passphrase for the "
		    "private key: ");
	return passphrase_get(src, prompt, 0);
}

static int
parse_encrypted_pkcs8_der(struct rsa_key *key, const unsigned char *der,
    size_t len, const struct passphrase_source *src, const char **why)
{
	unsigned char *plain;
	size_t plainlen;
	char *pass;
	int rc;

	if ((pass = key_passphrase(src, why)) == NULL)
		return RP_REFUSED;
	rc = pkcs8_decrypt(der, len, pass, &plain, &plainlen, key->reason,
	    why);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = parse_pkcs8_der(key, plain, plainlen, why);
	secure_free(plain);
	/* A wrong passphrase that happens to give valid padding lands
	 * here as undecodable DER; it must read the same as any other
	 * wrong passphrase. */
	if (rc == RP_MALFORMED) {
		*why = "wrong passphrase or corrupt key";
		rc = RP_PASSPHRASE;
	}
	return rc;
}

/* OpenSSH's own format, as ssh-keygen writes it (PROTOCOL.key): the
 * key comes out as PKCS#1 DER and takes the same checks as any other. */
static int
parse_openssh_der(struct rsa_key *key, const unsigned char *blob,
    size_t len, const struct passphrase_source *src, const char **why)
{
	struct openssh_key_info info;
	unsigned char *der;
	size_t derlen;
	char *pass = NULL;
	int rc;

	if ((rc = openssh_key_info(blob, len, &info, why)) != 0)
		return rc;
	if (info.encrypted && (pass = key_passphrase(src, why)) == NULL)
		return RP_REFUSED;
	rc = openssh_key_to_pkcs1(blob, len, pass != NULL ? pass : "",
	    pass != NULL ? strlen(pass) : 0, &der, &derlen, why);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = parse_rsa_private_der(key, der, derlen, why);
	secure_free(der);
	return rc;
}

/* Reasons for PEM labels we know but do not take as a private key. */
static const char *
refuse_label(const char *label, int want_private)
{
	static const char *const other[] = { "EC PRIVATE KEY",
	    "DSA PRIVATE KEY", "EC PARAMETERS", "DSA PARAMETERS",
	    "DH PARAMETERS", "X9.42 DH PARAMETERS", NULL };
	int i;

	for (i = 0; other[i] != NULL; i++)
		if (strcmp(label, other[i]) == 0)
			return "not an RSA key";
	if (want_private && (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0))
		return "this is a public key; a private key is needed";
	if (strcmp(label, "CERTIFICATE") == 0)
		return "certificates are not supported; "
		    "extract the key with openssl x509 -pubkey";
	return "unexpected PEM label";
}

static int
parse_private_pem(struct rsa_key *key, const unsigned char *buf, size_t len,
    const char *label, const struct passphrase_source *pass, const char **why)
{
	unsigned char *der;
	size_t derlen;
	int rc;

	if (strcmp(label, "PRIVATE KEY") != 0 &&
	    strcmp(label, "RSA PRIVATE KEY") != 0 &&
	    strcmp(label, "ENCRYPTED PRIVATE KEY") != 0 &&
	    strcmp(label, OPENSSH_KEY_LABEL) != 0) {
		*why = refuse_label(label, 1);
		return RP_REFUSED;
	}
	if ((rc = pem_decode(buf, len, label, &der, &derlen, why)) != 0)
		return rc;
	if (strcmp(label, "PRIVATE KEY") == 0)
		rc = parse_pkcs8_der(key, der, derlen, why);
	else if (strcmp(label, "RSA PRIVATE KEY") == 0)
		rc = parse_rsa_private_der(key, der, derlen, why);
	else if (strcmp(label, OPENSSH_KEY_LABEL) == 0)
		rc = parse_openssh_der(key, der, derlen, pass, why);
	else
		rc = parse_encrypted_pkcs8_der(key, der, derlen, pass, why);
	secure_free(der);
	return rc;
}

int
key_looks_like_ssh(const unsigned char *buf, size_t len)
{
	static const char *const prefixes[] = { "ssh-", "ecdsa-sha2-",
	    "sk-", NULL };
	size_t i = 0, k, n;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	for (k = 0; prefixes[k] != NULL; k++) {
		n = strlen(prefixes[k]);
		if (len - i >= n && memcmp(buf + i, prefixes[k], n) == 0)
			return 1;
	}
	return 0;
}

int
key_parse_private(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, const char **why)
{
	char label[PEM_LABEL_MAX + 1];
	int rc;

	memset(key, 0, sizeof(*key));
	*why = NULL;
	if (key_looks_like_ssh(buf, len)) {
		*why = "this is an OpenSSH public key; a private key is needed";
		return RP_REFUSED;
	}
	if ((rc = pem_label(buf, len, label, why)) != 0 ||
	    (rc = parse_private_pem(key, buf, len, label, pass, why)) != 0)
		key_free(key);
	return rc;
}

/*
 * "ssh-rsa BASE64 [comment]" on one line (RFC 4253 section 6.6 blob:
 * string "ssh-rsa", mpint e, mpint n, nothing after).
 */
static int
parse_ssh_public(struct rsa_key *key, const unsigned char *buf, size_t len,
    const char **why)
{
	const unsigned char *p = buf, *end = buf + len, *b64, *s, *nl;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl != NULL) {
		/* One key, one line: only blank space may follow. */
		for (s = nl; s < end; s++)
			if (*s != '\n' && *s != '\r' && *s != ' ' &&
			    *s != '\t') {
				*why = "trailing data after the ssh key line";
				return RP_MALFORMED;
			}
		end = nl;
	}
	if (len >= 7 && (size_t)(end - p) >= 8 &&
	    memcmp(p, "ssh-rsa", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
		p += 8;
	} else {
		*why = "not an RSA key";
		return RP_REFUSED;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	b64 = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	return key_from_ssh_base64(key, b64, (size_t)(p - b64), why);
}

int
key_from_ssh_base64(struct rsa_key *key, const unsigned char *b64,
    size_t len, const char **why)
{
	unsigned char *blob;
	size_t bloblen;
	int rc;

	if (base64_decode((const char *)b64, len, &blob, &bloblen, why) != 0)
		return RP_MALFORMED;
	rc = key_from_ssh_blob(key, blob, bloblen, why);
	secure_free(blob);
	return rc;
}

int
key_from_ssh_blob(struct rsa_key *key, const unsigned char *blob,
    size_t len, const char **why)
{
	const unsigned char *s;
	size_t n;
	struct reader r;
	gcry_mpi_t e = NULL, mod = NULL;
	int rc = RP_MALFORMED;

	rd_init(&r, blob, len);
	*why = "malformed ssh-rsa key";
	if (rd_vec(&r, 4, 0, SIZE_MAX, &s, &n) != 0 || n != 7 ||
	    memcmp(s, "ssh-rsa", 7) != 0)
		goto out;
	if (rd_mpint(&r, SIZE_MAX, 1, &e) != 0 ||
	    rd_mpint(&r, SIZE_MAX, 1, &mod) != 0)
		goto out;
	if (rd_end(&r) != 0) {
		*why = "trailing data in the ssh-rsa key";
		goto out;
	}
	rc = set_public(key, mod, e, why);
out:
	gcry_mpi_release(e);
	gcry_mpi_release(mod);
	return rc;
}

/* The public half of an OpenSSH private key is stored in the clear:
 * no passphrase, no private parse. */
static int
parse_openssh_public(struct rsa_key *key, const unsigned char *buf,
    size_t len, const char **why)
{
	struct openssh_key_info info;
	unsigned char *blob;
	size_t bloblen;
	int rc;

	if ((rc = pem_decode(buf, len, OPENSSH_KEY_LABEL, &blob, &bloblen,
	    why)) != 0)
		return rc;
	if ((rc = openssh_key_info(blob, bloblen, &info, why)) == 0)
		rc = key_from_ssh_blob(key, info.pub, info.pub_len, why);
	secure_free(blob);
	return rc;
}

int
key_parse_public(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, const char **why)
{
	char label[PEM_LABEL_MAX + 1];
	unsigned char *der;
	size_t derlen;
	int rc;

	memset(key, 0, sizeof(*key));
	*why = NULL;
	if (key_looks_like_ssh(buf, len)) {
		rc = parse_ssh_public(key, buf, len, why);
		goto out;
	}
	if ((rc = pem_label(buf, len, label, why)) != 0)
		return rc;
	if (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0) {
		if ((rc = pem_decode(buf, len, label, &der, &derlen, why)) != 0)
			return rc;
		if (strcmp(label, "PUBLIC KEY") == 0)
			rc = key_from_spki(key, der, derlen, why);
		else
			rc = parse_rsa_public_der(key, der, derlen, why);
		secure_free(der);
		goto out;
	}
	if (strcmp(label, OPENSSH_KEY_LABEL) == 0) {
		rc = parse_openssh_public(key, buf, len, why);
		goto out;
	}
	rc = parse_private_pem(key, buf, len, label, pass, why);
	if (rc == 0) {
		/* Only the public half is wanted: drop the secret now. */
		gcry_sexp_release(key->priv);
		key->priv = NULL;
	}
out:
	if (rc != 0)
		key_free(key);
	return rc;
}

/* Parse one key, dying with name on failure; a prompt for the
 * passphrase names the key it is for. */
static void
parse_named(struct rsa_key *key, const unsigned char *buf, size_t len,
    const char *name, const struct passphrase_source *pass, int private)
{
	struct passphrase_source named;
	const char *why = NULL;
	int rc;

	if (pass != NULL) {
		named = *pass;
		named.key_name = name;
		pass = &named;
	}
	rc = private ? key_parse_private(key, buf, len, pass, &why) :
	    key_parse_public(key, buf, len, pass, &why);
	if (rc != 0)
		die(EXIT_USAGE, "%s: %s", name, why != NULL ? why : "bad key");
}

static const char *
file_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "stdin" : path;
}

static void
load(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass, int private)
{
	unsigned char *buf;
	size_t len;

	buf = io_read_file(path, KEY_FILE_MAX, &len);
	parse_named(key, buf, len, file_name(path), pass, private);
	secure_free(buf);
}

size_t
key_parse_private_all(struct rsa_key *keys, size_t max,
    const unsigned char *buf, size_t len, const char *path,
    const struct passphrase_source *pass)
{
	char name[PATH_MAX + 32];
	size_t pos = 0, start, blen, total = 0, n = 0;

	while (pem_next_block(buf, len, &pos, &start, &blen))
		total++;
	if (total > max || max == 0)
		die(EXIT_USAGE, "%s: too many keys (room for %zu more "
		    "identities)", file_name(path), max);
	if (total == 0) {
		/* Not PEM at all: the single-key parse says why. */
		parse_named(keys, buf, len, file_name(path), pass, 1);
		return 1;
	}
	for (pos = 0; pem_next_block(buf, len, &pos, &start, &blen); n++) {
		snprintf(name, sizeof(name), total > 1 ? "%s (key %zu)" : "%s",
		    file_name(path), n + 1);
		parse_named(&keys[n], buf + start, blen, name, pass, 1);
	}
	return n;
}

size_t
key_load_private_all(struct rsa_key *keys, size_t max, const char *path,
    const struct passphrase_source *pass)
{
	unsigned char *buf;
	size_t len, n;

	buf = io_read_file(path, KEY_FILE_MAX, &len);
	n = key_parse_private_all(keys, max, buf, len, path, pass);
	secure_free(buf);
	return n;
}

void
key_load_public(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass)
{
	load(key, path, pass, 0);
}

void
key_load_private(struct rsa_key *key, const char *path,
    const struct passphrase_source *pass)
{
	load(key, path, pass, 1);
}

void
key_generate(struct rsa_key *key, unsigned int nbits)
{
	gcry_sexp_t params, pair, priv;
	gcry_mpi_t n = NULL, e = NULL, d = NULL, p = NULL, q = NULL, u = NULL;
	gcry_error_t err;
	const char *why;

	memset(key, 0, sizeof(*key));
	if (nbits < KEY_MIN_BITS || nbits > KEY_MAX_BITS)
		die(EXIT_USAGE, "key size %u out of range %d..%d", nbits,
		    KEY_MIN_BITS, KEY_MAX_BITS);
	err = gcry_sexp_build(&params, NULL,
	    "(genkey (rsa (nbits %u) (rsa-use-e %u)))", nbits, 65537U);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "gcry_sexp_build");
	err = gcry_pk_genkey(&pair, params);
	gcry_sexp_release(params);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "RSA key generation");
	priv = gcry_sexp_find_token(pair, "private-key", 0);
	gcry_sexp_release(pair);
	if (priv == NULL)
		die(EXIT_USAGE, "RSA key generation: no private key");
	/* Rebuild so every key we hold has the same form. */
	err = gcry_sexp_extract_param(priv, NULL, "nedpqu", &n, &e, &d, &p,
	    &q, &u, NULL);
	gcry_sexp_release(priv);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "RSA key generation");
	gcry_mpi_set_flag(d, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(p, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(q, GCRYMPI_FLAG_SECURE);
	gcry_mpi_set_flag(u, GCRYMPI_FLAG_SECURE);
	if (gcry_mpi_cmp(p, q) > 0) {
		gcry_mpi_swap(p, q);
		if (!gcry_mpi_invm(u, p, q))
			die(EXIT_USAGE, "RSA key generation: bad primes");
	}
	err = gcry_sexp_build(&key->priv, NULL,
	    "(private-key (rsa (n %m) (e %m) (d %m) (p %m) (q %m) (u %m)))",
	    n, e, d, p, q, u);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "gcry_sexp_build");
	if (set_public(key, n, e, &why) != 0)
		die(EXIT_USAGE, "RSA key generation: %s", why);
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
		die(EXIT_USAGE, "no private key to write");
	err = gcry_sexp_extract_param(key->priv, NULL, "nedpqu", &v[V_N],
	    &v[V_E], &v[V_D], &v[V_P], &v[V_Q], &u, NULL);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "private key");
	gcry_mpi_release(u);
	v[V_DP] = crt_exponent(v[V_D], v[V_P]);
	v[V_DQ] = crt_exponent(v[V_D], v[V_Q]);
	v[V_QINV] = snew();
	if (!gcry_mpi_invm(v[V_QINV], v[V_Q], v[V_P]))
		die(EXIT_USAGE, "private key: bad primes");
	rsa = der_new("RSAPrivateKey");
	der_write_ulong(rsa, "version", 0);
	for (i = 0; i < V_COUNT; i++)
		der_write_mpi(rsa, value_names[i], v[i]);
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
	der_write_bytes(info, "privateKeyAlgorithm.parameters", der_null,
	    sizeof(der_null));
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

/*
 * OpenSSH hashes the RFC 4253 public key blob (string "ssh-rsa", mpint e,
 * mpint n), not the SPKI DER, so that is what we hash: the point of the
 * fingerprint is that people compare it with what ssh-keygen -l prints.
 */
void
key_ssh_blob_sha256(const struct rsa_key *key,
    unsigned char hash[KEY_SSH_HASH_LEN])
{
	static const unsigned char type[] = { 0, 0, 0, 7,
	    's', 's', 'h', '-', 'r', 's', 'a' };
	unsigned char *blob;
	size_t elen, nlen, len;
	gcry_mpi_t n = NULL, e = NULL;
	gcry_error_t err;

	err = gcry_sexp_extract_param(key->pub, NULL, "ne", &n, &e, NULL);
	if (err == 0)
		err = gcry_mpi_print(GCRYMPI_FMT_SSH, NULL, 0, &elen, e);
	if (err == 0)
		err = gcry_mpi_print(GCRYMPI_FMT_SSH, NULL, 0, &nlen, n);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "fingerprint");
	len = sizeof(type) + elen + nlen;
	if ((blob = malloc(len)) == NULL)
		die(EXIT_USAGE, "out of memory");
	memcpy(blob, type, sizeof(type));
	err = gcry_mpi_print(GCRYMPI_FMT_SSH, blob + sizeof(type), elen,
	    NULL, e);
	if (err == 0)
		err = gcry_mpi_print(GCRYMPI_FMT_SSH, blob + sizeof(type) + elen,
		    nlen, NULL, n);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "fingerprint");
	gcry_md_hash_buffer(GCRY_MD_SHA256, hash, blob, len);
	free(blob);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
}

void
key_fingerprint(const struct rsa_key *key, char out[KEY_FINGERPRINT_LEN])
{
	unsigned char hash[KEY_SSH_HASH_LEN];

	key_ssh_blob_sha256(key, hash);
	memcpy(out, "SHA256:", 7);
	base64_encode_unpadded(hash, sizeof(hash), out + 7);
}

void
key_free(struct rsa_key *key)
{
	char reason[KEY_REASON_LEN];

	gcry_sexp_release(key->pub);
	gcry_sexp_release(key->priv);
	free(key->spki);
	memcpy(reason, key->reason, sizeof(reason));
	memset(key, 0, sizeof(*key));
	memcpy(key->reason, reason, sizeof(reason));
}
