/* SPDX-License-Identifier: ISC */
/*
 * keyswap.h: the keyswap protocol, an authenticated exchange of fresh
 * session public keys over the connection the chat then uses.
 *
 * The byte layout and the reasons for each part are in doc/KEYSWAP.md.
 * In short, each side sends three frames and reads three:
 *
 *	HELLO    identity SPKI, session SPKI, 32-byte nonce
 *	PROOF    RSA-PSS signature by the identity key over the transcript
 *	         hash T and the hash of the signer's own hello
 *	VERDICT  whether the sender accepted the peer
 *
 * Every frame starts with the same 8 bytes: magic "RPKS", version,
 * type, big-endian 16-bit body length.  The magic and version come first
 * in every version, so a peer of another version is refused by name.
 *
 * Everything here returns 0 or an rp_err code (core/error.h) with the
 * reason in the caller's struct rp_error, and never exits, so the fuzz
 * target and the unit test drive the same code as keyswap(1).  The
 * codes say whose doing a failure is: RP_IO and RP_USAGE are local
 * trouble; RP_MALFORMED, RP_REFUSED, RP_AUTH, RP_MORE (the peer closed
 * the connection) and RP_TIMEOUT (the peer did not answer) are the
 * peer's.  The frames, transcript and proofs are keyswap.c; the
 * connection is keyswap_conn.c.
 */
#ifndef RSAPIPE_KEYSWAP_H
#define RSAPIPE_KEYSWAP_H

#include <stddef.h>
#include <time.h>
#include <gcrypt.h>

#include "core/error.h"
#include "keys/keys.h"

#define KEYSWAP_MAGIC "RPKS"
#define KEYSWAP_MAGIC_LEN 4
#define KEYSWAP_VERSION 2
#define KEYSWAP_HEADER_LEN 8     /* magic, version, type, be16 length */
#define KEYSWAP_NONCE_LEN 32
#define KEYSWAP_CONTEXT_LEN 32   /* T, the session context */
#define KEYSWAP_SPKI_MAX 2100    /* a 16384-bit RSA SPKI is 2086 bytes */
#define KEYSWAP_SIG_MAX (KEY_MAX_BITS / 8) /* modulus bytes */
/* The signature field of a proof: a PSS signature, or an SSHSIG blob
 * (a 16384-bit key's is about 4.2 KiB). */
#define KEYSWAP_PROOF_SIG_MAX 6144
#define KEYSWAP_CONFIRM_LEN 32   /* SPAKE2's cA or cB */
#define KEYSWAP_SHARE_LEN 65     /* a SPAKE2 share, SEC1 uncompressed */
#define KEYSWAP_INVITE_LEN (1 + 2 + KEYSWAP_SHARE_LEN) /* role, number,
                                                           share */
#define KEYSWAP_BODY_MAX 8184    /* whole frame at most 8 KiB */
#define KEYSWAP_FRAME_MAX (KEYSWAP_HEADER_LEN + KEYSWAP_BODY_MAX)

enum keyswap_type {
	KEYSWAP_HELLO = 1,
	KEYSWAP_PROOF = 2,
	KEYSWAP_VERDICT = 3
};

/*
 * Verdict values (doc/KEYSWAP.md 2.4).  Anything but KEYSWAP_ACCEPT is a
 * refusal, including values this version does not know; the others only
 * say why, so the refused side can tell its user what to do.
 */
enum keyswap_verdict {
	KEYSWAP_ACCEPT = 0,
	KEYSWAP_REFUSE = 1,            /* refused (proof, pin, changed key...) */
	KEYSWAP_REFUSE_NOT_ALLOWED = 2, /* the receiver's identity is not on
	                                   the sender's allow list */
	KEYSWAP_REFUSE_INVITE_SPENT = 4, /* the invite is spent, expired or
	                                    unknown (may come early) */
	KEYSWAP_REFUSE_INVITE_MISMATCH = 5, /* the invite code did not match */
	KEYSWAP_REFUSE_BUSY = 6          /* the service is at capacity (may
	                                    come early) */
};

