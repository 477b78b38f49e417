/* SPDX-License-Identifier: ISC */
/* sshsig.c: OpenSSH SSHSIG blobs with RSA keys: build, sign, verify,
 * armor. */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/ssh_blob.h"
#include "keys/sshsig.h"

#define MAGIC "SSHSIG"
#define MAGIC_LEN 6
#define SIG_VERSION 1
#define ARMOR_COLUMNS 70        /* sshbuf_dtob64(..., wrap = 1) */

const char *
sshsig_hash_name(enum rsa_pkcs1_hash hash)
{
	/* SSHSIG names its hashes as libgcrypt does. */
	return rsa_pkcs1_hash_name(hash);
}

const char *
sshsig_alg_name(enum rsa_pkcs1_hash alg)
{
	switch (alg) {
	case RSA_PKCS1_SHA256:
		return "rsa-sha2-256";
	case RSA_PKCS1_SHA512:
		return "rsa-sha2-512";
	}
	return NULL;
}

static int
name_is(const unsigned char *p, size_t n, const char *name)
{
	return name != NULL && n == strlen(name) && memcmp(p, name, n) == 0;
}

int
sshsig_alg_from_name(const unsigned char *name, size_t len)
{
	if (name_is(name, len, "rsa-sha2-256"))
		return RSA_PKCS1_SHA256;
	if (name_is(name, len, "rsa-sha2-512"))
		return RSA_PKCS1_SHA512;
	return 0;
}

int
sshsig_hash_from_name(const unsigned char *name, size_t len)
{
	if (name_is(name, len, "sha256"))
		return RSA_PKCS1_SHA256;
	if (name_is(name, len, "sha512"))
		return RSA_PKCS1_SHA512;
	return 0;
}

int
sshsig_parse(const unsigned char *blob, size_t len, struct sshsig *s,
    struct rp_error *err)
{
	const unsigned char *magic, *inner;
	size_t version, inner_len;
	struct reader r, ir;

	memset(s, 0, sizeof(*s));
	if (len > SSHSIG_BLOB_MAX)
		return rp_fail(err, RP_MALFORMED, "SSHSIG blob is %zu bytes; "
		    "at most %d", len, SSHSIG_BLOB_MAX);
	rd_init(&r, blob, len);
	if (rd_bytes(&r, MAGIC_LEN, &magic) != 0 ||
	    memcmp(magic, MAGIC, MAGIC_LEN) != 0)
		return rp_fail(err, RP_MALFORMED, "not an SSHSIG blob");
	if (rd_uint(&r, 4, &version) == 0 && version != SIG_VERSION)
		return rp_fail(err, RP_MALFORMED, "SSHSIG version %zu; "
		    "only 1 is known", version);
	rd_vec(&r, 4, 1, SIZE_MAX, &s->pubkey, &s->pubkey_len);
	rd_vec(&r, 4, 0, SIZE_MAX, &s->ns, &s->ns_len);
	rd_vec(&r, 4, 0, SIZE_MAX, &s->reserved, &s->reserved_len);
	rd_vec(&r, 4, 0, SIZE_MAX, &s->hash_alg, &s->hash_alg_len);
	rd_vec(&r, 4, 0, SIZE_MAX, &inner, &inner_len);
	if (r.err != 0)
		return rp_fail(err, RP_MALFORMED, "truncated SSHSIG blob");
	if (rd_end(&r) != 0)
		return rp_fail(err, RP_MALFORMED, "trailing data after the "
		    "SSHSIG blob");
	rd_init(&ir, inner, inner_len);
	rd_vec(&ir, 4, 0, SIZE_MAX, &s->sig_alg, &s->sig_alg_len);
	rd_vec(&ir, 4, 0, SIZE_MAX, &s->sig, &s->sig_len);
	if (ir.err != 0 || rd_end(&ir) != 0)
		return rp_fail(err, RP_MALFORMED, "malformed signature field "
		    "in the SSHSIG blob");
	return 0;
}

/* The signed data's fields after the magic, with the digest given. */
static int
write_signed_data(const char *ns, enum rsa_pkcs1_hash hash,
    const unsigned char *digest, unsigned char **out, size_t *out_len)
{
	const char *hname = sshsig_hash_name(hash);
	size_t nslen = strlen(ns), dlen = rsa_pkcs1_digest_len(hash), cap;
	struct writer w;

	cap = MAGIC_LEN + 4 + nslen + 4 + 4 + strlen(hname) + 4 + dlen;
	*out = rp_alloc(cap);
	wr_init(&w, *out, cap);
	wr_bytes(&w, MAGIC, MAGIC_LEN);
	wr_vec(&w, 4, ns, nslen);
	wr_vec(&w, 4, "", 0);
	wr_vec(&w, 4, hname, strlen(hname));
	wr_vec(&w, 4, digest, dlen);
	if (wr_finish(&w, out_len) != 0)
		rp_fatal("SSHSIG signed data: overflow");
	return 0;
}

