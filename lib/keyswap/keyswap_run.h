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

#include <time.h>

#include "crypto/spake2.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"

/*
 * An invite (doc/KEYSWAP.md 4): the role, the number, and w, SPAKE2's
 * password scalar, which the caller keeps in secure memory
 * (invite_code_w()).  The inviter's invite expires at expires
 * (CLOCK_MONOTONIC; tv_sec 0 for never): counted from when the code was
 * shown, to the millisecond.
 */
struct keyswap_invite {
	int role;                 /* enum keyswap_invite_role */
	unsigned number;
	const unsigned char *w;   /* SPAKE2_SCALAR_LEN bytes */
	struct timespec expires;
};

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
	int own_scheme, peer_scheme;     /* enum keyswap_scheme */
	int invite_role;                 /* ours, 0 without an invite */
	unsigned invite_number;
	struct timespec invite_expires;
	int invite_spent;                /* a hello named our invite */
	int peer_no_invite;              /* we have one, the peer's hello not */
	struct spake2 pake;              /* secrets in secure memory */
	unsigned char confirm[KEYSWAP_CONFIRM_LEN]; /* ours, once finished */
	int refusal;                     /* the verdict to send when take
	                                    fails, 0 for none */
	int early;                       /* the peer's verdict came in place
	                                    of its proof */
};

/*
 * Start: our hello from the public halves of identity and session, the
 * nonce, our proof scheme and our invite (NULL for none).  Returns 0,
 * or RP_USAGE when a key is too large for a hello, or SPAKE2's code.
 */
int keyswap_begin(struct keyswap_state *s, const struct rsa_key *identity,
    const struct rsa_key *session,
    const unsigned char nonce[KEYSWAP_NONCE_LEN], int scheme,
    const struct keyswap_invite *invite, struct rp_error *err);

/* The frame type the sequence takes next (enum keyswap_type), or 0 when
 * it is done. */
int keyswap_expected(const struct keyswap_state *s);

/*
 * Take the peer's next frame (header and body, len bytes; the header
 * already checked by keyswap_parse_header).  Returns 0, or with the
 * reason in err: RP_MALFORMED (a frame of the wrong type or that does
 * not parse), RP_AUTH (a reflected hello, a proof or an invite
 * confirmation that does not verify), RP_REFUSED (a key in the hello
 * that is refused, s->bad_key says which; an invite that is not this
 * side's; a refusing verdict in place of the proof, s->early).  When
 * the peer should be told, s->refusal is the verdict to send.
 */
int keyswap_take(struct keyswap_state *s, const unsigned char *frame,
    size_t len, struct rp_error *err);

/* Our proof frame into out (KEYSWAP_FRAME_MAX bytes), once the peer's
 * hello is in, signed by signer (its scheme is the one our hello
 * named); *len its length.  The signer's failure comes back as its
 * code.  Called before the hello, rp_fatal(). */
int keyswap_make_proof(const struct keyswap_state *s,
    const struct keyswap_signer *signer, unsigned char *out, size_t *len,
    struct rp_error *err);

/* The words for a refusing verdict value of version 2 (4, 5, 6), NULL
 * for the others. */
const char *keyswap_verdict_reason(int value);

/* keyswap_invite.c: the invite's part of the sequence. */
int keyswap_invite_start(struct keyswap_state *s,
    const struct keyswap_invite *inv,
    unsigned char field[KEYSWAP_INVITE_LEN], struct rp_error *err);
int keyswap_invite_hello(struct keyswap_state *s,
    const struct keyswap_hello *peer, struct rp_error *err);
int keyswap_invite_finish(struct keyswap_state *s,
    const struct keyswap_hello *peer, struct rp_error *err);
int keyswap_invite_verify(struct keyswap_state *s,
    const unsigned char *confirm, struct rp_error *err);

/* Release the peer's keys and wipe the state. */
void keyswap_state_free(struct keyswap_state *s);

/*
 * Hellos, then proofs, over conn: both sides write first, then read.
 * signer signs our proof (its key's public half goes in the hello).
 * Returns 0 with s->peer_identity, s->peer_session and s->t verified,
 * or the first failure's code (RP_USAGE: our key is too large for a
 * hello; the signer's codes: an agent's trouble).  A hello or proof
 * that is refused is answered with s->refusal (or a plain refusal for
 * a proof) before the code returns.
 */
/*
 * A service at capacity (doc/KEYSWAP.md 2.5): hellos over conn, then
 * VERDICT 06 in place of our proof, no signature made.  Returns
 * RP_REFUSED once the verdict is sent, or the hellos' failure.
 */
int keyswap_run_busy(struct keyswap_state *s, struct keyswap_conn *conn,
    const struct rsa_key *identity, const struct rsa_key *session,
    struct rp_error *err);

int keyswap_run_hello_proof(struct keyswap_state *s,
    struct keyswap_conn *conn, const struct keyswap_signer *signer,
    const struct rsa_key *session, const struct keyswap_invite *invite,
    struct rp_error *err);

/* Read the peer's verdict; returns the byte as sent (KEYSWAP_ACCEPT or a
 * refusal, >= 0), or the code of a malformed or missing verdict. */
int keyswap_run_verdict(struct keyswap_state *s, struct keyswap_conn *conn,
    struct rp_error *err);

/* Send our verdict, best effort (the peer may be gone already). */
void keyswap_send_verdict(struct keyswap_conn *conn, int verdict);

#endif
