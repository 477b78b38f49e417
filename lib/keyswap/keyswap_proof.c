/* SPDX-License-Identifier: ISC */
/*
 * keyswap_proof.c: the transcript T and the proofs of version 2
 * (doc/KEYSWAP.md 2 and 3): P, and its signature under each scheme,
 * made by a file key or by ssh-agent (the signer interface).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "crypto/rsa_pkcs1.h"
#include "keys/agent.h"
#include "keys/sshsig.h"
#include "keyswap/keyswap.h"

/* Domain-separation labels: a transcript or proof hash can never be
 * mistaken for any other SHA-256 this project signs or compares, nor
 * for version 1's. */
static const char transcript_label[] = "rsapipe keyswap v2 transcript";
static const char proof_label[] = "rsapipe keyswap v2 proof";

const char *
keyswap_scheme_name(int scheme)
{
	switch (scheme) {
	case KEYSWAP_SCHEME_PSS:
		return "rsa-pss-sha256";
	case KEYSWAP_SCHEME_SSHSIG_256:
		return "sshsig-rsa-sha2-256";
	case KEYSWAP_SCHEME_SSHSIG_512:
		return "sshsig-rsa-sha2-512";
	default:
		return NULL;
	}
}

/* The PKCS#1 hash of an SSHSIG scheme's signature algorithm. */
static enum rsa_pkcs1_hash
scheme_alg(int scheme)
{
	return scheme == KEYSWAP_SCHEME_SSHSIG_512 ? RSA_PKCS1_SHA512 :
	    RSA_PKCS1_SHA256;
}

/* One-shot SHA-256 over n buffers of ours: libgcrypt failing on them
 * is nobody's input. */
static void
sha256_buffers(unsigned char out[RSA_DIGEST_LEN], gcry_buffer_t *iov, int n)
{
	gcry_error_t e;

	e = gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, n);
	if (e)
		rp_fatal("SHA-256: %s", gcry_strerror(e));
}

static void
set_buffer(gcry_buffer_t *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->data = (void *)(uintptr_t)data;
	b->len = len;
}

void
keyswap_transcript(unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len)
{
	const unsigned char *first = own, *second = peer;
	size_t first_len = own_len, second_len = peer_len, min;
	unsigned char lens[8];
	struct writer w;
	gcry_buffer_t iov[5];
	int c;

	/* Canonical order: bytewise, the shorter first on a common
	 * prefix.  No roles, yet both sides hash the same bytes. */
	min = own_len < peer_len ? own_len : peer_len;
	c = memcmp(own, peer, min);
	if (c > 0 || (c == 0 && own_len > peer_len)) {
		first = peer, first_len = peer_len;
		second = own, second_len = own_len;
	}
	wr_init(&w, lens, sizeof(lens));
	wr_uint(&w, 4, first_len);
	wr_uint(&w, 4, second_len);
	set_buffer(&iov[0], transcript_label, sizeof(transcript_label) - 1);
	set_buffer(&iov[1], lens, 4);
	set_buffer(&iov[2], first, first_len);
	set_buffer(&iov[3], lens + 4, 4);
	set_buffer(&iov[4], second, second_len);
	sha256_buffers(t, iov, 5);
}

void
keyswap_proof_message(unsigned char p[KEYSWAP_CONTEXT_LEN],
    const unsigned char t[KEYSWAP_CONTEXT_LEN], const unsigned char *hello,
    size_t hello_len)
{
	unsigned char hello_hash[RSA_DIGEST_LEN];
	gcry_buffer_t iov[3];

	gcry_md_hash_buffer(GCRY_MD_SHA256, hello_hash, hello, hello_len);
	set_buffer(&iov[0], proof_label, sizeof(proof_label) - 1);
	set_buffer(&iov[1], t, KEYSWAP_CONTEXT_LEN);
	set_buffer(&iov[2], hello_hash, sizeof(hello_hash));
	sha256_buffers(p, iov, 3);
}

/* Copy an SSHSIG blob into the proof's signature field and free it. */
static int
take_blob(unsigned char *blob, size_t blob_len, unsigned char *sig,
    size_t *len, struct rp_error *err)
{
	int rc = 0;

	if (blob_len > KEYSWAP_PROOF_SIG_MAX)
		rc = rp_fail(err, RP_USAGE, "signature too large for keyswap");
	else
		memcpy(sig, blob, blob_len), *len = blob_len;
	free(blob);
	return rc;
}

static int
sign_file(const struct keyswap_signer *s,
    const unsigned char p[KEYSWAP_CONTEXT_LEN], unsigned char *sig,
    size_t *len, struct rp_error *err)
{
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	int rc;

	if (s->scheme == KEYSWAP_SCHEME_PSS) {
		if (rsa_modulus_bytes(s->key) > KEYSWAP_SIG_MAX)
			return rp_fail(err, RP_USAGE,
			    "identity key too large for keyswap");
		rsa_pss_sign(s->key, p, sig);
		*len = rsa_modulus_bytes(s->key);
		return 0;
	}
	if ((rc = sshsig_sign_key(s->key, SSHSIG_NAMESPACE_KEYSWAP,
	    RSA_PKCS1_SHA512, scheme_alg(s->scheme), p, KEYSWAP_CONTEXT_LEN,
	    &blob, &blob_len, err)) != 0)
		return rc;
	return take_blob(blob, blob_len, sig, len, err);
}

static int
sign_agent(const struct keyswap_signer *s,
    const unsigned char p[KEYSWAP_CONTEXT_LEN], unsigned char *sig,
    size_t *len, struct rp_error *err)
{
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	int rc;

	if ((rc = agent_sshsig(s->agent, s->key, SSHSIG_NAMESPACE_KEYSWAP,
	    RSA_PKCS1_SHA512, scheme_alg(s->scheme), p, KEYSWAP_CONTEXT_LEN,
	    &blob, &blob_len, err)) != 0)
		return rc;
	return take_blob(blob, blob_len, sig, len, err);
}

void
keyswap_signer_file(struct keyswap_signer *s, const struct rsa_key *key,
    int scheme)
{
	memset(s, 0, sizeof(*s));
	s->scheme = scheme;
	s->key = key;
	s->sign = sign_file;
}

void
keyswap_signer_agent(struct keyswap_signer *s, struct agent *a,
    const struct rsa_key *key, int scheme)
{
	memset(s, 0, sizeof(*s));
	s->scheme = scheme == KEYSWAP_SCHEME_PSS ? KEYSWAP_SCHEME_SSHSIG_512 :
	    scheme;
	s->key = key;
	s->agent = a;
	s->sign = sign_agent;
}

int
keyswap_verify_proof(const struct rsa_key *peer_identity, int scheme,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *peer_hello, size_t peer_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char p[KEYSWAP_CONTEXT_LEN];
	struct rp_error err;

	keyswap_proof_message(p, t, peer_hello, peer_len);
	if (scheme == KEYSWAP_SCHEME_PSS)
		return rsa_pss_verify(peer_identity, p, sig, sig_len) == 0 ?
		    0 : RP_AUTH;
	if (scheme != KEYSWAP_SCHEME_SSHSIG_256 &&
	    scheme != KEYSWAP_SCHEME_SSHSIG_512)
		return RP_AUTH;
	/* The algorithm the peer's hello named, and only it. */
	return sshsig_verify(peer_identity, SSHSIG_NAMESPACE_KEYSWAP, p,
	    KEYSWAP_CONTEXT_LEN, sig, sig_len, RSA_PKCS1_SHA512,
	    scheme_alg(scheme), &err) == 0 ? 0 : RP_AUTH;
}
