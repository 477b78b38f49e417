/* SPDX-License-Identifier: ISC */
/* keyswap_run.c: one side of the exchange, as a sequence and as a run. */
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "keyswap/keyswap_run.h"

int
keyswap_begin(struct keyswap_state *s, const struct rsa_key *identity,
    const struct rsa_key *session,
    const unsigned char nonce[KEYSWAP_NONCE_LEN], int scheme,
    const struct keyswap_invite *invite, struct rp_error *err)
{
	unsigned char field[KEYSWAP_INVITE_LEN];
	int rc;

	memset(s, 0, sizeof(*s));
	s->own_scheme = scheme;
	if (invite != NULL &&
	    (rc = keyswap_invite_start(s, invite, field, err)) != 0)
		return rc;
	s->own_len = keyswap_encode_hello(s->own_hello, identity->spki,
	    identity->spki_len, session->spki, session->spki_len, nonce,
	    scheme, invite != NULL ? field : NULL);
	if (s->own_len == 0) {
		spake2_free(&s->pake);
		return rp_fail(err, RP_USAGE, "key too large for keyswap");
	}
	s->stage = KEYSWAP_WANT_HELLO;
	return 0;
}

const char *
keyswap_verdict_reason(int value)
{
	switch (value) {
	case KEYSWAP_REFUSE_INVITE_SPENT:
		return "the invite code is spent or expired; ask for a new one";
	case KEYSWAP_REFUSE_INVITE_MISMATCH:
		return "the invite code did not match: either it was mistyped "
		    "or someone is in the middle; nothing was recorded, and "
		    "the code is spent";
	case KEYSWAP_REFUSE_BUSY:
		return "the service is at capacity; try again later";
	default:
		return NULL;
	}
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
	    s->peer_hello, s->peer_len, err)) != 0 ||
	    (rc = keyswap_invite_hello(s, &hello, err)) != 0)
		return rc;
	s->peer_scheme = hello.scheme;
	if ((rc = peer_key(s, &s->peer_identity, hello.identity,
	    hello.identity_len, "identity", err)) != 0 ||
	    (rc = peer_key(s, &s->peer_session, hello.session,
	    hello.session_len, "session", err)) != 0)
		return rc;
	keyswap_transcript(s->t, s->own_hello, s->own_len, s->peer_hello,
	    s->peer_len);
	if (hello.invite != NULL)
		return keyswap_invite_finish(s, &hello, err);
	return 0;
}

static int
take_proof(struct keyswap_state *s, const unsigned char *body, size_t len,
    struct rp_error *err)
{
	const unsigned char *sig, *confirm;
	size_t sig_len;
	int rc;

	if ((rc = keyswap_parse_proof(&sig, &sig_len, &confirm,
	    s->invite_role != 0, body, len, err)) != 0)
		return rc;
	/* The confirmation first: a wrong code is said as such. */
	if (confirm != NULL &&
	    (rc = keyswap_invite_verify(s, confirm, err)) != 0)
		return rc;
	if (keyswap_verify_proof(&s->peer_identity, s->peer_scheme, s->t,
	    s->peer_hello, s->peer_len, sig, sig_len) != 0) {
		s->refusal = KEYSWAP_REFUSE;
		return rp_fail(err, RP_AUTH, "peer's proof does not verify: "
		    "the exchange was tampered with, replayed or reflected");
	}
	return 0;
}

/* A verdict where the proof is due: only a refusal may come early. */
static int
take_early_verdict(struct keyswap_state *s, const unsigned char *body,
    size_t len, struct rp_error *err)
{
	const char *why;
	int rc;

	if ((rc = keyswap_parse_verdict_value(&s->verdict, body, len,
	    err)) != 0)
		return rc;
	if (s->verdict == KEYSWAP_ACCEPT)
		return rp_fail(err, RP_MALFORMED,
		    "peer accepted before sending its proof");
	s->early = 1;
	s->stage = KEYSWAP_DONE;
	if ((why = keyswap_verdict_reason(s->verdict)) != NULL)
		return rp_fail(err, RP_REFUSED, "%s", why);
	return rp_fail(err, RP_REFUSED, "peer refused the exchange "
	    "(verdict %d)", s->verdict);
}

