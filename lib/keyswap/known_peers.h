/* SPDX-License-Identifier: ISC */
/*
 * known_peers.h: trust on first use for keyswap, like ssh's known_hosts,
 * and the server's allow list, like sshd's authorized_keys.
 *
 * The file holds one entry a line, "NAME VALUE", where VALUE is either a
 * fingerprint "SHA256:<43 base64 chars>" (what keyswap records) or the
 * base64 of the peer's SPKI DER (so a key received out of band can be
 * pasted in).  Blank lines and lines starting with '#' are ignored.  A
 * name may appear on several lines; any matching entry accepts the key.
 * Names are 1..255 printable characters without spaces ("host:port",
 * "alice@example.org").
 *
 * An allow list has the same lines, and also authorized_keys lines
 * without options, "ssh-rsa BASE64 NAME", whose comment is the name.
 */
#ifndef RSAPIPE_KNOWN_PEERS_H
#define RSAPIPE_KNOWN_PEERS_H

#include <stddef.h>

#include "core/error.h"
#include "keys/keys.h"

#define KNOWN_PEERS_FILE_MAX (1024 * 1024)
#define KNOWN_PEERS_NAME_MAX 255

enum known_peer_status {
	KNOWN_PEER_NEW,     /* no entry for the name */
	KNOWN_PEER_MATCH,   /* an entry for the name has this key */
	KNOWN_PEER_CHANGED  /* entries for the name, none with this key */
};

/* Where the first entry for the name is, for the "changed" warning;
 * after an error, the line refused. */
struct known_peer_entry {
	unsigned long line;
	char fingerprint[KEY_FINGERPRINT_LEN];
};

/* 1 if name is acceptable as a known-peers name, else 0. */
int known_peers_valid_name(const char *name);

/*
 * Look name up in the file contents buf (len bytes, need not be
 * NUL-terminated) for the key with the given fingerprint.  Returns a
 * known_peer_status, or an rp_err code (error.h) with its reason in err
 * and entry->line naming the line: RP_MALFORMED (the line does not
 * parse), RP_REFUSED (a base64 key in it that keys.h refuses).  Never
 * exits.
 */
int known_peers_lookup(const unsigned char *buf, size_t len,
    const char *name, const char *fingerprint,
    struct known_peer_entry *entry, struct rp_error *err);

/*
 * The file functions below return what they say or an rp_err code with
 * its reason (core/error.h), naming path: RP_IO when it cannot be
 * opened, locked, read or replaced, RP_USAGE ("F:LINE: why") when it is
 * too large or a line is refused: a trust file given on the command
 * line that cannot be used is the command's to fix (status 2).
 */

/* Read path and look name up; a missing file is KNOWN_PEER_NEW. */
int known_peers_check(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err);

/*
 * Record "name fingerprint" at the end of path, atomically (a new file
 * renamed over the old one) and under an exclusive lock so concurrent
 * keyswaps do not lose each other's entries.  The lookup is repeated
 * under the lock: returns KNOWN_PEER_NEW when recorded, or the status
 * found if another process recorded the name meanwhile (nothing written).
 */
int known_peers_record(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry,
    struct rp_error *err);

/*
 * Remove every entry for name from path, like ssh-keygen -R: atomically
 * (a new file, with the old one's mode, renamed over it) and under the
 * lock known_peers_record() takes.  Every other line is kept byte for
 * byte.  *removed is the number of entries removed; with 0 nothing is
 * written.  A missing file is RP_IO.
 */
int known_peers_forget(const char *path, const char *name,
    unsigned long *removed, struct rp_error *err);

/*
 * Look the key with the given fingerprint up in an allow list held in
 * buf (len bytes, need not be NUL-terminated).  Returns 1 with name set
 * to the NAME of the first line holding the key (name has room for
 * KNOWN_PEERS_NAME_MAX + 1 bytes; it is a known_peers_valid_name()) and
 * entry->line to that line, 0 if no line holds it, or an rp_err code
 * (as known_peers_lookup()) with its reason and entry->line naming the
 * first bad line.  Every line is checked, so an empty fingerprint
 * validates the whole list.  Never exits.
 */
int known_peers_allowed_lookup(const unsigned char *buf, size_t len,
    const char *fingerprint, char *name, struct known_peer_entry *entry,
    struct rp_error *err);

/* Read the allow list path and look the key up, as above; a missing
 * file is RP_IO. */
int known_peers_allowed(const char *path, const char *fingerprint,
    char *name, struct known_peer_entry *entry, struct rp_error *err);

/* What a person answered to the first-contact question. */
enum known_peer_answer {
	KNOWN_PEER_ANSWER_OTHER,    /* none of these: ask again */
	KNOWN_PEER_ANSWER_YES,
	KNOWN_PEER_ANSWER_NO,
	KNOWN_PEER_ANSWER_MATCH,    /* the peer's fingerprint, pasted */
	KNOWN_PEER_ANSWER_MISMATCH  /* a fingerprint, but another one */
};

/*
 * Classify an answer (a NUL-terminated line without its newline) to
 * "Are you sure you want to continue connecting (yes/no/[fingerprint])?"
 * asked about the key with the given fingerprint: "yes" or "no" in any
 * case, or a fingerprint with or without its "SHA256:" prefix, compared
 * exactly.  Blanks and a CR around the answer are ignored; an empty
 * answer is OTHER.  Never exits.
 */
int known_peers_answer(const char *answer, const char *fingerprint);

#endif