/* Proof schemes (doc/KEYSWAP.md 3): named in each side's hello. */
enum keyswap_scheme {
	KEYSWAP_SCHEME_PSS = 1,        /* rsa-pss-sha256 (version 1's) */
	KEYSWAP_SCHEME_SSHSIG_256 = 2, /* sshsig-rsa-sha2-256 */
	KEYSWAP_SCHEME_SSHSIG_512 = 3  /* sshsig-rsa-sha2-512 */
};

/* Invite roles (doc/KEYSWAP.md 4.2): SPAKE2's A and B. */
enum keyswap_invite_role {
	KEYSWAP_INVITER = 1,  /* made the code */
	KEYSWAP_CALLER = 2    /* typed it */
};

/* A parsed hello; the pointers point into the frame it came from. */
struct keyswap_hello {
	const unsigned char *identity; /* SPKI DER */
	size_t identity_len;
	const unsigned char *session;  /* SPKI DER */
	size_t session_len;
	const unsigned char *nonce;    /* KEYSWAP_NONCE_LEN bytes */
	int scheme;                    /* enum keyswap_scheme */
	const unsigned char *invite;   /* KEYSWAP_INVITE_LEN bytes, or NULL */
	int invite_role;               /* with an invite: its fields */
	unsigned invite_number;
	const unsigned char *share;
};

/*
 * Check a frame header.  On success sets *type and *body_len (at most
 * KEYSWAP_BODY_MAX) and returns 0.  Otherwise returns RP_MALFORMED, or
 * RP_REFUSED for another version with *version the peer's version (else
 * 0), with the reason in err.
 */
int keyswap_parse_header(const unsigned char hdr[KEYSWAP_HEADER_LEN],
    int *type, size_t *body_len, int *version, struct rp_error *err);

/*
 * Encoders write a whole frame (header and body) into out, which must
 * hold KEYSWAP_FRAME_MAX bytes, and return its length, or 0 if an input
 * exceeds its cap.
 */
size_t keyswap_encode_hello(unsigned char *out,
    const unsigned char *identity, size_t identity_len,
    const unsigned char *session, size_t session_len,
    const unsigned char nonce[KEYSWAP_NONCE_LEN], int scheme,
    const unsigned char *invite);
/* invite: NULL, or KEYSWAP_INVITE_LEN bytes (role, be16 number, share). */
/* confirm: NULL without an invite, else KEYSWAP_CONFIRM_LEN bytes. */
size_t keyswap_encode_proof(unsigned char *out, const unsigned char *sig,
    size_t sig_len, const unsigned char *confirm);
/* verdict: one of enum keyswap_verdict (else 0 is returned). */
size_t keyswap_encode_verdict(unsigned char *out, int verdict);

/* Body parsers: strict, every length checked, no trailing bytes;
 * 0 or RP_MALFORMED with the reason in err. */
int keyswap_parse_hello(struct keyswap_hello *hello,
    const unsigned char *body, size_t len, struct rp_error *err);
/* A proof carries a confirmation exactly when the exchange has an
 * invite (with_confirm); *confirm points to it, else is NULL. */
int keyswap_parse_proof(const unsigned char **sig, size_t *sig_len,
    const unsigned char **confirm, int with_confirm,
    const unsigned char *body, size_t len, struct rp_error *err);
/*
 * A verdict body is one byte.  keyswap_parse_verdict sets *verdict to
 * KEYSWAP_ACCEPT for 00 and to KEYSWAP_REFUSE for every other value;
 * keyswap_parse_verdict_value sets *value to the byte as sent (0..255),
 * for the reason of a refusal.  Only a length other than 1 is malformed.
 */
int keyswap_parse_verdict(int *verdict, const unsigned char *body,
    size_t len, struct rp_error *err);
int keyswap_parse_verdict_value(int *value, const unsigned char *body,
    size_t len, struct rp_error *err);

/*
 * Refuse a peer hello that is our own sent back (identical frame or our
 * nonce echoed).  Returns 0 if the two differ properly, else RP_AUTH (a
 * reflection) or RP_MALFORMED (a hello that does not parse), with the
 * reason in err.
 */
int keyswap_check_not_reflected(const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len, struct rp_error *err);

/*
 * The transcript hash T over both whole hello frames in canonical
 * (bytewise sorted) order, so both sides compute the same value without
 * roles.  The hellos must differ (keyswap_check_not_reflected).
 */
