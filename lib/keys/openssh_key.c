/* SPDX-License-Identifier: ISC */
/* openssh_key.c: OpenSSH private keys, RSA (see openssh_key.h). */
#include <gcrypt.h>
#include <stdio.h>
#include <string.h>

#include "codec/bytes.h"
#include "codec/der.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/bcrypt_pbkdf.h"
#include "keys/openssh_key.h"

#define MAGIC "openssh-key-v1"   /* followed by a NUL */
#define SSH_STRING_MAX (1u << 20)
#define MPINT_MAX 2049           /* 16384 bits and a sign byte */

struct cipher_spec {
	const char *name;
	int algo, mode;
	size_t key_len, iv_len, block, tag_len;
};

/* What ssh-keygen -Z offers, all through libgcrypt. */
static const struct cipher_spec ciphers[] = {
	{ "none", 0, 0, 0, 0, 8, 0 },
	{ "aes128-ctr", GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR, 16, 16, 16, 0 },
	{ "aes192-ctr", GCRY_CIPHER_AES192, GCRY_CIPHER_MODE_CTR, 24, 16, 16, 0 },
	{ "aes256-ctr", GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_CTR, 32, 16, 16, 0 },
	{ "aes128-cbc", GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 16, 16, 16, 0 },
	{ "aes192-cbc", GCRY_CIPHER_AES192, GCRY_CIPHER_MODE_CBC, 24, 16, 16, 0 },
	{ "aes256-cbc", GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_CBC, 32, 16, 16, 0 },
	{ "3des-cbc", GCRY_CIPHER_3DES, GCRY_CIPHER_MODE_CBC, 24, 8, 8, 0 },
	{ "aes128-gcm@openssh.com", GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM,
	    16, 12, 16, 16 },
	{ "aes256-gcm@openssh.com", GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    32, 12, 16, 16 },
	{ "chacha20-poly1305@openssh.com", GCRY_CIPHER_CHACHA20,
	    GCRY_CIPHER_MODE_STREAM, 64, 0, 8, 16 },
};

/* Key types a person may hold instead, named in the refusal. */
static const char *const other_types[][2] = {
	{ "ssh-ed25519", "not an RSA key (ssh-ed25519)" },
	{ "ssh-dss", "not an RSA key (ssh-dss)" },
	{ "ecdsa-sha2-nistp256", "not an RSA key (ecdsa-sha2-nistp256)" },
	{ "ecdsa-sha2-nistp384", "not an RSA key (ecdsa-sha2-nistp384)" },
	{ "ecdsa-sha2-nistp521", "not an RSA key (ecdsa-sha2-nistp521)" },
	{ "sk-ssh-ed25519@openssh.com",
	    "not an RSA key (sk-ssh-ed25519@openssh.com)" },
	{ "sk-ecdsa-sha2-nistp256@openssh.com",
	    "not an RSA key (sk-ecdsa-sha2-nistp256@openssh.com)" },
};

/* The outer layer, pointing into the input. */
struct outer {
	const struct cipher_spec *cipher;
	const unsigned char *salt, *pub, *enc, *tag;
	size_t salt_len, pub_len, enc_len;
	unsigned int rounds;
};