static int
check_namespace(const char *ns, struct rp_error *err)
{
	size_t n = ns != NULL ? strlen(ns) : 0;

	/* OpenSSH refuses an empty namespace: it would separate nothing. */
	if (n == 0 || n > SSHSIG_NAMESPACE_MAX)
		return rp_fail(err, RP_USAGE, "an SSHSIG namespace is 1 to %d "
		    "bytes", SSHSIG_NAMESPACE_MAX);
	return 0;
}

int
sshsig_signed_data(const char *ns, enum rsa_pkcs1_hash hash,
    const void *msg, size_t len, unsigned char **out, size_t *out_len,
    struct rp_error *err)
{
	unsigned char digest[RSA_PKCS1_DIGEST_MAX];
	int rc;

	*out = NULL;
	if ((rc = check_namespace(ns, err)) != 0)
		return rc;
	if (sshsig_hash_name(hash) == NULL)
		return rp_fail(err, RP_USAGE, "unknown SSHSIG hash %d",
		    (int)hash);
	rsa_pkcs1_digest(hash, msg, len, digest);
	return write_signed_data(ns, hash, digest, out, out_len);
}

int
sshsig_wrap(const struct rsa_key *key, const char *ns,
    enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg,
    const unsigned char *s, size_t sig_len, unsigned char **blob,
    size_t *blob_len, struct rp_error *err)
{
	const char *hname = sshsig_hash_name(hash), *aname;
	unsigned char *pub;
	size_t publen, cap, nslen;
	struct writer w;
	int rc;

	*blob = NULL;
	if ((rc = check_namespace(ns, err)) != 0)
		return rc;
	if (hname == NULL || (aname = sshsig_alg_name(alg)) == NULL)
		return rp_fail(err, RP_USAGE, "unknown SSHSIG algorithm");
	pub = ssh_rsa_blob(key, &publen);
	nslen = strlen(ns);
	cap = MAGIC_LEN + 4 + 4 + publen + 4 + nslen + 4 + 4 +
	    strlen(hname) + 4 + 4 + strlen(aname) + 4 + sig_len;
	*blob = rp_alloc(cap);
	wr_init(&w, *blob, cap);
	wr_bytes(&w, MAGIC, MAGIC_LEN);
	wr_uint(&w, 4, SIG_VERSION);
	wr_vec(&w, 4, pub, publen);
	wr_vec(&w, 4, ns, nslen);
	wr_vec(&w, 4, "", 0);
	wr_vec(&w, 4, hname, strlen(hname));
	wr_uint(&w, 4, 4 + strlen(aname) + 4 + sig_len);
	wr_vec(&w, 4, aname, strlen(aname));
	wr_vec(&w, 4, s, sig_len);
	free(pub);
	if (wr_finish(&w, blob_len) != 0)
		rp_fatal("SSHSIG blob: overflow");
	return 0;
}

int
sshsig_sign_key(const struct rsa_key *key, const char *ns,
    enum rsa_pkcs1_hash hash, enum rsa_pkcs1_hash alg, const void *msg,
    size_t len, unsigned char **blob, size_t *blob_len,
    struct rp_error *err)
{
	unsigned char *data, digest[RSA_PKCS1_DIGEST_MAX], *s;
	size_t data_len;
	int rc;

	*blob = NULL;
	if (sshsig_alg_name(alg) == NULL)
		return rp_fail(err, RP_USAGE, "unknown SSHSIG algorithm");
	rc = sshsig_signed_data(ns, hash, msg, len, &data, &data_len, err);
	if (rc != 0)
		return rc;
	rsa_pkcs1_digest(alg, data, data_len, digest);
	free(data);
	s = rp_alloc(rsa_modulus_bytes(key));
	rc = rsa_pkcs1_sign(key, alg, digest, s, err);
	if (rc == 0)
		rc = sshsig_wrap(key, ns, hash, alg, s,
		    rsa_modulus_bytes(key), blob, blob_len, err);
	free(s);
	return rc;
}

