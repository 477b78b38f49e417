/* SPDX-License-Identifier: ISC */
/* keyswap.c: the keyswap protocol's frames (the transcript and proofs
 * are keyswap_proof.c, the connection keyswap_conn.c). */
#include <stdint.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa.h"
#include "keyswap/keyswap.h"

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
		if (v == 1)
			return rp_fail(err, RP_REFUSED, "peer speaks keyswap "
			    "version 1; this is version %d: the peer needs a "
			    "newer rsapipe", KEYSWAP_VERSION);
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
    const unsigned char nonce[KEYSWAP_NONCE_LEN], int scheme,
    const unsigned char *invite)
{
	struct writer w;

	if (identity_len == 0 || identity_len > KEYSWAP_SPKI_MAX ||
	    session_len == 0 || session_len > KEYSWAP_SPKI_MAX ||
	    keyswap_scheme_name(scheme) == NULL)
		return 0;
	frame_start(&w, out, KEYSWAP_HELLO);
	wr_vec(&w, 2, identity, identity_len);
	wr_vec(&w, 2, session, session_len);
	wr_bytes(&w, nonce, KEYSWAP_NONCE_LEN);
	wr_uint(&w, 1, (size_t)scheme);
	wr_vec(&w, 2, invite, invite != NULL ? KEYSWAP_INVITE_LEN : 0);
	return frame_finish(&w);
}

size_t
keyswap_encode_proof(unsigned char *out, const unsigned char *sig,
    size_t sig_len, const unsigned char *confirm)
{
	struct writer w;

	if (sig_len == 0 || sig_len > KEYSWAP_PROOF_SIG_MAX)
		return 0;
	frame_start(&w, out, KEYSWAP_PROOF);
	wr_vec(&w, 2, sig, sig_len);
	if (confirm != NULL)
		wr_bytes(&w, confirm, KEYSWAP_CONFIRM_LEN);
	return frame_finish(&w);
}

size_t
keyswap_encode_verdict(unsigned char *out, int verdict)
{
	struct writer w;

	if (verdict != KEYSWAP_ACCEPT && verdict != KEYSWAP_REFUSE &&
	    verdict != KEYSWAP_REFUSE_NOT_ALLOWED &&
	    verdict != KEYSWAP_REFUSE_INVITE_SPENT &&
	    verdict != KEYSWAP_REFUSE_INVITE_MISMATCH &&
	    verdict != KEYSWAP_REFUSE_BUSY)
		return 0;
	frame_start(&w, out, KEYSWAP_VERDICT);
	wr_uint(&w, 1, (size_t)verdict);
	return frame_finish(&w);
}

/* The fields version 2 adds: the scheme and the invite. */
static int
parse_hello_v2(struct keyswap_hello *hello, struct reader *r,
    struct rp_error *err)
{
	const unsigned char *inv;
	size_t scheme, inv_len;

	if (rd_uint(r, 1, &scheme) != 0 ||
	    rd_vec(r, 2, 0, KEYSWAP_INVITE_LEN, &inv, &inv_len) != 0 ||
	    rd_end(r) != 0 || (inv_len != 0 && inv_len != KEYSWAP_INVITE_LEN))
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (scheme or invite length)");
	if (keyswap_scheme_name((int)scheme) == NULL)
		return rp_fail(err, RP_MALFORMED, "peer uses an unknown proof "
		    "scheme %zu", scheme);
	hello->scheme = (int)scheme;
	hello->invite = inv_len != 0 ? inv : NULL;
	hello->invite_role = 0;
	if (hello->invite == NULL)
		return 0;
	hello->invite_role = inv[0];
	hello->invite_number = (unsigned)inv[1] << 8 | inv[2];
	hello->share = inv + 3;
	if (inv[0] != KEYSWAP_INVITER && inv[0] != KEYSWAP_CALLER)
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (invite role %d)", inv[0]);
	return 0;
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
	if (rd_bytes(&r, KEYSWAP_NONCE_LEN, &hello->nonce) != 0)
		return rp_fail(err, RP_MALFORMED,
		    "malformed hello (nonce length)");
	return parse_hello_v2(hello, &r, err);
}

int
keyswap_parse_proof(const unsigned char **sig, size_t *sig_len,
    const unsigned char **confirm, int with_confirm,
    const unsigned char *body, size_t len, struct rp_error *err)
{
	struct reader r;

	*confirm = NULL;
	rd_init(&r, body, len);
	if (rd_vec(&r, 2, 1, KEYSWAP_PROOF_SIG_MAX, sig, sig_len) != 0 ||
	    (with_confirm &&
	    rd_bytes(&r, KEYSWAP_CONFIRM_LEN, confirm) != 0) ||
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