int
keyswap_take(struct keyswap_state *s, const unsigned char *frame,
    size_t len, struct rp_error *err)
{
	const unsigned char *body = frame + KEYSWAP_HEADER_LEN;
	size_t body_len = len - KEYSWAP_HEADER_LEN;
	int rc;

	if (len < KEYSWAP_HEADER_LEN || keyswap_expected(s) == 0)
		return rp_fail(err, RP_MALFORMED, "unexpected message");
	if (s->stage == KEYSWAP_WANT_PROOF && frame[5] == KEYSWAP_VERDICT)
		return take_early_verdict(s, body, body_len, err);
	if (frame[5] != keyswap_expected(s))
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

int
keyswap_make_proof(const struct keyswap_state *s,
    const struct keyswap_signer *signer, unsigned char *out, size_t *len,
    struct rp_error *err)
{
	unsigned char sig[KEYSWAP_PROOF_SIG_MAX];
	unsigned char p[KEYSWAP_CONTEXT_LEN];
	size_t sig_len = 0;
	int rc;

	if (s->stage < KEYSWAP_WANT_PROOF || signer->scheme != s->own_scheme)
		rp_fatal("proof before the hello, or of another scheme");
	keyswap_proof_message(p, s->t, s->own_hello, s->own_len);
	if ((rc = signer->sign(signer, p, sig, &sig_len, err)) != 0)
		return rc;
	*len = keyswap_encode_proof(out, sig, sig_len,
	    s->invite_role != 0 ? s->confirm : NULL);
	if (*len == 0)
		return rp_fail(err, RP_USAGE, "proof too large for keyswap");
	return 0;
}

void
keyswap_state_free(struct keyswap_state *s)
{
	spake2_free(&s->pake);
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

/*
 * We made or typed a code and the peer's hello has none: a peer that
 * saw our invite says why in a verdict at once (04: nothing to match it
 * any more); read it if it comes within a second.
 */
static void
peek_early_verdict(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	unsigned char frame[KEYSWAP_FRAME_MAX];
	struct rp_error e2;
	size_t len;
	int value;

	if (keyswap_conn_ready(conn, 1000, &e2) <= 0 ||
	    keyswap_receive(conn, KEYSWAP_VERDICT, frame, &len, &e2) != 0 ||
	    keyswap_parse_verdict_value(&value, frame + KEYSWAP_HEADER_LEN,
	    len - KEYSWAP_HEADER_LEN, &e2) != 0 ||
	    keyswap_verdict_reason(value) == NULL)
		return;
	s->verdict = value;
	s->early = 1;
	rp_fail(err, RP_REFUSED, "%s", keyswap_verdict_reason(value));
}

/* Hellos: ours out, the peer's in; a refused one answered early. */
static int
run_hellos(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	int rc;

	/* Both sides write first, then read: no roles, no deadlock (a
	 * hello fits in any pipe or socket buffer). */
	if ((rc = keyswap_send(conn, s->own_hello, s->own_len, err)) != 0)
		return rc;
	if ((rc = receive_take(s, conn, err)) == 0)
		return 0;
	if (s->refusal != 0)
		keyswap_send_verdict(conn, s->refusal);
	if (s->peer_no_invite)
		peek_early_verdict(s, conn, err);
	return rc;
}

/*
 * The peer closed the connection as we sent our proof: one that refused
 * early wrote its verdict before leaving, and it says more than "peer
 * closed the connection".  Returns RP_REFUSED with it, else RP_MORE.
 */
static int
read_refusal(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err)
{
	struct rp_error early;

	rp_clear(&early);
	if (receive_take(s, conn, &early) != 0 && s->early) {
		*err = early;
		return RP_REFUSED;
	}
	return RP_MORE;
}

int
keyswap_run_busy(struct keyswap_state *s, struct keyswap_conn *conn,
    const struct rsa_key *identity, const struct rsa_key *session,
    struct rp_error *err)
{
	unsigned char nonce[KEYSWAP_NONCE_LEN];
	int rc;

	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	if ((rc = keyswap_begin(s, identity, session, nonce,
	    KEYSWAP_SCHEME_PSS, NULL, err)) != 0)
		return rc;
	if ((rc = run_hellos(s, conn, err)) != 0)
		return rc;
	keyswap_send_verdict(conn, KEYSWAP_REFUSE_BUSY);
	return rp_fail(err, RP_REFUSED, "refused the peer: at capacity "
	    "(--busy)");
}

int
keyswap_run_hello_proof(struct keyswap_state *s, struct keyswap_conn *conn,
    const struct keyswap_signer *signer, const struct rsa_key *session,
    const struct keyswap_invite *invite, struct rp_error *err)
{
	unsigned char nonce[KEYSWAP_NONCE_LEN], frame[KEYSWAP_FRAME_MAX];
	size_t len = 0;
	int rc;

	gcry_randomize(nonce, sizeof(nonce), GCRY_STRONG_RANDOM);
	if ((rc = keyswap_begin(s, signer->key, session, nonce,
	    signer->scheme, invite, err)) != 0)
		return rc;
	if ((rc = run_hellos(s, conn, err)) != 0)
		return rc;
	if ((rc = keyswap_make_proof(s, signer, frame, &len, err)) != 0)
		return rc;
	if ((rc = keyswap_send(conn, frame, len, err)) != 0)
		return rc == RP_MORE ? read_refusal(s, conn, err) : rc;
	if ((rc = receive_take(s, conn, err)) == RP_AUTH)
		keyswap_send_verdict(conn, s->refusal != 0 ? s->refusal :
		    KEYSWAP_REFUSE);
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
