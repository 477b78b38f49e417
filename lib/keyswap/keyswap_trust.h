/* SPDX-License-Identifier: ISC */
/*
 * keyswap_trust.h: whether the identity a peer proved is the peer we
 * want (doc/KEYSWAP.md, "Trust"): pinned with --peer (one key, or any of
 * the RSA keys of a file such as GitHub's NAME.keys), looked up by name
 * in a known-peers file (trust on first use, ssh's known_hosts), looked
 * up in an allow list (sshd's authorized_keys) or in a directory of
 * NAME.keys files, or taken unverified.
 *
 * The key files of --peer and --allowed-keys are read by the caller (a
 * tool: the parser of those files is lib/api's, a higher layer) into a
 * keyswap_keyring, which keyswap_judge() looks the proven key up in.
 *
 * keyswap_judge() decides between the proofs and the verdicts; a first
 * contact under --ask is put to the person at the terminal by
 * keyswap_ask(), and recorded after both verdicts by keyswap_record().
 * A refusal is RP_AUTH with the reason to print and the verdict to send
 * in the judgement; nothing here prints or exits.
 */
#ifndef RSAPIPE_KEYSWAP_TRUST_H
#define RSAPIPE_KEYSWAP_TRUST_H

#include "core/error.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"
#include "keyswap/known_peers.h"

/* What a known-peers file does with a name it has no entry for. */
enum keyswap_new_peer {
	KEYSWAP_NEW_RECORD,  /* --accept-new (the default) */
	KEYSWAP_NEW_ASK,     /* --ask: a person decides */
	KEYSWAP_NEW_REFUSE   /* --refuse-new */
};

/* A key of a --peer or --allowed-keys file, under the name the local
 * side gave the file. */
struct keyswap_named_key {
	char fingerprint[KEY_FINGERPRINT_LEN]; /* key_fingerprint() */
	const char *name;   /* a known_peers_valid_name() */
	const char *file;   /* the file, as named on the command line */
	unsigned long line; /* its line in file, or 0: the whole file */
};

/* The keys the peer may prove, owned by the caller. */
struct keyswap_keyring {
	struct keyswap_named_key *keys;
	size_t n;
};

/* The trust options; at most one of peer, known_peers, allowed,
 * allowed_keys and accept_any. */
struct keyswap_trust {
	const char *peer;         /* --peer FILE: the pinned identities */
	const char *known_peers;  /* --known-peers F, with name */
	const char *name;
	int new_peer;             /* enum keyswap_new_peer */
	int new_peer_set;         /* --ask, --accept-new or --refuse-new given */
	const char *allowed;      /* --allowed F */
	const char *allowed_keys; /* --allowed-keys DIR */
	int accept_any;           /* --accept-any */
};

/* What keyswap_judge() found, for the caller to act on and report. */
struct keyswap_judgement {
	int verdict;      /* to send when refusing (enum keyswap_verdict) */
	int ask;          /* first contact under --ask: call keyswap_ask() */
	int record;       /* first contact: keyswap_record() after verdicts */
	int unverified;   /* --accept-any: the fingerprint was not checked */
	int changed;      /* a known name with another identity: entry has
	                     the line that records the old one */
	struct known_peer_entry entry; /* the line that matched or changed */
	unsigned long allowed_line;    /* the allow list's line that names
	                                  the peer, or 0 */
	const struct keyswap_named_key *key; /* the --peer or --allowed-keys
	                                        key proven, or NULL */
	char peer_name[KNOWN_PEERS_NAME_MAX + 1]; /* for --peer-name-out */
};

/*
 * The options' combination: exactly one way to trust, --known-peers with
 * --name (a valid one), a new-peer policy only with --known-peers.
 * RP_USAGE with the reason when not.
 */
int keyswap_trust_check(const struct keyswap_trust *t, struct rp_error *err);

/*
 * Before any byte goes to the peer: read the trust files once, so a bad
 * one is a local failure (status 2), not a refused peer.  (The keyring
 * of --peer or --allowed-keys is the caller's to load.)
 */
int keyswap_trust_open(const struct keyswap_trust *t, struct rp_error *err);

/*
 * Judge the peer's verified identity (fingerprint, key_fingerprint());
 * ring holds the keys of --peer or --allowed-keys.
 * Returns 0 to go on (j->ask: a person must confirm first; j->record:
 * record it after the verdicts), or RP_AUTH with the reason and
 * j->verdict to send; RP_IO or RP_USAGE when a trust file cannot be
 * read (known_peers.h): a local failure, nothing to send.
 */
int keyswap_judge(const struct keyswap_trust *t,
    const struct keyswap_keyring *ring, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err);

/*
 * The first-contact question on /dev/tty, as ssh asks it, until it is
 * answered; the time it takes is not counted against conn's deadline.
 * Returns 0 for yes (or the right fingerprint pasted), else RP_AUTH with
 * the reason (no, a wrong fingerprint, no terminal, end of input,
 * interrupted).
 */
int keyswap_ask(struct keyswap_conn *conn, const char *name,
    const char *fingerprint, struct rp_error *err);

/*
 * Record a first contact in the known-peers file.  Returns KNOWN_PEER_NEW
 * (recorded) or KNOWN_PEER_MATCH (another keyswap recorded it
 * meanwhile), or RP_AUTH with j->changed when it recorded another
 * identity meanwhile; RP_IO or RP_USAGE when the file cannot be read
 * or replaced (a local failure, as for keyswap_judge()).
 */
int keyswap_record(const struct keyswap_trust *t, const char *fingerprint,
    struct keyswap_judgement *j, struct rp_error *err);

#endif
