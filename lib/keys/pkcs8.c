/* SPDX-License-Identifier: ISC */
/* pkcs8.c: PBES2 encrypted PKCS#8 (RFC 5208, RFC 8018, RFC 7914). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/der.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/pkcs8.h"

#define OID_PBES2 "1.2.840.113549.1.5.13"
#define OID_PBKDF2 "1.2.840.113549.1.5.12"
#define OID_SCRYPT "1.3.6.1.4.1.11591.4.11"
#define OID_HMAC_SHA1 "1.2.840.113549.2.7"
#define OID_AES256_CBC "2.16.840.1.101.3.4.1.42"
#define OID_MAX 128
/* Said after a refused scheme or cipher: writes a new file, in a form
 * pkcs8_decrypt() reads, and leaves the key the user has alone. */
#define COPY_HINT "; make an AES copy with openssl pkcs8 -topk8 -v2 " \
	"aes-256-cbc -in KEY -out NEW"
#define PARAMS_MAX 512
#define SALT_MAX 64
#define KEY_LEN 32   /* what we write: AES-256 */
#define KEY_MAX 32
#define BLOCK 16

static const char wrong_pass[] = "wrong passphrase or corrupt key";

/* The PBKDF2 PRFs of RFC 8018 appendix B.1 that OpenSSL writes
 * (-v2prf); hmacWithSHA1 is the default when the field is absent. */
static const struct { const char *oid; int md; } prfs[] = {
	{ OID_HMAC_SHA1, GCRY_MD_SHA1 },
	{ "1.2.840.113549.2.8", GCRY_MD_SHA224 },
	{ "1.2.840.113549.2.9", GCRY_MD_SHA256 },
	{ "1.2.840.113549.2.10", GCRY_MD_SHA384 },
	{ "1.2.840.113549.2.11", GCRY_MD_SHA512 },
};

/* The PBES2 ciphers (RFC 8018 appendix B.2.5, NIST's AES-CBC OIDs):
 * openssl pkcs8 -v2 aes-128-cbc / aes-192-cbc / aes-256-cbc, openssl
 * genpkey -aes128 ..., and ssh-keygen -m PKCS8 (AES-128-CBC). */
static const struct { const char *oid; int algo; size_t key_len; }
    ciphers[] = {
	{ "2.16.840.1.101.3.4.1.2", GCRY_CIPHER_AES128, 16 },
	{ "2.16.840.1.101.3.4.1.22", GCRY_CIPHER_AES192, 24 },
	{ OID_AES256_CBC, GCRY_CIPHER_AES256, 32 },
};

struct kdf {
	int scrypt;
	int md;              /* PBKDF2 PRF hash */
	unsigned char salt[SALT_MAX];
	size_t saltlen;
	unsigned long iter;  /* PBKDF2 iterations, or scrypt N */
	unsigned long p;     /* scrypt parallelization */
	unsigned long keylen;  /* the optional keyLength, 0 when absent */
	int algo;            /* the AES-CBC cipher */
	size_t key_len;      /* its key length */
};

static int
read_kdf_length(asn1_node node, struct kdf *kdf, struct rp_error *err)
{
	if (!der_has(node, "keyLength"))
		return 0;
	if (der_read_ulong(node, "keyLength", &kdf->keylen, err) != 0 ||
	    kdf->keylen == 0)
		return rp_fail(err, RP_MALFORMED,
		    "bad key length in encrypted key");
	return 0;
}

static int
read_salt(asn1_node node, struct kdf *kdf, struct rp_error *err)
{
	if (der_read_bytes(node, "salt", kdf->salt, sizeof(kdf->salt),
	    &kdf->saltlen, err) != 0 || kdf->saltlen == 0)
		return rp_fail(err, RP_MALFORMED,
		    "bad salt in encrypted key");
	return 0;
}

/* The PRF: absent means hmacWithSHA1 (RFC 8018), else one of prfs[]
 * with NULL or absent parameters. */
static int
read_prf(asn1_node node, struct kdf *kdf, struct rp_error *err)
{
	char oid[OID_MAX];
	unsigned char params[8];
	size_t plen, i;

	kdf->md = GCRY_MD_SHA1;
	if (!der_has(node, "prf"))
		return 0;
	if (der_read_oid(node, "prf.algorithm", oid, sizeof(oid), err) != 0)
		return rp_recode(err, RP_MALFORMED);
	for (i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++)
		if (strcmp(oid, prfs[i].oid) == 0)
			break;
	if (i == sizeof(prfs) / sizeof(prfs[0]))
		return rp_fail(err, RP_REFUSED,
		    "unsupported PBKDF2 PRF (hmacWithSHA1, SHA224, SHA256, "
		    "SHA384 or SHA512 are read)");
	kdf->md = prfs[i].md;
	if (der_has(node, "prf.parameters") &&
	    (der_read_bytes(node, "prf.parameters", params, sizeof(params),
	    &plen, err) != 0 || plen != 2 || params[0] != 5 ||
	    params[1] != 0))
		return rp_fail(err, RP_MALFORMED,
		    "bad PBKDF2 PRF parameters");
	return 0;
}