void keyswap_transcript(unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *own, size_t own_len,
    const unsigned char *peer, size_t peer_len);

/*
 * The proofs (keyswap_proof.c): P = SHA-256(label || T || SHA-256(the
 * signer's own hello)), signed under the scheme the signer's hello
 * names.  A signer is an interface: a file key signs PSS or SSHSIG
 * itself, an agent key signs SSHSIG through ssh-agent.
 */
struct agent;
struct keyswap_signer {
	int scheme;                    /* enum keyswap_scheme */
	const struct rsa_key *key;     /* the identity (public half at least) */
	struct agent *agent;           /* for keyswap_signer_agent() */
	/* Write the signature field for P into sig (KEYSWAP_PROOF_SIG_MAX
	 * bytes), its length into *len; 0 or an rp_err code. */
	int (*sign)(const struct keyswap_signer *s,
	    const unsigned char p[KEYSWAP_CONTEXT_LEN], unsigned char *sig,
	    size_t *len, struct rp_error *err);
};

/* A key with its private half: PSS (scheme 1) or SSHSIG (2, 3). */
void keyswap_signer_file(struct keyswap_signer *s, const struct rsa_key *key,
    int scheme);
/* A key held by the agent a (connected): SSHSIG (scheme 2 or 3), made
 * by agent_sshsig(), so the agent's failures come back with their
 * cause in a->cause. */
void keyswap_signer_agent(struct keyswap_signer *s, struct agent *a,
    const struct rsa_key *key, int scheme);

/* P for the sender of hello. */
void keyswap_proof_message(unsigned char p[KEYSWAP_CONTEXT_LEN],
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *hello, size_t hello_len);

/* 0 if sig is, under scheme, the proof of the sender of peer_hello;
 * else RP_AUTH. */
int keyswap_verify_proof(const struct rsa_key *peer_identity, int scheme,
    const unsigned char t[KEYSWAP_CONTEXT_LEN],
    const unsigned char *peer_hello, size_t peer_len,
    const unsigned char *sig, size_t sig_len);

/* The scheme's name ("rsa-pss-sha256", ...), NULL for none. */
const char *keyswap_scheme_name(int scheme);

/*
 * The connection: reads and writes on two descriptors under one overall
 * deadline (poll(2)), reading exactly the bytes of each frame and never
 * more, so the chat can follow on the same stream.
 */
struct keyswap_conn {
	int in, out;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	struct timespec paused;   /* when keyswap_conn_pause() stopped it */
};

void keyswap_conn_init(struct keyswap_conn *conn, int in, int out,
    unsigned int timeout_seconds);
/*
 * Stop and restart the clock: the time between keyswap_conn_pause() and
 * keyswap_conn_resume() (a person answering a question) is added to the
 * deadline, so it does not count against the timeout.
 */
void keyswap_conn_pause(struct keyswap_conn *conn);
void keyswap_conn_resume(struct keyswap_conn *conn);
/*
 * 1 if a read from the peer would not block (bytes or end of stream are
 * there) within ms milliseconds and before the deadline, else 0.  Reads
 * nothing.  RP_IO on a poll error.
 */
int keyswap_conn_ready(const struct keyswap_conn *conn, int ms,
    struct rp_error *err);
/* Write a whole frame: 0, RP_MORE ("peer closed the connection"),
 * RP_TIMEOUT or RP_IO (a local error). */
int keyswap_send(struct keyswap_conn *conn, const unsigned char *frame,
    size_t len, struct rp_error *err);
/* As keyswap_send, errors ignored: a last word before giving up. */
void keyswap_send_quietly(struct keyswap_conn *conn,
    const unsigned char *frame, size_t len);
/*
 * Read one frame of the expected type into frame (KEYSWAP_FRAME_MAX
 * bytes) and set *frame_len; the body follows the KEYSWAP_HEADER_LEN
 * header bytes.  Returns 0, RP_MORE (EOF: "peer closed the
 * connection"), RP_TIMEOUT, RP_IO, RP_REFUSED (another version) or
 * RP_MALFORMED (bad magic, an unexpected type, an oversized length).
 */
int keyswap_receive(struct keyswap_conn *conn, int expected_type,
    unsigned char *frame, size_t *frame_len, struct rp_error *err);

#endif
