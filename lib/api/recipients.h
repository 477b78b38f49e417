/* SPDX-License-Identifier: ISC */
/*
 * recipients.h: recipients files (rsa-encrypt -R), one public key a line:
 *
 *	# a comment; blank lines are ignored too
 *	ssh-rsa AAAA... alice@laptop          an ~/.ssh/id_rsa.pub line
 *	ssh-ed25519 AAAA...                   GitHub's USER.keys: no comment
 *	from="10.0.0.1",command="echo hi" ssh-rsa AAAA... bob
 *	                                      an authorized_keys line
 *	MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...
 *	                                      base64 SPKI, as in known_peers
 *	age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
 *	                                      an age X25519 recipient, as in
 *	                                      age's recipients files
 *
 * authorized_keys options (sshd(8)) are NAME or NAME="VALUE", separated
 * by commas, up to the first blank outside double quotes; a backslash
 * before a double quote keeps it inside the value.  The options are
 * skipped: they restrict logins, not who may read a message.
 *
 * Keys of other types (ssh-ed25519, ecdsa-sha2-*, sk-*, ssh-dss,
 * certificates) are reported, for the caller to skip with a warning; a
 * malformed line, or an RSA key refused by the usual checks, is an error.
 * Nothing here exits, so a fuzz target can drive it.
 */
#ifndef RSAPIPE_RECIPIENTS_H
#define RSAPIPE_RECIPIENTS_H

#include <stddef.h>

#include "age/age_keys.h"
#include "codec/lines.h"
#include "core/error.h"
#include "keys/keys.h"

#define RECIPIENT_TYPE_MAX 64

enum recipient_kind {
	RECIPIENT_RSA,    /* an RSA public key: the caller owns it */
	RECIPIENT_AGE,    /* an age X25519 recipient: in r->x25519 */
	RECIPIENT_OTHER   /* a well-formed key of another type */
};

struct recipients_reader {
	struct lines lines;
	size_t lineno;   /* the line last read, from 1 */
	enum recipient_kind kind;            /* of the line last read */
	char type[RECIPIENT_TYPE_MAX + 1];   /* its key type ("ssh-rsa",
	                                        "ssh-ed25519", "spki",
	                                        "age") */
	unsigned char x25519[AGE_X25519_LEN]; /* a RECIPIENT_AGE key */
};

void recipients_init(struct recipients_reader *r, const unsigned char *buf,
    size_t len);

/*
 * The next line that holds a key.  Returns 1 with r->kind and r->type
 * set (and key filled for RECIPIENT_RSA; free it with key_free()), 0 at
 * the end of the input, or an rp_err code (error.h) with its reason for line
 * r->lineno: RP_MALFORMED (not a public key line, bad options, bad
 * base64) or RP_REFUSED (an RSA key the checks refuse, such as one of
 * 1024 bits).  Reading on after an error goes on with the next line.
 */
int recipients_next(struct recipients_reader *r, struct rsa_key *key,
    struct rp_error *err);

#endif
