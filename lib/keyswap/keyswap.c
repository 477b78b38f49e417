/* SPDX-License-Identifier: ISC */
/* keyswap.c: the keyswap protocol: frames, transcript, proofs (the
 * connection is keyswap_conn.c). */
#include <stdint.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "keyswap/keyswap.h"

/* Domain-separation labels: a transcript or proof hash can never be
 * mistaken for any other SHA-256 this project signs or compares. */
static const char transcript_label[] = "rsapipe keyswap v1 transcript";
static const char proof_label[] = "rsapipe keyswap v1 proof";

int
keyswap_parse_header(const unsigned char hdr[KEYSWAP_HEADER_LEN], int *type,
    size_t *body_len, int *version, struct rp_error *err)
{
	const unsigned char *magic;
	struct reader r;
	size_t v, t;

	*version = 0;
	rd_init(&r, hdr, KEYSWAP_HEADER_LEN);
	(void)rd_bytes(&r, KEYSWAP_MAGIC_LEN, &magic);
	(void)rd_uint(&r, 1, &v);
	(void)rd_uint(&r, 1, &t);
	(void)rd_uint(&r, 2, body_len);
	if (memcmp(magic, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "peer is not speaking keyswap (bad magic)");
	/* Checked before anything else in the header: another version may
	 * lay the rest out differently, and must be refused, never
	 * negotiated down. */
	if (v != KEYSWAP_VERSION) {
		/* Version 0 is another version too, and said as such. */
		*version = (int)v;
		return rp_fail(err, RP_REFUSED, "peer speaks keyswap version "
		    "%d; this is version %d", *version, KEYSWAP_VERSION);
	}
	if (t < KEYSWAP_HELLO || t > KEYSWAP_VERDICT)
		return rp_fail(err, RP_MALFORMED, "unknown message type");
	if (*body_len > KEYSWAP_BODY_MAX)
		return rp_fail(err, RP_MALFORMED, "oversized message");
	*type = (int)t;
	return 0;
}

/* Start a frame of the given type in out (KEYSWAP_FRAME_MAX bytes); the
 * body length is filled in by frame_finish(). */
static void
frame_start(struct writer *w, unsigned char *out, int type)
{
	wr_init(w, out, KEYSWAP_FRAME_MAX);
	wr_bytes(w, KEYSWAP_MAGIC, KEYSWAP_MAGIC_LEN);
	wr_uint(w, 1, KEYSWAP_VERSION);
	wr_uint(w, 1, (size_t)type);
	wr_uint(w, 2, 0);
}

static size_t
frame_finish(struct writer *w)
{
	struct writer len;
	size_t n;

	if (wr_finish(w, &n) != 0)
		return 0;
	wr_init(&len, w->buf + KEYSWAP_HEADER_LEN - 2, 2);
	wr_uint(&len, 2, n - KEYSWAP_HEADER_LEN);
	return n;
}

size_t
keyswap_encode_hello(unsigned char *out, const unsigned char *identity,
    size_t identity_len, const unsigned char *session, size_t session_len,
    const unsigned char nonce[KEYSWAP_NONCE_LEN])
{
	struct writer w;

	if (identity_len == 0 || identity_len > KEYSWAP_SPKI_MAX ||
	    session_len == 0 || session_len > KEYSWAP_SPKI_MAX)
		return 0;
	frame_start(&w, out, KEYSWAP_HELLO);
	wr_vec(&w, 2, identity, identity_len);
	wr_vec(&w, 2, session, session_len);
	wr_bytes(&w, nonce, KEYSWAP_NONCE_LEN);
	return frame_finish(&w);
}

size_t
keyswap_encode_proof(unsigned char *out, const unsigned char *sig,
    size_t sig_len)
{
	struct writer w;

	if (sig_len == 0 || sig_len > KEYSWAP_SIG_MAX)
		return 0;
	frame_start(&w, out, KEYSWAP_PROOF);
	wr_vec(&w, 2, sig, sig_len);
	return frame_finish(&w);
}

size_t
keyswap_encode_verdict(unsigned char *out, int verdict)
{
	struct writer w;

	if (verdict != KEYSWAP_ACCEPT && verdict != KEYSWAP_REFUSE &&
	    verdict != KEYSWAP_REFUSE_NOT_ALLOWED)
		return 0;
	frame_start(&w, out, KEYSWAP_VERDICT);
	wr_uint(&w, 1, (size_t)verdict);
	return frame_finish(&w);
}

int
keyswap_parse_hello(struct keyswap_hello *hello, const unsigned char *body,
    size_t len, struct rp_error *err)
{
	struct reader r;

	rd_init(&r, body, len);
	if (rd_vec(&r, 2, 1, KEYSWAP_SPKI_MAX, &hello->identity,
	    &hello->identity_len) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (identity key length)");
	if (rd_vec(&r, 2, 1, KEYSWAP_SPKI_MAX, &hello->session,
	    &hello->session_len) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (session key length)");
	if (rd_bytes(&r, KEYSWAP_NONCE_LEN, &hello->nonce) != 0 ||
	    rd_end(&r) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (nonce length)");
	return 0;
}

int
keyswap_parse_proof(const unsigned char **sig, size_t *sig_len,
    const unsigned char *body, size_t len, struct rp_error *err)
{
	struct reader r;

	rd_init(&r, body, len);
	if (rd_vec(&r, 2, 1, KEYSWAP_SIG_MAX, sig, sig_len) != 0 ||
	    rd_end(&r) != 0)
		return rp_fail(err, RP_MALFORMED, "malformed proof");
	return 0;
}

int
keyswap_parse_verdict_value(int *value, const unsigned char *body,
    size_t len, struct rp_error *err)
{
	if (len != 1)
		return rp_fail(err, RP_MALFORMED, "malformed verdict");
	*value = body[0];
	return 0;
}

int
keyswap_parse_verdict(int *verdict, const unsigned char *body, size_t len,
    struct rp_error *err)
{
	int value = 0;

	if (keyswap_parse_verdict_value(&value, body, len, err) != 0)
		return RP_MALFORMED;
	/* A value we do not know is still no: only 00 accepts. */
	*verdict = value == KEYSWAP_ACCEPT ? KEYSWAP_ACCEPT : KEYSWAP_REFUSE;
	return 0;
}

int
keyswap_check_not_reflected(const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len, struct rp_error *err)
{
	struct keyswap_hello a, b;

	/* Our own hello sent back would make both proofs the same
	 * statement, so a reflected proof would verify: refuse it. */
	if (own_len == peer_len && memcmp(own, peer, own_len) == 0)
		return rp_fail(err, RP_AUTH,
		    "peer sent our own hello back (reflection)");
	if (own_len < KEYSWAP_HEADER_LEN || peer_len < KEYSWAP_HEADER_LEN)
		return rp_fail(err, RP_MALFORMED, "malformed hello");
	if (keyswap_parse_hello(&a, own + KEYSWAP_HEADER_LEN,
	    own_len - KEYSWAP_HEADER_LEN, err) != 0 ||
	    keyswap_parse_hello(&b, peer + KEYSWAP_HEADER_LEN,
	    peer_len - KEYSWAP_HEADER_LEN, err) != 0)
		return RP_MALFORMED;
	/* Our fresh nonce coming back means our hello was copied. */
	if (memcmp(a.nonce, b.nonce, KEYSWAP_NONCE_LEN) == 0)
		return rp_fail(err, RP_AUTH,
		    "peer echoed our nonce (reflection)");
	return 0;
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

/* SHA-256(label || T || SHA-256(hello)): what the sender of hello signs. */
static void
proof_digest(unsigned char out[RSA_DIGEST_LEN],
    const unsigned char t[KEYSWAP_CONTEXT_LEN], const unsigned char *hello,
    size_t hello_len)
{
	unsigned char hello_hash[RSA_DIGEST_LEN];
	gcry_buffer_t iov[3];

	gcry_md_hash_buffer(GCRY_MD_SHA256, hello_hash, hello, hello_len);
	set_buffer(&iov[0], proof_label, sizeof(proof_label) - 1);
	set_buffer(&iov[1], t, KEYSWAP_CONTEXT_LEN);
	set_buffer(&iov[2], hello_hash, sizeof(hello_hash));
	sha256_buffers(out, iov, 3);
}

size_t
keyswap_sign_proof(const struct rsa_key *identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own_hello, size_t own_len, unsigned char *sig)
{
	unsigned char digest[RSA_DIGEST_LEN];

	/* keyswap_begin() refused a key too large for a hello already. */
	if (rsa_modulus_bytes(identity) > KEYSWAP_SIG_MAX)
		rp_fatal("identity key too large for keyswap");
	proof_digest(digest, t, own_hello, own_len);
	rsa_pss_sign(identity, digest, sig);
	return rsa_modulus_bytes(identity);
}

int
keyswap_verify_proof(const struct rsa_key *peer_identity,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *peer_hello, size_t peer_len,
    const unsigned char *sig, size_t sig_len)
{
	unsigned char digest[RSA_DIGEST_LEN];

	proof_digest(digest, t, peer_hello, peer_len);
	return rsa_pss_verify(peer_identity, digest, sig, sig_len);
}
