/* SPDX-License-Identifier: ISC */
/*
 * keyswap_run.h: one side of the keyswap exchange (doc/KEYSWAP.md): the
 * sequence of its messages, and its run over a connection.
 *
 * The sequence is a state machine without I/O: keyswap_begin() makes our
 * hello, keyswap_take() takes each frame of the peer in the order the
 * protocol has them (hello, proof, verdict) and refuses anything else,
 * keyswap_make_proof() makes our proof once the peer's hello is in.  It
 * never exits, so the fuzz target drives exactly this sequence.
 *
 * keyswap_run_hello_proof() and keyswap_run_verdict() run it over a
 * keyswap_conn and return the first failure's code and reason (whose
 * doing each code is: keyswap.h).  The trust decision between them is
 * keyswap_trust.h's.
 */
#ifndef RSAPIPE_KEYSWAP_RUN_H
#define RSAPIPE_KEYSWAP_RUN_H

#include <stddef.h>

#include "keys/keys.h"
#include "keyswap/keyswap.h"

enum keyswap_stage {
	KEYSWAP_WANT_HELLO,   /* our hello is made; the peer's is next */
	KEYSWAP_WANT_PROOF,   /* the peer's keys and T are known, unverified */
	KEYSWAP_WANT_VERDICT, /* the peer's proof verified */
	KEYSWAP_DONE          /* the peer's verdict is in */
};

struct keyswap_state {
	int stage;                       /* enum keyswap_stage */
	unsigned char own_hello[KEYSWAP_FRAME_MAX];
	size_t own_len;
	unsigned char peer_hello[KEYSWAP_FRAME_MAX];
	size_t peer_len;
	unsigned char t[KEYSWAP_CONTEXT_LEN];  /* the session context */
	struct rsa_key peer_identity;    /* from the peer's hello */
	struct rsa_key peer_session;
	const char *bad_key;             /* "identity" or "session" when the
	                                    hello's key was refused */
	int verdict;                     /* the peer's verdict byte, as sent */
};

/*
 * Start: our hello from the public halves of identity and session and
 * the nonce.  Returns 0, or RP_REFUSED when a key is too large for a
 * hello.
 */
int keyswap_begin(struct keyswap_state *s, const struct rsa_key *identity,
    const struct rsa_key *session,
    const unsigned char nonce[KEYSWAP_NONCE_LEN]);

/* The frame type the sequence takes next (enum keyswap_type), or 0 when
 * it is done. */
int keyswap_expected(const struct keyswap_state *s);

/*
 * Take the peer's next frame (header and body, len bytes; the header
 * already checked by keyswap_parse_header).  Returns 0, or with the
 * reason in err: RP_MALFORMED (a frame of the wrong type or that does
 * not parse), RP_AUTH (a reflected hello, a proof that does not verify),
 * RP_REFUSED (a key in the hello that is refused; s->bad_key says
 * which).
 */
int keyswap_take(struct keyswap_state *s, const unsigned char *frame,
    size_t len, struct rp_error *err);

/* Our proof frame into out (KEYSWAP_FRAME_MAX bytes), once the peer's
 * hello is in; returns its length.  Called before that, rp_fatal(). */
size_t keyswap_make_proof(const struct keyswap_state *s,
    const struct rsa_key *identity, unsigned char *out);

/* Release the peer's keys and wipe the state. */
void keyswap_state_free(struct keyswap_state *s);

/*
 * Hellos, then proofs, over conn: both sides write first, then read.
 * identity's private half signs our proof and is released (key_free)
 * as soon as the proof is sent.  Returns 0 with s->peer_identity,
 * s->peer_session and s->t verified, or the first failure's code
 * (RP_USAGE: our key is too large for a hello).  A proof that does not
 * verify is answered with a refusing verdict before RP_AUTH returns.
 */
int keyswap_run_hello_proof(struct keyswap_state *s,
    struct keyswap_conn *conn, struct rsa_key *identity,
    const struct rsa_key *session, struct rp_error *err);

/* Read the peer's verdict; returns the byte as sent (KEYSWAP_ACCEPT or a
 * refusal, >= 0), or the code of a malformed or missing verdict. */
int keyswap_run_verdict(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err);

/* Send our verdict, best effort (the peer may be gone already). */
void keyswap_send_verdict(struct keyswap_conn *conn, int verdict);

#endif
