/* SPDX-License-Identifier: ISC */
/*
 * keyswap_options.h: keyswap(1)'s command line, parsed and checked (a
 * module of tools/keyswap.c, linked only into it).  Every misuse dies
 * with status 2 before anything is opened.
 */
#ifndef RSAPIPE_KEYSWAP_OPTIONS_H
#define RSAPIPE_KEYSWAP_OPTIONS_H

#include "keys/passphrase.h"
#include "keyswap/keyswap_trust.h"

struct options {
	const char *identity, *session_key, *peer_out, *session_out;
	const char *peer_identity_out, *peer_name_out;
	const char *forget;
	const char *invite, *invite_file, *code; /* version 2's invites */
	unsigned int invite_valid;               /* seconds */
	struct keyswap_trust trust;
	int timeout_set;
	unsigned int timeout;
	int busy; /* refuse with verdict 06: a service at capacity */
	struct passphrase_source pass;
};

/*
 * Parse argv into o and check it: for --forget, that nothing else is
 * given; otherwise the required files, distinct outputs, none of them
 * stdout (the connection), and one way to trust the peer.
 */
void keyswap_options(int argc, char *argv[], struct options *o);

#endif
