/* SPDX-License-Identifier: ISC */
/*
 * keyswap_invite.c: an invite's part of the exchange (doc/KEYSWAP.md 4):
 * the invite field of our hello, the check of the peer's, and SPAKE2
 * (RFC 9382, lib/crypto/spake2.c) with the transcript T as its AAD, so
 * the confirmation binds both identity keys, both session keys and both
 * shares.  Every secret stays in the SPAKE2 context's secure memory.
 */
#include <string.h>
#include <time.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/spake2.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"

/* RFC 9382's identities A and B for keyswap (doc/KEYSWAP.md 4.3). */
static const char id_a[] = "rsapipe inviter";
static const char id_b[] = "rsapipe caller";

int
keyswap_invite_start(struct keyswap_state *s,
    const struct keyswap_invite *inv,
    unsigned char field[KEYSWAP_INVITE_LEN], struct rp_error *err)
{
	int rc;

	if ((inv->role != KEYSWAP_INVITER && inv->role != KEYSWAP_CALLER) ||
	    inv->number == 0 || inv->number > 0xffff)
		return rp_fail(err, RP_USAGE, "not an invite");
	if ((rc = spake2_start(&s->pake, inv->role == KEYSWAP_INVITER ?
	    SPAKE2_A : SPAKE2_B, inv->w, id_a, sizeof(id_a) - 1, id_b,
	    sizeof(id_b) - 1, field + 3, err)) != 0)
		return rc;
	field[0] = (unsigned char)inv->role;
	field[1] = (unsigned char)(inv->number >> 8);
	field[2] = (unsigned char)inv->number;
	s->invite_role = inv->role;
	s->invite_number = inv->number;
	s->invite_expires = inv->expires;
	return 0;
}

/* The peer's hello against ours when we have no invite. */
static int
no_invite_here(struct keyswap_state *s, const struct keyswap_hello *peer,
    struct rp_error *err)
{
	if (peer->invite == NULL)
		return 0;
	/* A caller with a code for a number nobody holds here: spent,
	 * expired or unknown, all the same to it. */
	s->refusal = peer->invite_role == KEYSWAP_CALLER ?
	    KEYSWAP_REFUSE_INVITE_SPENT : KEYSWAP_REFUSE;
	return rp_fail(err, RP_REFUSED, "peer expected an invite code; "
	    "this side has none");
}

/* 1 if the CLOCK_MONOTONIC time at has passed. */
static int
expired(const struct timespec *at)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > at->tv_sec ||
	    (now.tv_sec == at->tv_sec && now.tv_nsec >= at->tv_nsec);
}

/* The inviter's checks: the number is ours and still valid. */
static int
inviter_hello(struct keyswap_state *s, const struct keyswap_hello *peer,
    struct rp_error *err)
{
	if (peer->invite_number != s->invite_number) {
		s->refusal = KEYSWAP_REFUSE_INVITE_SPENT;
		return rp_fail(err, RP_REFUSED, "peer typed a code for invite "
		    "%u; this invite is %u", peer->invite_number,
		    s->invite_number);
	}
	/* Spent now, right or wrong: this invite meets one guess. */
	s->invite_spent = 1;
	if (s->invite_expires.tv_sec != 0 && expired(&s->invite_expires)) {
		s->refusal = KEYSWAP_REFUSE_INVITE_SPENT;
		return rp_fail(err, RP_REFUSED, "the invite expired before the "
		    "peer came; nothing was recorded");
	}
	return 0;
}

int
keyswap_invite_hello(struct keyswap_state *s,
    const struct keyswap_hello *peer, struct rp_error *err)
{
	if (s->invite_role == 0)
		return no_invite_here(s, peer, err);
	if (peer->invite == NULL) {
		s->peer_no_invite = 1;
		s->refusal = KEYSWAP_REFUSE;
		return rp_fail(err, RP_REFUSED,
		    "peer did not use an invite code");
	}
	if (peer->invite_role == s->invite_role) {
		s->refusal = KEYSWAP_REFUSE;
		return rp_fail(err, RP_REFUSED, "both sides %s a code",
		    s->invite_role == KEYSWAP_INVITER ? "made" : "typed");
	}
	if (s->invite_role == KEYSWAP_INVITER)
		return inviter_hello(s, peer, err);
	if (peer->invite_number != s->invite_number) {
		s->refusal = KEYSWAP_REFUSE;
		return rp_fail(err, RP_REFUSED, "peer's invite is number %u, "
		    "not the code's %u", peer->invite_number,
		    s->invite_number);
	}
	return 0;
}

int
keyswap_invite_finish(struct keyswap_state *s,
    const struct keyswap_hello *peer, struct rp_error *err)
{
	int rc;

	rc = spake2_finish(&s->pake, peer->share, KEYSWAP_SHARE_LEN, s->t,
	    KEYSWAP_CONTEXT_LEN, s->confirm, err);
	if (rc == RP_MALFORMED)
		return rp_fail(err, RP_MALFORMED, "malformed hello (invite "
		    "share is not a point of P-256)");
	return rc;
}

int
keyswap_invite_verify(struct keyswap_state *s,
    const unsigned char *confirm, struct rp_error *err)
{
	if (spake2_verify(&s->pake, confirm, KEYSWAP_CONFIRM_LEN, err) == 0)
		return 0;
	s->refusal = KEYSWAP_REFUSE_INVITE_MISMATCH;
	return rp_fail(err, RP_AUTH, "%s",
	    keyswap_verdict_reason(KEYSWAP_REFUSE_INVITE_MISMATCH));
}