static int
parse_pbkdf2(const unsigned char *der, size_t len, struct kdf *kdf,
    struct rp_error *err)
{
	asn1_node node;
	int rc;

	if ((rc = der_decode("PBKDF2-params", der, len, &node, err)) != 0)
		return rc;
	if ((rc = read_salt(node, kdf, err)) != 0 ||
	    (rc = der_read_ulong(node, "iterationCount", &kdf->iter,
	    err)) != 0 || (rc = read_kdf_length(node, kdf, err)) != 0 ||
	    (rc = read_prf(node, kdf, err)) != 0)
		goto out;
	if (kdf->iter == 0 || kdf->iter > PKCS8_PBKDF2_MAX_ITER) {
		rc = rp_fail(err, RP_REFUSED, "PBKDF2 iteration count %lu "
		    "out of range 1..%lu", kdf->iter, PKCS8_PBKDF2_MAX_ITER);
	}
out:
	der_free(&node);
	return rc;
}

/* N a power of two, and N, p and N*p under the caps. */
static int
check_scrypt_cost(const struct kdf *kdf, struct rp_error *err)
{
	if (kdf->iter < 2 || (kdf->iter & (kdf->iter - 1)) != 0 ||
	    kdf->iter > PKCS8_SCRYPT_MAX_N || kdf->p == 0 ||
	    kdf->p > PKCS8_SCRYPT_MAX_P ||
	    kdf->iter * kdf->p > PKCS8_SCRYPT_MAX_NP)
		return rp_fail(err, RP_REFUSED, "scrypt parameters N=%lu p=%lu "
		    "out of bounds", kdf->iter, kdf->p);
	return 0;
}

static int
parse_scrypt(const unsigned char *der, size_t len, struct kdf *kdf,
    struct rp_error *err)
{
	asn1_node node;
	unsigned long r;
	int rc;

	kdf->scrypt = 1;
	if ((rc = der_decode("scrypt-params", der, len, &node, err)) != 0)
		return rc;
	if ((rc = read_salt(node, kdf, err)) != 0 ||
	    (rc = der_read_ulong(node, "costParameter", &kdf->iter,
	    err)) != 0 ||
	    (rc = der_read_ulong(node, "blockSize", &r, err)) != 0 ||
	    (rc = der_read_ulong(node, "parallelizationParameter", &kdf->p,
	    err)) != 0 || (rc = read_kdf_length(node, kdf, err)) != 0)
		goto out;
	/* libgcrypt's scrypt has r fixed to 8 (what openssl writes). */
	if (r != PKCS8_SCRYPT_R) {
		rc = rp_fail(err, RP_REFUSED, "scrypt block size r=%lu is not "
		    "supported (only r=8)", r);
		goto out;
	}
	rc = check_scrypt_cost(kdf, err);
out:
	der_free(&node);
	return rc;
}

/* The key derivation function of PBES2-params. */
static int
parse_kdf(asn1_node node, struct kdf *kdf, struct rp_error *err)
{
	char oid[OID_MAX];
	unsigned char params[PARAMS_MAX];
	size_t plen;

	if (der_read_oid(node, "keyDerivationFunc.algorithm", oid,
	    sizeof(oid), err) != 0 ||
	    der_read_bytes(node, "keyDerivationFunc.parameters", params,
	    sizeof(params), &plen, err) != 0)
		return rp_recode(err, RP_MALFORMED);
	if (strcmp(oid, OID_PBKDF2) == 0)
		return parse_pbkdf2(params, plen, kdf, err);
	if (strcmp(oid, OID_SCRYPT) == 0)
		return parse_scrypt(params, plen, kdf, err);
	return rp_fail(err, RP_REFUSED,
	    "unsupported key derivation (only PBKDF2 and scrypt)");
}

/* The encryption scheme of PBES2-params: AES-CBC and its IV. */
static int
parse_cipher(asn1_node node, struct kdf *kdf, unsigned char iv[BLOCK],
    struct rp_error *err)
{
	asn1_node ivnode = NULL;
	char oid[OID_MAX];
	unsigned char params[PARAMS_MAX];
	size_t plen, ivlen, i;
	int rc = RP_MALFORMED;

