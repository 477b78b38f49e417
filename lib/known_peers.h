/*
 * known_peers.h: trust on first use for keyswap, like ssh's known_hosts.
 *
 * The file holds one entry a line, "NAME VALUE", where VALUE is either a
 * fingerprint "SHA256:<43 base64 chars>" (what keyswap records) or the
 * base64 of the peer's SPKI DER (so a key received out of band can be
 * pasted in).  Blank lines and lines starting with '#' are ignored.  A
 * name may appear on several lines; any matching entry accepts the key.
 * Names are 1..255 printable characters without spaces ("host:port",
 * "alice@example.org").
 */
#ifndef RSAPIPE_KNOWN_PEERS_H
#define RSAPIPE_KNOWN_PEERS_H

#include <stddef.h>

#include "keys.h"

#define KNOWN_PEERS_FILE_MAX (1024 * 1024)
#define KNOWN_PEERS_NAME_MAX 255

enum known_peer_status {
	KNOWN_PEER_NEW,     /* no entry for the name */
	KNOWN_PEER_MATCH,   /* an entry for the name has this key */
	KNOWN_PEER_CHANGED  /* entries for the name, none with this key */
};

/* Where the first entry for the name is, for the "changed" warning. */
struct known_peer_entry {
	unsigned long line;
	char fingerprint[KEY_FINGERPRINT_LEN];
};

/* 1 if name is acceptable as a known-peers name, else 0. */
int known_peers_valid_name(const char *name);

/*
 * Look name up in the file contents buf (len bytes, need not be
 * NUL-terminated) for the key with the given fingerprint.  Returns a
 * known_peer_status, or -1 with *why set and entry->line naming the
 * malformed line.  Never exits.
 */
int known_peers_lookup(const unsigned char *buf, size_t len,
    const char *name, const char *fingerprint,
    struct known_peer_entry *entry, const char **why);

/* Read path and look name up; a missing file is KNOWN_PEER_NEW.  Dies
 * (EXIT_USAGE) on an unreadable or malformed file, naming it. */
int known_peers_check(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry);

/*
 * Record "name fingerprint" at the end of path, atomically (a new file
 * renamed over the old one) and under an exclusive lock so concurrent
 * keyswaps do not lose each other's entries.  The lookup is repeated
 * under the lock: returns KNOWN_PEER_NEW when recorded, or the status
 * found if another process recorded the name meanwhile (nothing written).
 * Dies (EXIT_USAGE) on I/O errors.
 */
int known_peers_record(const char *path, const char *name,
    const char *fingerprint, struct known_peer_entry *entry);

#endif
