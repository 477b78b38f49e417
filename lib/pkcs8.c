/* SPDX-License-Identifier: ISC */
/* pkcs8.c: PBES2 encrypted PKCS#8 (RFC 5208, RFC 8018, RFC 7914). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "der.h"
#include "pkcs8.h"

#define OID_PBES2 "1.2.840.113549.1.5.13"
#define OID_PBKDF2 "1.2.840.113549.1.5.12"
#define OID_SCRYPT "1.3.6.1.4.1.11591.4.11"
#define OID_HMAC_SHA256 "1.2.840.113549.2.9"
#define OID_AES256_CBC "2.16.840.1.101.3.4.1.42"
#define OID_MAX 128
#define PARAMS_MAX 512
#define SALT_MAX 64
#define KEY_LEN 32
#define BLOCK 16

static const char wrong_pass[] = "wrong passphrase or corrupt key";
static char reason[96];

struct kdf {
	int scrypt;
	unsigned char salt[SALT_MAX];
	size_t saltlen;
	unsigned long iter;  /* PBKDF2 iterations, or scrypt N */
	unsigned long p;     /* scrypt parallelization */
};

static int
read_kdf_length(asn1_node node, const char **why)
{
	unsigned long v;

	if (!der_has(node, "keyLength"))
		return 0;
	if (der_read_ulong(node, "keyLength", &v, why) != 0 || v != KEY_LEN) {
		*why = "unsupported key length in encrypted key";
		return -1;
	}
	return 0;
}

static int
read_salt(asn1_node node, struct kdf *kdf, const char **why)
{
	if (der_read_bytes(node, "salt", kdf->salt, sizeof(kdf->salt),
	    &kdf->saltlen, why) != 0 || kdf->saltlen == 0) {
		*why = "bad salt in encrypted key";
		return -1;
	}
	return 0;
}

static int
parse_pbkdf2(const unsigned char *der, size_t len, struct kdf *kdf,
    const char **why)
{
	asn1_node node;
	char oid[OID_MAX];
	unsigned char params[8];
	size_t plen;
	int rc = -1;

	if (der_decode("PBKDF2-params", der, len, &node, why) != 0)
		return -1;
	if (read_salt(node, kdf, why) != 0 ||
	    der_read_ulong(node, "iterationCount", &kdf->iter, why) != 0 ||
	    read_kdf_length(node, why) != 0)
		goto out;
	if (kdf->iter == 0 || kdf->iter > PKCS8_PBKDF2_MAX_ITER) {
		snprintf(reason, sizeof(reason), "PBKDF2 iteration count %lu "
		    "out of range 1..%lu", kdf->iter, PKCS8_PBKDF2_MAX_ITER);
		*why = reason;
		goto out;
	}
	/* Absent prf means the HMAC-SHA1 default, which we do not take. */
	if (!der_has(node, "prf") ||
	    der_read_oid(node, "prf.algorithm", oid, sizeof(oid), why) != 0 ||
	    strcmp(oid, OID_HMAC_SHA256) != 0) {
		*why = "unsupported PBKDF2 PRF (only hmacWithSHA256)";
		goto out;
	}
	if (der_has(node, "prf.parameters") &&
	    (der_read_bytes(node, "prf.parameters", params, sizeof(params),
	    &plen, why) != 0 || plen != 2 || params[0] != 5 ||
	    params[1] != 0)) {
		*why = "bad PBKDF2 PRF parameters";
		goto out;
	}
	rc = 0;
out:
	der_free(&node);
	return rc;
}