	if (der_read_oid(node, "encryptionScheme.algorithm", oid,
	    sizeof(oid), err) != 0)
		return rp_recode(err, RP_MALFORMED);
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (strcmp(oid, ciphers[i].oid) == 0)
			break;
	if (i == sizeof(ciphers) / sizeof(ciphers[0]))
		return rp_fail(err, RP_REFUSED,
		    "unsupported key cipher (only AES-CBC)" COPY_HINT);
	kdf->algo = ciphers[i].algo;
	kdf->key_len = ciphers[i].key_len;
	if (der_read_bytes(node, "encryptionScheme.parameters", params,
	    sizeof(params), &plen, err) != 0 ||
	    der_decode("AES-IV", params, plen, &ivnode, err) != 0 ||
	    der_read_bytes(ivnode, "", iv, BLOCK, &ivlen, err) != 0 ||
	    ivlen != BLOCK)
		rp_fail(err, rc, "bad AES-CBC IV");
	else
		rc = 0;
	der_free(&ivnode);
	return rc;
}

/* PBES2-params: the KDF, the cipher and its IV. */
static int
parse_pbes2(const unsigned char *der, size_t len, struct kdf *kdf,
    unsigned char iv[BLOCK], struct rp_error *err)
{
	asn1_node node;
	int rc;

	if ((rc = der_decode("PBES2-params", der, len, &node, err)) != 0)
		return rc;
	if ((rc = parse_kdf(node, kdf, err)) == 0 &&
	    (rc = parse_cipher(node, kdf, iv, err)) == 0 &&
	    kdf->keylen != 0 && kdf->keylen != kdf->key_len) {
		rc = rp_fail(err, RP_MALFORMED,
		    "key length in encrypted key does not match its cipher");
	}
	der_free(&node);
	return rc;
}

static void
derive(const char *pass, const struct kdf *kdf, unsigned char *key)
{
	gcry_error_t err;

	if (kdf->scrypt)
		/* libgcrypt: subalgo is N, iterations is p. */
		err = gcry_kdf_derive(pass, strlen(pass), GCRY_KDF_SCRYPT,
		    (int)kdf->iter, kdf->salt, kdf->saltlen, kdf->p,
		    kdf->key_len, key);
	else
		err = gcry_kdf_derive(pass, strlen(pass), GCRY_KDF_PBKDF2,
		    kdf->md, kdf->salt, kdf->saltlen, kdf->iter,
		    kdf->key_len, key);
	if (err != 0)
		rp_fatal("key derivation: %s", gcry_strerror(err));
}

static void
aes_cbc(int encrypt, const struct kdf *kdf, const unsigned char *key,
    const unsigned char *iv, unsigned char *buf, size_t len)
{
	gcry_cipher_hd_t hd;
	gcry_error_t err;

	err = gcry_cipher_open(&hd, kdf->algo, GCRY_CIPHER_MODE_CBC,
	    GCRY_CIPHER_SECURE);
	if (err == 0)
		err = gcry_cipher_setkey(hd, key, kdf->key_len);
	if (err == 0)
		err = gcry_cipher_setiv(hd, iv, BLOCK);
	if (err == 0)
		err = encrypt ? gcry_cipher_encrypt(hd, buf, len, NULL, 0) :
		    gcry_cipher_decrypt(hd, buf, len, NULL, 0);
	gcry_cipher_close(hd);
	if (err != 0)
		rp_fatal("AES-CBC: %s", gcry_strerror(err));
}

/* Derive the key, decrypt buf in place and check the PKCS#7 padding:
 * without that check a wrong passphrase would give garbage rather than
 * a clear refusal.  Returns the plaintext length, or 0. */
static size_t
decrypt_padded(const char *pass, const struct kdf *kdf,
    const unsigned char iv[BLOCK], unsigned char *buf, size_t clen)
{
	unsigned char *key, pad, bad;
	size_t i;

	key = secure_alloc(KEY_MAX);
	derive(pass, kdf, key);
	aes_cbc(0, kdf, key, iv, buf, clen);
	secure_free(key);
	pad = buf[clen - 1];
	bad = (unsigned char)(pad == 0 || pad > BLOCK);
	for (i = 0; i < BLOCK; i++)
		bad |= (unsigned char)((i < pad) & (buf[clen - 1 - i] != pad));
	return bad ? 0 : clen - pad;
}

/* pkcs8_decrypt(), but a failure of der.h's readers is recorded under
 * their own code (RP_REFUSED) where this returns RP_MALFORMED. */
