/* SPDX-License-Identifier: ISC */
/* keyswap_trust.c: pinned, known, allowed or unverified: the decision. */
#include <stdio.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "core/tty.h"
#include "keyswap/keyswap_trust.h"

#define ANSWER_MAX 255            /* longest answer kept from the terminal */
#define SHORT_FINGERPRINT_LEN 16  /* a display name from a fingerprint */
#define FINGERPRINT_PREFIX_LEN 7  /* "SHA256:" */

int
keyswap_trust_check(const struct keyswap_trust *t, struct rp_error *err)
{
	int modes;

	if ((t->known_peers == NULL) != (t->name == NULL))
		return rp_fail(err, RP_USAGE,
		    "--known-peers and --name go together");
	if (t->name != NULL && !known_peers_valid_name(t->name))
		return rp_fail(err, RP_USAGE, "--name: want 1 to %d printable "
		    "characters without spaces", KNOWN_PEERS_NAME_MAX);
	modes = (t->peer != NULL) + (t->known_peers != NULL) +
	    (t->allowed != NULL) + (t->allowed_keys != NULL) + t->accept_any;
	if (modes == 0)
		return rp_fail(err, RP_USAGE, "refusing to trust an unknown "
		    "peer: give --peer, --known-peers with --name, --allowed, "
		    "--allowed-keys or --accept-any");
	if (modes > 1)
		return rp_fail(err, RP_USAGE, "--peer, --known-peers, "
		    "--allowed, --allowed-keys and --accept-any exclude each "
		    "other");
	if (t->new_peer_set && t->known_peers == NULL)
		return rp_fail(err, RP_USAGE, "--ask, --accept-new and "
		    "--refuse-new go with --known-peers");
	return 0;
}

int
keyswap_trust_open(const struct keyswap_trust *t, struct rp_error *err)
{
	struct known_peer_entry entry;
	char name[KNOWN_PEERS_NAME_MAX + 1];
	int rc;

	/* An empty fingerprint matches nothing: every line is checked. */
	if (t->known_peers != NULL && (rc = known_peers_check(t->known_peers,
	    t->name, "", &entry, err)) < 0)
		return rc;
	if (t->allowed != NULL && (rc = known_peers_allowed(t->allowed, "",
	    name, &entry, err)) < 0)
		return rc;
	return 0;
}

/* --known-peers: a changed key is refused, a new one as the policy says. */
static int
judge_known(const struct keyswap_trust *t, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err)
{
	int status;

	status = known_peers_check(t->known_peers, t->name, fingerprint,
	    &j->entry, err);
	if (status < 0)
		return status;
	if (status == KNOWN_PEER_CHANGED) {
		j->changed = 1;
		return rp_fail(err, RP_AUTH, "peer identity for '%s' has "
		    "changed; refusing (see %s)", t->name, t->known_peers);
	}
	snprintf(j->peer_name, sizeof(j->peer_name), "%s", t->name);
	if (status == KNOWN_PEER_MATCH)
		return 0;
	if (t->new_peer == KEYSWAP_NEW_REFUSE)
		return rp_fail(err, RP_AUTH, "unknown peer '%s' (%s) refused: "
		    "%s has no entry for it; pin it with --peer or accept it "
		    "with --accept-new", t->name, fingerprint, t->known_peers);
	j->ask = t->new_peer == KEYSWAP_NEW_ASK;
	j->record = 1;
	return 0;
}

/* The key of ring with this fingerprint (a public value: compared as
 * it is), or NULL. */
static const struct keyswap_named_key *
ring_find(const struct keyswap_keyring *ring, const char *fingerprint)
{
	size_t i;

	for (i = 0; i < ring->n; i++)
		if (strcmp(ring->keys[i].fingerprint, fingerprint) == 0)
			return &ring->keys[i];
	return NULL;
}

/* --peer and --allowed-keys: any key of the ring, under its name. */
static int
judge_ring(const struct keyswap_trust *t, const struct keyswap_keyring *ring,
    const char *fingerprint, struct keyswap_judgement *j,
    struct rp_error *err)
{
	if ((j->key = ring_find(ring, fingerprint)) != NULL) {
		snprintf(j->peer_name, sizeof(j->peer_name), "%s",
		    j->key->name);
		return 0;
	}
	if (t->allowed_keys != NULL) {
		j->verdict = KEYSWAP_REFUSE_NOT_ALLOWED;
		return rp_fail(err, RP_AUTH, "client %s is not on the allow "
		    "list %s", fingerprint, t->allowed_keys);
	}
	if (ring->n == 1)
		return rp_fail(err, RP_AUTH, "peer identity does not match "
		    "--peer (expected %s, got %s)", ring->keys[0].fingerprint,
		    fingerprint);
	return rp_fail(err, RP_AUTH, "peer identity does not match --peer "
	    "(expected one of the %zu keys of %s, got %s)", ring->n, t->peer,
	    fingerprint);
}