/* The policy checks, in the order the spec lists them. */
static int
check_fields(const struct rsa_key *key, const char *ns,
    const struct sshsig *s, unsigned hashes, unsigned algs,
    struct rp_error *err)
{
	int hash = sshsig_hash_from_name(s->hash_alg, s->hash_alg_len);
	int alg = sshsig_alg_from_name(s->sig_alg, s->sig_alg_len);

	if (!ssh_rsa_blob_is(key, s->pubkey, s->pubkey_len))
		return rp_fail(err, RP_AUTH, "the SSHSIG is made by another "
		    "key");
	if (!name_is(s->ns, s->ns_len, ns))
		return rp_fail(err, RP_AUTH, "the SSHSIG is for another "
		    "namespace");
	if (s->reserved_len != 0)
		return rp_fail(err, RP_AUTH, "the SSHSIG reserved field is "
		    "not empty");
	if (hash == 0 || !(hashes & (unsigned)hash))
		return rp_fail(err, RP_AUTH, "the SSHSIG hash algorithm is "
		    "not allowed");
	if (alg == 0 || !(algs & (unsigned)alg))
		return rp_fail(err, RP_AUTH, "the SSHSIG signature algorithm "
		    "is not allowed");
	return 0;
}

int
sshsig_verify(const struct rsa_key *key, const char *ns,
    const void *msg, size_t len, const unsigned char *blob, size_t blob_len,
    unsigned hashes, unsigned algs, struct rp_error *err)
{
	struct sshsig s;
	unsigned char *data, digest[RSA_PKCS1_DIGEST_MAX];
	size_t data_len;
	int rc, hash, alg;

	if ((rc = sshsig_parse(blob, blob_len, &s, err)) != 0)
		return rc;
	if ((rc = check_fields(key, ns, &s, hashes, algs, err)) != 0)
		return rc;
	hash = sshsig_hash_from_name(s.hash_alg, s.hash_alg_len);
	alg = sshsig_alg_from_name(s.sig_alg, s.sig_alg_len);
	rc = sshsig_signed_data(ns, hash, msg, len, &data, &data_len, err);
	if (rc != 0)
		return rc == RP_USAGE ? RP_AUTH : rc;
	rsa_pkcs1_digest(alg, data, data_len, digest);
	free(data);
	return rsa_pkcs1_verify(key, alg, digest, s.sig, s.sig_len, err);
}

char *
sshsig_armor(const unsigned char *blob, size_t len, size_t *text_len)
{
	size_t b64len = 4 * ((len + 2) / 3), pad, i, n, cap;
	char *b64, *text;
	struct writer w;

	b64 = rp_alloc(b64len + 1);
	base64_encode_unpadded(blob, len, b64);
	/* The project's encoder leaves the padding out; ssh wants it. */
	for (pad = strlen(b64); pad < b64len; pad++)
		b64[pad] = '=';
	cap = sizeof(SSHSIG_ARMOR_BEGIN) + b64len + b64len / ARMOR_COLUMNS +
	    1 + sizeof(SSHSIG_ARMOR_END) + 1;
	text = rp_alloc(cap);
	wr_init(&w, text, cap);
	wr_bytes(&w, SSHSIG_ARMOR_BEGIN "\n", sizeof(SSHSIG_ARMOR_BEGIN));
	for (i = 0; i < b64len; i += n) {
		n = b64len - i < ARMOR_COLUMNS ? b64len - i : ARMOR_COLUMNS;
		wr_bytes(&w, b64 + i, n);
		wr_bytes(&w, "\n", 1);
	}
	wr_bytes(&w, SSHSIG_ARMOR_END "\n", sizeof(SSHSIG_ARMOR_END));
	free(b64);
	if (wr_finish(&w, text_len) != 0 || *text_len >= cap)
		rp_fatal("SSHSIG armor: overflow");
	text[*text_len] = '\0';
	return text;
}

int
sshsig_dearmor(const unsigned char *text, size_t len,
    unsigned char **blob, size_t *blob_len, struct rp_error *err)
{
	unsigned char *der;
	size_t n;
	int rc;

	*blob = NULL;
	if (len > SSHSIG_ARMOR_MAX)
		return rp_fail(err, RP_MALFORMED, "armored SSHSIG is %zu "
		    "bytes; at most %d", len, SSHSIG_ARMOR_MAX);
	if ((rc = pem_decode(text, len, "SSH SIGNATURE", &der, &n,
	    err)) != 0)
		return rp_prefix(err, "armored SSHSIG");
	*blob = rp_alloc(n > 0 ? n : 1);
	memcpy(*blob, der, n);
	*blob_len = n;
	secure_free(der);
	return 0;
}