static int
parse_scrypt(const unsigned char *der, size_t len, struct kdf *kdf,
    const char **why)
{
	asn1_node node;
	unsigned long r;
	int rc = -1;

	kdf->scrypt = 1;
	if (der_decode("scrypt-params", der, len, &node, why) != 0)
		return -1;
	if (read_salt(node, kdf, why) != 0 ||
	    der_read_ulong(node, "costParameter", &kdf->iter, why) != 0 ||
	    der_read_ulong(node, "blockSize", &r, why) != 0 ||
	    der_read_ulong(node, "parallelizationParameter", &kdf->p,
	    why) != 0 || read_kdf_length(node, why) != 0)
		goto out;
	/* libgcrypt's scrypt has r fixed to 8. */
	if (r != PKCS8_SCRYPT_R) {
		snprintf(reason, sizeof(reason), "scrypt block size r=%lu is "
		    "not supported (only r=8)", r);
		*why = reason;
		goto out;
	}
	if (kdf->iter < 2 || (kdf->iter & (kdf->iter - 1)) != 0 ||
	    kdf->iter > PKCS8_SCRYPT_MAX_N || kdf->p == 0 ||
	    kdf->p > PKCS8_SCRYPT_MAX_P ||
	    kdf->iter * kdf->p > PKCS8_SCRYPT_MAX_NP) {
		snprintf(reason, sizeof(reason), "scrypt parameters N=%lu "
		    "p=%lu out of bounds", kdf->iter, kdf->p);
		*why = reason;
		goto out;
	}
	rc = 0;
out:
	der_free(&node);
	return rc;
}

/* PBES2-params: the KDF and the AES-256-CBC IV. */
static int
parse_pbes2(const unsigned char *der, size_t len, struct kdf *kdf,
    unsigned char iv[BLOCK], const char **why)
{
	asn1_node node, ivnode = NULL;
	char oid[OID_MAX];
	unsigned char params[PARAMS_MAX];
	size_t plen, ivlen;
	int rc = -1;

	if (der_decode("PBES2-params", der, len, &node, why) != 0)
		return -1;
	if (der_read_oid(node, "keyDerivationFunc.algorithm", oid,
	    sizeof(oid), why) != 0)
		goto out;
	if (der_read_bytes(node, "keyDerivationFunc.parameters", params,
	    sizeof(params), &plen, why) != 0)
		goto out;
	if (strcmp(oid, OID_PBKDF2) == 0)
		rc = parse_pbkdf2(params, plen, kdf, why);
	else if (strcmp(oid, OID_SCRYPT) == 0)
		rc = parse_scrypt(params, plen, kdf, why);
	else
		*why = "unsupported key derivation (only PBKDF2 and scrypt)";
	if (rc != 0)
		goto out;
	rc = -1;
	if (der_read_oid(node, "encryptionScheme.algorithm", oid,
	    sizeof(oid), why) != 0)
		goto out;
	if (strcmp(oid, OID_AES256_CBC) != 0) {
		*why = "unsupported key cipher (only AES-256-CBC)";
		goto out;
	}
	if (der_read_bytes(node, "encryptionScheme.parameters", params,
	    sizeof(params), &plen, why) != 0 ||
	    der_decode("AES-IV", params, plen, &ivnode, why) != 0 ||
	    der_read_bytes(ivnode, "", iv, BLOCK, &ivlen, why) != 0 ||
	    ivlen != BLOCK) {
		*why = "bad AES-256-CBC IV";
		goto out;
	}
	rc = 0;
out:
	der_free(&ivnode);
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
		    (int)kdf->iter, kdf->salt, kdf->saltlen, kdf->p, KEY_LEN,
		    key);
	else
		err = gcry_kdf_derive(pass, strlen(pass), GCRY_KDF_PBKDF2,
		    GCRY_MD_SHA256, kdf->salt, kdf->saltlen, kdf->iter,
		    KEY_LEN, key);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "key derivation");
}

static void
aes_cbc(int encrypt, const unsigned char *key, const unsigned char *iv,
    unsigned char *buf, size_t len)
{
	gcry_cipher_hd_t hd;
	gcry_error_t err;

	err = gcry_cipher_open(&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_CBC,
	    GCRY_CIPHER_SECURE);
	if (err == 0)
		err = gcry_cipher_setkey(hd, key, KEY_LEN);
	if (err == 0)
		err = gcry_cipher_setiv(hd, iv, BLOCK);
	if (err == 0)
		err = encrypt ? gcry_cipher_encrypt(hd, buf, len, NULL, 0) :
		    gcry_cipher_decrypt(hd, buf, len, NULL, 0);
	gcry_cipher_close(hd);
	if (err != 0)
		die_gcry(EXIT_USAGE, err, "AES-256-CBC");
}

