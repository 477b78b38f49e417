/* SPDX-License-Identifier: ISC */
/*
 * keyswap_v2.h: what version 2 adds to keyswap(1) (a module of
 * tools/keyswap.c, linked only into it): the identity that signs the
 * proof, a key file or a key held by ssh-agent ("agent:SHA256:..." or
 * "agent:FILE.pub"), and the invites (--invite NAME makes a code,
 * --code CODE types it).  Every local failure dies with status 2.
 */
#ifndef RSAPIPE_KEYSWAP_V2_H
#define RSAPIPE_KEYSWAP_V2_H

#include "keys/agent.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"
#include "keyswap/keyswap_trust.h"
#include "keyswap_options.h"

#define AGENT_PREFIX "agent:"

struct ks_identity {
	struct rsa_key key;             /* private for a file, public for an
	                                   agent key */
	struct agent agent;             /* fd -1 for a file key */
	int in_agent;
	struct keyswap_signer signer;
	char fingerprint[KEY_FINGERPRINT_LEN];
};

/* Open --identity: a key file, or the agent's key (connected, listed and
 * found before a byte goes to the peer). */
void ks_identity_open(struct ks_identity *id, const struct options *o);
/* After a failed exchange: if the agent failed (the signing), die with
 * status 2 naming the key's fingerprint and the cause; else return. */
void ks_identity_check_agent(struct ks_identity *id,
    const struct rp_error *err);
void ks_identity_close(struct ks_identity *id);

struct ks_invite {
	struct keyswap_invite inv;
	unsigned char *w;               /* secure memory; NULL: no invite */
};

/* --invite (make a code, say it, write --invite-file) or --code (parse
 * it); iv->w stays NULL without either.  Returns the timeout to use. */
unsigned int ks_invite_open(struct ks_invite *iv, const struct options *o);
void ks_invite_close(struct ks_invite *iv);

/*
 * The trust decision of an exchange whose invite code matched: the
 * code authenticated the peer, so a new peer is recorded after the
 * verdicts (j->record); a known name with another identity is refused.
 */
int ks_invite_judge(const struct options *o, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err);
/* Record the peer after the verdicts: --allowed or --known-peers. */
void ks_invite_record(const struct options *o, const char *fingerprint,
    struct keyswap_judgement *j);

/* The loud warning, in the spirit of ssh's, for a key that changed. */
void ks_identity_changed(const struct keyswap_trust *t, const char *fingerprint,
    const struct keyswap_judgement *j);

#endif