static int
is(const unsigned char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

static int
fail(int code, const char *reason, struct rp_error *err)
{
	return rp_fail(err, code, "%s", reason);
}

/* A string of an ssh wire format: uint32 length, then the bytes. */
static int
rd_string(struct reader *r, size_t max, const unsigned char **p, size_t *n)
{
	return rd_vec(r, 4, 0, max, p, n);
}

static int
key_type_refusal(const unsigned char *type, size_t n, struct rp_error *err)
{
	size_t i;

	if (is(type, n, "ssh-rsa"))
		return 0;
	for (i = 0; i < sizeof(other_types) / sizeof(other_types[0]); i++)
		if (is(type, n, other_types[i][0]))
			return fail(RP_REFUSED, other_types[i][1], err);
	return fail(RP_REFUSED, "not an RSA key", err);
}

static int
parse_kdf(struct reader *r, struct outer *o, struct rp_error *err)
{
	const unsigned char *name, *opts;
	size_t name_len, opts_len, rounds;
	struct reader k;

	if (rd_string(r, 64, &name, &name_len) != 0 ||
	    rd_string(r, 1024, &opts, &opts_len) != 0)
		return fail(RP_MALFORMED, "truncated OpenSSH key", err);
	if (is(name, name_len, "none")) {
		if (o->cipher->algo != 0 || opts_len != 0)
			return fail(RP_MALFORMED, "OpenSSH key: a cipher "
			    "without a KDF", err);
		return 0;
	}
	if (!is(name, name_len, "bcrypt"))
		return fail(RP_REFUSED, "OpenSSH key: unsupported KDF (only "
		    "bcrypt)", err);
	if (o->cipher->algo == 0)
		return fail(RP_MALFORMED, "OpenSSH key: a KDF without a "
		    "cipher", err);
	rd_init(&k, opts, opts_len);
	if (rd_string(&k, 1024, &o->salt, &o->salt_len) != 0 ||
	    rd_uint(&k, 4, &rounds) != 0 || rd_end(&k) != 0 ||
	    o->salt_len == 0 || rounds == 0)
		return fail(RP_MALFORMED, "OpenSSH key: bad bcrypt options",
		    err);
	if (rounds > OPENSSH_KEY_MAX_ROUNDS)
		return fail(RP_REFUSED, "OpenSSH key: too many bcrypt rounds "
		    "(more than 100000)", err);
	o->rounds = (unsigned int)rounds;
	return 0;
}

static int
parse_cipher(struct reader *r, struct outer *o, struct rp_error *err)
{
	const unsigned char *name;
	size_t n, i;

	if (rd_string(r, 64, &name, &n) != 0)
		return fail(RP_MALFORMED, "truncated OpenSSH key", err);
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
		if (is(name, n, ciphers[i].name)) {
			o->cipher = &ciphers[i];
			return 0;
		}
	}
	return fail(RP_REFUSED, "OpenSSH key: unsupported cipher", err);
}

/* The public blob must be an RSA key: string "ssh-rsa", mpint e, n. */
static int
check_public(const unsigned char *blob, size_t len, struct rp_error *err)
{
	const unsigned char *type;
	size_t n;
	struct reader r;

	rd_init(&r, blob, len);
	if (rd_string(&r, 64, &type, &n) != 0)
		return fail(RP_MALFORMED, "OpenSSH key: bad public key", err);
	return key_type_refusal(type, n, err);
}

static int
parse_outer(const unsigned char *blob, size_t len, struct outer *o,
    struct rp_error *err)
{
	const unsigned char *magic;
	size_t nkeys;
	struct reader r;
	int rc;

	memset(o, 0, sizeof(*o));
	rd_init(&r, blob, len);
	if (rd_bytes(&r, sizeof(MAGIC), &magic) != 0 ||
	    memcmp(magic, MAGIC, sizeof(MAGIC)) != 0)
		return fail(RP_MALFORMED, "not an OpenSSH private key "
		    "(no openssh-key-v1 magic)", err);
	if ((rc = parse_cipher(&r, o, err)) != 0 ||
	    (rc = parse_kdf(&r, o, err)) != 0)
		return rc;
	if (rd_uint(&r, 4, &nkeys) != 0 ||
	    rd_string(&r, SSH_STRING_MAX, &o->pub, &o->pub_len) != 0)
		return fail(RP_MALFORMED, "truncated OpenSSH key", err);
	if (nkeys != 1)
		return fail(RP_REFUSED, "OpenSSH key: a file of several keys "
		    "in one block", err);
	if ((rc = check_public(o->pub, o->pub_len, err)) != 0)
		return rc;
	if (rd_string(&r, SSH_STRING_MAX, &o->enc, &o->enc_len) != 0 ||
	    rd_bytes(&r, o->cipher->tag_len, &o->tag) != 0 ||
	    rd_end(&r) != 0)
		return fail(RP_MALFORMED, "truncated OpenSSH key or trailing "
		    "data", err);
	if (o->enc_len < o->cipher->block || o->enc_len % o->cipher->block)
		return fail(RP_MALFORMED, "OpenSSH key: private section is "
		    "not whole cipher blocks", err);
	return 0;
}

int
openssh_key_info(const unsigned char *blob, size_t len,
    struct openssh_key_info *info, struct rp_error *err)
{
	struct outer o;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = parse_outer(blob, len, &o, err)) != 0)
		return rc;
	snprintf(info->cipher, sizeof(info->cipher), "%s", o.cipher->name);
	info->encrypted = o.cipher->algo != 0;
	info->rounds = o.rounds;
	info->pub = o.pub;
	info->pub_len = o.pub_len;
	return 0;
}

