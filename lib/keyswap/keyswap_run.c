/* SPDX-License-Identifier: ISC */
/* keyswap_run.c: one side of the exchange, as a sequence and as a run. */
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "keyswap/keyswap_run.h"

int
keyswap_begin(struct keyswap_state *s, const struct rsa_key *identity,
    const struct rsa_key *session,
    const unsigned char nonce[KEYSWAP_NONCE_LEN])
{
	memset(s, 0, sizeof(*s));
	s->own_len = keyswap_encode_hello(s->own_hello, identity->spki,
	    identity->spki_len, session->spki, session->spki_len, nonce);
	if (s->own_len == 0)
		return RP_REFUSED;
	s->stage = KEYSWAP_WANT_HELLO;
	return 0;
}

int
keyswap_expected(const struct keyswap_state *s)
{
	switch (s->stage) {
	case KEYSWAP_WANT_HELLO:
		return KEYSWAP_HELLO;
	case KEYSWAP_WANT_PROOF:
		return KEYSWAP_PROOF;
	case KEYSWAP_WANT_VERDICT:
		return KEYSWAP_VERDICT;
	default:
		return 0;
	}
}

/* A key the peer sent; a bad one is named in s->bad_key. */
static int
peer_key(struct keyswap_state *s, struct rsa_key *key,
    const unsigned char *der, size_t len, const char *what,
    struct rp_error *err)
{
	if (key_from_spki(key, der, len, err) == 0)
		return 0;
	s->bad_key = what;
	rp_prefix(err, "peer sent a bad %s key", what);
	if (err != NULL)
		err->code = RP_REFUSED;
	return RP_REFUSED;
}

static int
take_hello(struct keyswap_state *s, const unsigned char *body, size_t len,
    struct rp_error *err)
{
	struct keyswap_hello hello;
	int rc;

	if ((rc = keyswap_parse_hello(&hello, body, len, err)) != 0 ||
	    (rc = keyswap_check_not_reflected(s->own_hello, s->own_len,
	    s->peer_hello, s->peer_len, err)) != 0)
		return rc;
	if ((rc = peer_key(s, &s->peer_identity, hello.identity,
	    hello.identity_len, "identity", err)) != 0 ||
	    (rc = peer_key(s, &s->peer_session, hello.session,
	    hello.session_len, "session", err)) != 0)
		return rc;
	keyswap_transcript(s->t, s->own_hello, s->own_len, s->peer_hello,
	    s->peer_len);
	return 0;
}

static int
take_proof(struct keyswap_state *s, const unsigned char *body, size_t len,
    struct rp_error *err)
{
	const unsigned char *sig;
	size_t sig_len;
	int rc;

	if ((rc = keyswap_parse_proof(&sig, &sig_len, body, len, err)) != 0)
		return rc;
	if (keyswap_verify_proof(&s->peer_identity, s->t, s->peer_hello,
	    s->peer_len, sig, sig_len) != 0)
		return rp_fail(err, RP_AUTH, "peer's proof does not verify: "
		    "the exchange was tampered with, replayed or reflected");
	return 0;
}

int
keyswap_take(struct keyswap_state *s, const unsigned char *frame,
    size_t len, struct rp_error *err)
{
	const unsigned char *body = frame + KEYSWAP_HEADER_LEN;
	size_t body_len = len - KEYSWAP_HEADER_LEN;
	int rc;

	if (len < KEYSWAP_HEADER_LEN || keyswap_expected(s) == 0 ||
	    frame[5] != keyswap_expected(s))
		return rp_fail(err, RP_MALFORMED, "unexpected message");
	switch (s->stage) {
	case KEYSWAP_WANT_HELLO:
		/* Kept whole: the transcript and the proof cover it. */
		memcpy(s->peer_hello, frame, len);
		s->peer_len = len;
		rc = take_hello(s, body, body_len, err);
		break;
	case KEYSWAP_WANT_PROOF:
		rc = take_proof(s, body, body_len, err);
		break;
	default:
		rc = keyswap_parse_verdict_value(&s->verdict, body, body_len,
		    err);
		break;
	}
	if (rc == 0)
		s->stage++;
	return rc;
}

size_t
keyswap_make_proof(const struct keyswap_state *s,
    const struct rsa_key *identity, unsigned char *out)
{
	unsigned char sig[KEYSWAP_SIG_MAX];
	size_t len;

	if (s->stage < KEYSWAP_WANT_PROOF)
		rp_fatal("proof before the hello");
	len = keyswap_sign_proof(identity, s->t, s->own_hello, s->own_len,
	    sig);
	return keyswap_encode_proof(out, sig, len);
}

void
keyswap_state_free(struct keyswap_state *s)
{
	key_free(&s->peer_identity);
	key_free(&s->peer_session);
	wipe(s, sizeof(*s));
}

void
keyswap_send_verdict(struct keyswap_conn *conn, int verdict)
{
	unsigned char frame[KEYSWAP_HEADER_LEN + 1];
	size_t n;

	if ((n = keyswap_encode_verdict(frame, verdict)) == 0)
		rp_fatal("verdict %d", verdict);
	keyswap_send_quietly(conn, frame, n);
}

/* Receive the frame the sequence expects and take it. */
static int
receive_take(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	unsigned char frame[KEYSWAP_FRAME_MAX];
	size_t frame_len;
	int rc;

	if ((rc = keyswap_receive(conn, keyswap_expected(s), frame,
	    &frame_len, err)) != 0)
		return rc;
	return keyswap_take(s, frame, frame_len, err);
}

int
keyswap_run_hello_proof(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rsa_key *identity, const struct rsa_key *session,
    struct rp_error *err)
{
	unsigned char nonce[KEYSWAP_NONCE_LEN], frame[KEYSWAP_FRAME_MAX];
	int rc;

	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	if (keyswap_begin(s, identity, session, nonce) != 0)
		return rp_fail(err, RP_USAGE, "key too large for keyswap");
	/* Both sides write first, then read: no roles, no deadlock (a
	 * hello fits in any pipe or socket buffer). */
	if ((rc = keyswap_send(conn, s->own_hello, s->own_len, err)) != 0 ||
	    (rc = receive_take(s, conn, err)) != 0)
		return rc;
	rc = keyswap_send(conn, frame, keyswap_make_proof(s, identity, frame),
	    err);
	key_free(identity); /* the private identity is not needed again */
	if (rc != 0)
		return rc;
	if ((rc = receive_take(s, conn, err)) == RP_AUTH)
		keyswap_send_verdict(conn, KEYSWAP_REFUSE);
	return rc;
}

int
keyswap_run_verdict(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	int rc;

	if ((rc = receive_take(s, conn, err)) != 0)
		return rc;
	return s->verdict;
}