int
pkcs8_decrypt(const unsigned char *der, size_t len, const char *pass,
    unsigned char **out, size_t *outlen, const char **why)
{
	asn1_node node;
	char oid[OID_MAX];
	unsigned char params[PARAMS_MAX], iv[BLOCK], *key, *buf = NULL;
	unsigned char pad, bad;
	size_t plen, clen, i;
	struct kdf kdf;
	int rc = -1;

	memset(&kdf, 0, sizeof(kdf));
	if (der_decode("EncryptedPrivateKeyInfo", der, len, &node, why) != 0)
		return -1;
	if (der_read_oid(node, "encryptionAlgorithm.algorithm", oid,
	    sizeof(oid), why) != 0)
		goto out;
	if (strcmp(oid, OID_PBES2) != 0) {
		*why = "unsupported key encryption (only PBES2)";
		goto out;
	}
	if (der_read_bytes(node, "encryptionAlgorithm.parameters", params,
	    sizeof(params), &plen, why) != 0 ||
	    parse_pbes2(params, plen, &kdf, iv, why) != 0)
		goto out;
	buf = secure_alloc(len);
	if (der_read_bytes(node, "encryptedData", buf, len, &clen, why) != 0)
		goto out;
	if (clen == 0 || clen % BLOCK != 0) {
		*why = "bad encrypted key length";
		goto out;
	}
	key = secure_alloc(KEY_LEN);
	derive(pass, &kdf, key);
	aes_cbc(0, key, iv, buf, clen);
	secure_free(key);
	/* PKCS#7 padding: without this check a wrong passphrase would
	 * give garbage rather than a clear refusal. */
	pad = buf[clen - 1];
	bad = (unsigned char)(pad == 0 || pad > BLOCK);
	for (i = 0; i < BLOCK; i++)
		bad |= (unsigned char)((i < pad) & (buf[clen - 1 - i] != pad));
	if (bad) {
		*why = wrong_pass;
		goto out;
	}
	*out = buf;
	*outlen = clen - pad;
	wipe(buf + *outlen, len - *outlen);
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL)
		secure_free(buf);
	der_free(&node);
	return rc;
}

unsigned char *
pkcs8_encrypt(const unsigned char *der, size_t len, const char *pass,
    size_t *outlen)
{
	asn1_node node;
	struct kdf kdf;
	unsigned char iv[BLOCK], *key, *buf, *params, *ivder, *pbes2, *out;
	size_t paramslen, ivderlen, pbes2len, clen, pad;

	memset(&kdf, 0, sizeof(kdf));
	kdf.scrypt = 1;
	kdf.saltlen = 16;
	kdf.iter = PKCS8_SCRYPT_N;
	kdf.p = PKCS8_SCRYPT_P;
	gcry_randomize(kdf.salt, kdf.saltlen, GCRY_STRONG_RANDOM);
	gcry_create_nonce(iv, sizeof(iv));

	node = der_new("scrypt-params");
	der_write_bytes(node, "salt", kdf.salt, kdf.saltlen);
	der_write_ulong(node, "costParameter", kdf.iter);
	der_write_ulong(node, "blockSize", PKCS8_SCRYPT_R);
	der_write_ulong(node, "parallelizationParameter", kdf.p);
	der_omit(node, "keyLength");
	params = der_encode(node, 0, &paramslen);
	der_free(&node);

	node = der_new("AES-IV");
	der_write_bytes(node, "", iv, sizeof(iv));
	ivder = der_encode(node, 0, &ivderlen);
	der_free(&node);

	node = der_new("PBES2-params");
	der_write_oid(node, "keyDerivationFunc.algorithm", OID_SCRYPT);
	der_write_bytes(node, "keyDerivationFunc.parameters", params,
	    paramslen);
	der_write_oid(node, "encryptionScheme.algorithm", OID_AES256_CBC);
	der_write_bytes(node, "encryptionScheme.parameters", ivder, ivderlen);
	pbes2 = der_encode(node, 0, &pbes2len);
	der_free(&node);
	free(params);
	free(ivder);

	pad = BLOCK - len % BLOCK;
	clen = len + pad;
	buf = secure_alloc(clen);
	memcpy(buf, der, len);
	memset(buf + len, (int)pad, pad);
	key = secure_alloc(KEY_LEN);
	derive(pass, &kdf, key);
	aes_cbc(1, key, iv, buf, clen);
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