/* chacha20-poly1305@openssh.com with sequence number 0 and no length
 * field: the Poly1305 key is the first 32 bytes of block 0 of the
 * ChaCha20 (64-bit nonce) stream, the data is encrypted from block 1. */
static int
chacha_poly_open(gcry_cipher_hd_t hd, const struct outer *o,
    unsigned char *out)
{
	static const unsigned char zero_iv[8];
	unsigned char *block0 = secure_alloc(64);
	gcry_mac_hd_t mac;
	int rc = RP_PASSPHRASE;

	memset(block0, 0, 64);
	if (gcry_cipher_setiv(hd, zero_iv, sizeof(zero_iv)) != 0 ||
	    gcry_cipher_encrypt(hd, block0, 64, NULL, 0) != 0 ||
	    gcry_mac_open(&mac, GCRY_MAC_POLY1305, GCRY_MAC_FLAG_SECURE,
	    NULL) != 0)
		rp_fatal("libgcrypt: ChaCha20-Poly1305 unavailable");
	if (gcry_mac_setkey(mac, block0, 32) == 0 &&
	    gcry_mac_write(mac, o->enc, o->enc_len) == 0 &&
	    gcry_mac_verify(mac, o->tag, o->cipher->tag_len) == 0 &&
	    gcry_cipher_decrypt(hd, out, o->enc_len, o->enc, o->enc_len) == 0)
		rc = 0;
	gcry_mac_close(mac);
	secure_free(block0);
	return rc;
}

/* Decrypt the private section into out (o->enc_len bytes); 0, or
 * RP_PASSPHRASE when an AEAD tag does not verify. */
static int
decrypt_section(const struct outer *o, const char *pass, size_t pass_len,
    unsigned char *out)
{
	const struct cipher_spec *c = o->cipher;
	size_t kl = c->key_len + c->iv_len;
	unsigned char *key;
	gcry_cipher_hd_t hd;
	int rc = 0;

	key = secure_alloc(kl);
	if (bcrypt_pbkdf(pass, pass_len, o->salt, o->salt_len, key, kl,
	    o->rounds) != 0 ||
	    gcry_cipher_open(&hd, c->algo, c->mode, GCRY_CIPHER_SECURE) != 0 ||
	    gcry_cipher_setkey(hd, key, c->mode == GCRY_CIPHER_MODE_STREAM ?
	    32 : c->key_len) != 0)
		rp_fatal("cannot set up %s", c->name);
	if (c->mode == GCRY_CIPHER_MODE_STREAM)
		rc = chacha_poly_open(hd, o, out);
	else if ((c->mode == GCRY_CIPHER_MODE_CTR ?
	    gcry_cipher_setctr(hd, key + c->key_len, c->iv_len) :
	    gcry_cipher_setiv(hd, key + c->key_len, c->iv_len)) != 0 ||
	    gcry_cipher_decrypt(hd, out, o->enc_len, o->enc, o->enc_len) != 0)
		rp_fatal("cannot decrypt with %s", c->name);
	else if (c->mode == GCRY_CIPHER_MODE_GCM &&
	    gcry_cipher_checktag(hd, o->tag, c->tag_len) != 0)
		rc = RP_PASSPHRASE;
	gcry_cipher_close(hd);
	secure_free(key);
	return rc;
}

enum { N, E, D, IQMP, P, Q, NPARTS };

/* Padding after the key: 1, 2, 3, ... up to the end of the section. */
static int
padding_ok(struct reader *r)
{
	const unsigned char *p;
	size_t n = rd_left(r), i;

	if (rd_bytes(r, n, &p) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i + 1))
			return 0;
	return 1;
}