static int
decrypt_info(const unsigned char *der, size_t len, const char *pass,
    unsigned char **out, size_t *outlen, struct rp_error *err)
{
	asn1_node node;
	char oid[OID_MAX];
	unsigned char params[PARAMS_MAX], iv[BLOCK], *buf = NULL;
	size_t plen, clen;
	struct kdf kdf;
	int rc;

	memset(&kdf, 0, sizeof(kdf));
	if ((rc = der_decode("EncryptedPrivateKeyInfo", der, len, &node,
	    err)) != 0)
		return rc;
	rc = RP_MALFORMED;
	if (der_read_oid(node, "encryptionAlgorithm.algorithm", oid,
	    sizeof(oid), err) != 0)
		goto out;
	if (strcmp(oid, OID_PBES2) != 0) {
		rc = rp_fail(err, RP_REFUSED,
		    "unsupported key encryption (only PBES2)" COPY_HINT);
		goto out;
	}
	if (der_read_bytes(node, "encryptionAlgorithm.parameters", params,
	    sizeof(params), &plen, err) != 0 ||
	    (rc = parse_pbes2(params, plen, &kdf, iv, err)) != 0)
		goto out;
	rc = RP_MALFORMED;
	buf = secure_alloc(len);
	if (der_read_bytes(node, "encryptedData", buf, len, &clen, err) != 0)
		goto out;
	if (clen == 0 || clen % BLOCK != 0) {
		rp_fail(err, rc, "bad encrypted key length");
		goto out;
	}
	if ((*outlen = decrypt_padded(pass, &kdf, iv, buf, clen)) == 0) {
		rc = rp_fail(err, RP_PASSPHRASE, "%s", wrong_pass);
		goto out;
	}
	wipe(buf + *outlen, len - *outlen);
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	secure_free(buf);
	der_free(&node);
	return rc;
}

int
pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
    unsigned char **out, size_t *outlen, struct rp_error *err)
{
	int rc;

	if ((rc = decrypt_info(der, len, pass, out, outlen, err)) != 0)
		return rp_recode(err, rc);
	return 0;
}

/* PBES2-params: scrypt with kdf's salt and cost, AES-256-CBC with iv. */
static unsigned char *
pbes2_params(const struct kdf *kdf, const unsigned char iv[BLOCK],
    size_t *len)
{
	asn1_node node;
	unsigned char *params, *ivder, *pbes2;
	size_t paramslen, ivderlen;

	node = der_new("scrypt-params");
	der_write_bytes(node, "salt", kdf->salt, kdf->saltlen);
	der_write_ulong(node, "costParameter", kdf->iter);
	der_write_ulong(node, "blockSize", PKCS8_SCRYPT_R);
	der_write_ulong(node, "parallelizationParameter", kdf->p);
	der_omit(node, "keyLength");
	params = der_encode(node, 0, &paramslen);
	der_free(&node);

	node = der_new("AES-IV");
	der_write_bytes(node, "", iv, BLOCK);
	ivder = der_encode(node, 0, &ivderlen);
	der_free(&node);

	node = der_new("PBES2-params");
	der_write_oid(node, "keyDerivationFunc.algorithm", OID_SCRYPT);
	der_write_bytes(node, "keyDerivationFunc.parameters", params,
	    paramslen);
	der_write_oid(node, "encryptionScheme.algorithm", OID_AES256_CBC);
	der_write_bytes(node, "encryptionScheme.parameters", ivder, ivderlen);
	pbes2 = der_encode(node, 0, len);
	der_free(&node);
	free(params);
	free(ivder);
	return pbes2;
}

unsigned char *
pkcs8_encrypt(const unsigned char *der, size_t len, const char *pass,
    size_t *outlen)
{
	asn1_node node;
	struct kdf kdf;
	unsigned char iv[BLOCK], *key, *buf, *pbes2, *out;
	size_t pbes2len, clen, pad;

	memset(&kdf, 0, sizeof(kdf));
	kdf.scrypt = 1;
	kdf.algo = GCRY_CIPHER_AES256;
	kdf.key_len = KEY_LEN;
	kdf.saltlen = 16;
	kdf.iter = PKCS8_SCRYPT_N;
	kdf.p = PKCS8_SCRYPT_P;
	gcry_randomize(kdf.salt, kdf.saltlen, GCRY_STRONG_RANDOM);
	gcry_create_nonce(iv, sizeof(iv));
	pbes2 = pbes2_params(&kdf, iv, &pbes2len);

	pad = BLOCK - len % BLOCK;
	clen = len + pad;
	buf = secure_alloc(clen);
	memcpy(buf, der, len);
	memset(buf + len, (int)pad, pad);
	key = secure_alloc(KEY_LEN);
	derive(pass, &kdf, key);
	aes_cbc(1, &kdf, key, iv, buf, clen);
	secure_free(key);

	node = der_new("EncryptedPrivateKeyInfo");
	der_write_oid(node, "encryptionAlgorithm.algorithm", OID_PBES2);
	der_write_bytes(node, "encryptionAlgorithm.parameters", pbes2,
	    pbes2len);
	der_write_bytes(node, "encryptedData", buf, clen);
	out = der_encode(node, 0, outlen);
	der_free(&node);
	free(pbes2);
	secure_free(buf);
	return out;
}