int
keyswap_judge(const struct keyswap_trust *t,
    const struct keyswap_keyring *ring, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err)
{
	int rc;

	memset(j, 0, sizeof(*j));
	j->verdict = KEYSWAP_REFUSE;
	/* Without a name from a file, the fingerprint is the name. */
	snprintf(j->peer_name, sizeof(j->peer_name), "%.*s",
	    SHORT_FINGERPRINT_LEN, fingerprint + FINGERPRINT_PREFIX_LEN);
	if (t->known_peers != NULL)
		return judge_known(t, fingerprint, j, err);
	if (t->allowed != NULL) {
		if ((rc = known_peers_allowed(t->allowed, fingerprint,
		    j->peer_name, &j->entry, err)) < 0)
			return rc;
		if (rc > 0) {
			j->allowed_line = j->entry.line;
			return 0;
		}
		j->verdict = KEYSWAP_REFUSE_NOT_ALLOWED;
		return rp_fail(err, RP_AUTH, "client %s is not on the allow "
		    "list %s", fingerprint, t->allowed);
	}
	if (t->peer != NULL || t->allowed_keys != NULL)
		return judge_ring(t, ring, fingerprint, j, err);
	j->unverified = 1;
	return 0;
}

/* The question until it has an answer: a known_peer_answer other than
 * OTHER, or the code of a failed read (signo set when a signal came). */
static int
ask_until_answered(const char *name, const char *fingerprint, int *signo,
    struct rp_error *err)
{
	char line[ANSWER_MAX + 1], text[KNOWN_PEERS_NAME_MAX + 240];
	const char *prompt = "Are you sure you want to continue connecting "
	    "(yes/no/[fingerprint])? ";
	int answer, rc, flags = TTY_FLUSH;

	snprintf(text, sizeof(text), "The authenticity of peer '%s' can't "
	    "be established.\nIts identity key fingerprint is %s.\n%s", name,
	    fingerprint, prompt);
	for (;;) {
		/* A line too long to be an answer is no answer. */
		rc = tty_ask(text, line, sizeof(line), flags, signo, err);
		if (rc < 0 && rc != RP_REFUSED)
			return rc;
		answer = known_peers_answer(line, fingerprint);
		if (answer != KNOWN_PEER_ANSWER_OTHER)
			return answer;
		snprintf(text, sizeof(text), "%s",
		    "Please type 'yes', 'no' or the fingerprint: ");
		flags = 0;
	}
}

int
keyswap_ask(struct keyswap_conn *conn, const char *name,
    const char *fingerprint, struct rp_error *err)
{
	int answer, signo;

	keyswap_conn_pause(conn); /* a person's time is not the peer's */
	answer = ask_until_answered(name, fingerprint, &signo, err);
	keyswap_conn_resume(conn);
	switch (answer) {
	case KNOWN_PEER_ANSWER_YES:
	case KNOWN_PEER_ANSWER_MATCH:
		return 0;
	case KNOWN_PEER_ANSWER_NO:
		return rp_fail(err, RP_AUTH, "peer '%s' not trusted (answered "
		    "no)", name);
	case KNOWN_PEER_ANSWER_MISMATCH:
		return rp_fail(err, RP_AUTH, "the fingerprint you typed does "
		    "not match peer '%s' (%s); not trusted", name, fingerprint);
	case RP_USAGE:
		return rp_fail(err, RP_AUTH, "unknown peer '%s' (%s) and no "
		    "terminal to ask on; pin it with --peer or accept it with "
		    "--accept-new", name, fingerprint);
	default:
		if (signo != 0)
			return rp_fail(err, RP_AUTH, "peer '%s' not trusted "
			    "(interrupted)", name);
		return rp_fail(err, RP_AUTH, "peer '%s' not trusted (no "
		    "answer: end of input on the terminal)", name);
	}
}

int
keyswap_record(const struct keyswap_trust *t, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err)
{
	int status;

	status = known_peers_record(t->known_peers, t->name, fingerprint,
	    &j->entry, err);
	if (status != KNOWN_PEER_CHANGED)
		return status;
	j->changed = 1;
	j->verdict = KEYSWAP_REFUSE;
	return rp_fail(err, RP_AUTH, "peer identity for '%s' has changed; "
	    "refusing (see %s)", t->name, t->known_peers);
}