/* The decrypted section: check words, then the one RSA key. */
static int
parse_section(const unsigned char *sec, size_t len, int encrypted,
    gcry_mpi_t m[NPARTS], struct rp_error *err)
{
	const unsigned char *type, *comment;
	size_t check1, check2, n, comment_len;
	struct reader r;
	int i;

	rd_init(&r, sec, len);
	if (rd_uint(&r, 4, &check1) != 0 || rd_uint(&r, 4, &check2) != 0)
		return fail(RP_MALFORMED, "OpenSSH key: private section "
		    "too short", err);
	if (check1 != check2)
		return encrypted ? fail(RP_PASSPHRASE, "wrong passphrase",
		    err) : fail(RP_MALFORMED, "OpenSSH key: check words "
		    "differ", err);
	if (rd_string(&r, 64, &type, &n) != 0)
		return fail(RP_MALFORMED, "OpenSSH key: bad private key", err);
	if ((i = key_type_refusal(type, n, err)) != 0)
		return i;
	for (i = 0; i < NPARTS; i++)
		if (rd_mpint(&r, MPINT_MAX, 0, &m[i]) != 0)
			return fail(RP_MALFORMED, "OpenSSH key: bad RSA "
			    "private value", err);
	if (rd_string(&r, SSH_STRING_MAX, &comment, &comment_len) != 0 ||
	    !padding_ok(&r))
		return fail(RP_MALFORMED, "OpenSSH key: bad comment or "
		    "padding", err);
	return 0;
}

/* The private key must be the key of the public blob. */
static int
matches_public(const struct outer *o, gcry_mpi_t m[NPARTS])
{
	const unsigned char *type;
	size_t n;
	gcry_mpi_t e = NULL, mod = NULL;
	struct reader r;
	int ok;

	rd_init(&r, o->pub, o->pub_len);
	ok = rd_string(&r, 64, &type, &n) == 0 &&
	    rd_mpint(&r, MPINT_MAX, 0, &e) == 0 &&
	    rd_mpint(&r, MPINT_MAX, 0, &mod) == 0 && rd_end(&r) == 0 &&
	    gcry_mpi_cmp(e, m[E]) == 0 && gcry_mpi_cmp(mod, m[N]) == 0;
	gcry_mpi_release(e);
	gcry_mpi_release(mod);
	return ok;
}

/* PKCS#1 RSAPrivateKey from OpenSSH's n e d iqmp p q: the CRT exponents
 * are computed, and iqmp is PKCS#1's coefficient (q^-1 mod p). */
static unsigned char *
to_pkcs1(gcry_mpi_t m[NPARTS], size_t *der_len)
{
	gcry_mpi_t dp = gcry_mpi_snew(0), dq = gcry_mpi_snew(0);
	gcry_mpi_t pm1 = gcry_mpi_snew(0), qm1 = gcry_mpi_snew(0);
	asn1_node node = der_new("RSAPrivateKey");
	unsigned char *der;

	gcry_mpi_sub_ui(pm1, m[P], 1);
	gcry_mpi_sub_ui(qm1, m[Q], 1);
	gcry_mpi_mod(dp, m[D], pm1);
	gcry_mpi_mod(dq, m[D], qm1);
	der_write_ulong(node, "version", 0);
	der_write_mpi(node, "modulus", m[N]);
	der_write_mpi(node, "publicExponent", m[E]);
	der_write_mpi(node, "privateExponent", m[D]);
	der_write_mpi(node, "prime1", m[P]);
	der_write_mpi(node, "prime2", m[Q]);
	der_write_mpi(node, "exponent1", dp);
	der_write_mpi(node, "exponent2", dq);
	der_write_mpi(node, "coefficient", m[IQMP]);
	der = der_encode(node, 1, der_len);
	der_free(&node);
	gcry_mpi_release(dp);
	gcry_mpi_release(dq);
	gcry_mpi_release(pm1);
	gcry_mpi_release(qm1);
	return der;
}

int
openssh_key_to_pkcs1(const unsigned char *blob, size_t len, const char *pass,
    size_t pass_len, unsigned char **der, size_t *der_len, struct rp_error *err)
{
	gcry_mpi_t m[NPARTS] = { NULL };
	unsigned char *sec;
	struct outer o;
	int rc, encrypted;

	*der = NULL;
	if ((rc = parse_outer(blob, len, &o, err)) != 0)
		return rc;
	encrypted = o.cipher->algo != 0;
	sec = secure_alloc(o.enc_len);
	if (!encrypted)
		memcpy(sec, o.enc, o.enc_len);
	else if ((rc = decrypt_section(&o, pass, pass_len, sec)) != 0)
		rp_fail(err, rc, "wrong passphrase");
	if (rc == 0 && (rc = parse_section(sec, o.enc_len, encrypted, m,
	    err)) == 0) {
		if (matches_public(&o, m))
			*der = to_pkcs1(m, der_len);
		else
			rc = fail(RP_MALFORMED, "OpenSSH key: the private key "
			    "does not match its public key", err);
	}
	mpi_release_all(m, NPARTS);
	secure_free(sec);
	return rc;
}
