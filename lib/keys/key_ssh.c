/* SPDX-License-Identifier: ISC */
/*
 * key_ssh.c: RSA keys in OpenSSH's public forms: "ssh-rsa BASE64" lines,
 * RFC 4253 blobs, the public half of an OpenSSH private key file; and
 * the fingerprint ssh-keygen -l shows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/bytes.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/keys.h"
#include "keys/keys_der.h"
#include "keys/openssh_key.h"

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

/*
 * "ssh-rsa BASE64 [comment]" on one line (RFC 4253 section 6.6 blob:
 * string "ssh-rsa", mpint e, mpint n, nothing after).
 */
int
keys_parse_ssh_line(struct rsa_key *key, const unsigned char *buf,
    size_t len, struct rp_error *err)
{
	const unsigned char *p = buf, *end = buf + len, *b64, *s, *nl;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl != NULL) {
		/* One key, one line: only blank space may follow. */
		for (s = nl; s < end; s++)
			if (*s != '\n' && *s != '\r' && *s != ' ' &&
			    *s != '\t')
				return rp_fail(err, RP_MALFORMED, "trailing "
				    "data after the ssh key line");
		end = nl;
	}
	if (len >= 7 && (size_t)(end - p) >= 8 &&
	    memcmp(p, "ssh-rsa", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
		p += 8;
	} else
		return rp_fail(err, RP_REFUSED, "not an RSA key");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	b64 = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	return key_from_ssh_base64(key, b64, (size_t)(p - b64), err);
}

int
key_from_ssh_base64(struct rsa_key *key, const unsigned char *b64,
    size_t len, struct rp_error *err)
{
	unsigned char *blob;
	size_t bloblen;
	int rc;

	/* One reason for every bad spelling, as ssh-rsa lines have always
	 * been refused; b64_decode()'s finer ones stay unsaid. */
	blob = rp_alloc(B64_DECODED_MAX(len));
	if (len == 0 || b64_decode((const char *)b64, len, 0, blob,
	    B64_DECODED_MAX(len), &bloblen, NULL) != 0)
		rc = rp_fail(err, RP_MALFORMED, "bad base64");
	else
		rc = key_from_ssh_blob(key, blob, bloblen, err);
	free(blob);
	return rc;
}

int
key_from_ssh_blob(struct rsa_key *key, const unsigned char *blob,
    size_t len, struct rp_error *err)
{
	const unsigned char *s;
	size_t n;
	struct reader r;
	gcry_mpi_t e = NULL, mod = NULL;
	int rc;

	rd_init(&r, blob, len);
	if (rd_vec(&r, 4, 0, SIZE_MAX, &s, &n) != 0 || n != 7 ||
	    memcmp(s, "ssh-rsa", 7) != 0 ||
	    rd_mpint(&r, SIZE_MAX, 1, &e) != 0 ||
	    rd_mpint(&r, SIZE_MAX, 1, &mod) != 0)
		rc = rp_fail(err, RP_MALFORMED, "malformed ssh-rsa key");
	else if (rd_end(&r) != 0)
		rc = rp_fail(err, RP_MALFORMED,
		    "trailing data in the ssh-rsa key");
	else
		rc = keys_set_public(key, mod, e, err);
	gcry_mpi_release(e);
	gcry_mpi_release(mod);
	return rc;
}

/* The public half of an OpenSSH private key is stored in the clear:
 * no passphrase, no private parse. */
int
keys_parse_openssh_public(struct rsa_key *key, const unsigned char *buf,
    size_t len, struct rp_error *err)
{
	struct openssh_key_info info;
	unsigned char *blob;
	size_t bloblen;
	int rc;

	if ((rc = pem_decode(buf, len, OPENSSH_KEY_LABEL, &blob, &bloblen,
	    err)) != 0)
		return rc;
	if ((rc = openssh_key_info(blob, bloblen, &info, err)) == 0)
		rc = key_from_ssh_blob(key, info.pub, info.pub_len, err);
	secure_free(blob);
	return rc;
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
		rp_fatal("fingerprint: %s", gcry_strerror(err));
	len = sizeof(type) + elen + nlen;
	blob = rp_alloc(len);
	memcpy(blob, type, sizeof(type));
	err = gcry_mpi_print(GCRYMPI_FMT_SSH, blob + sizeof(type), elen,
	    NULL, e);
	if (err == 0)
		err = gcry_mpi_print(GCRYMPI_FMT_SSH, blob + sizeof(type) + elen,
		    nlen, NULL, n);
	if (err != 0)
		rp_fatal("fingerprint: %s", gcry_strerror(err));
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
