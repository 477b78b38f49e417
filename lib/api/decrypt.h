/* SPDX-License-Identifier: ISC */
/*
 * decrypt.h: rsa-decrypt's work: read enough of the input to know what
 * it is (detect.h), choose the format's driver for it and the keys
 * given, open the input once for that format (input.h), and run the
 * driver (stream.h or age.h) with the one identity set.
 */
#ifndef RSAPIPE_DECRYPT_H
#define RSAPIPE_DECRYPT_H

#include "core/error.h"
#include "keys/identity.h"
#include "keys/passphrase.h"

struct decrypt_request {
	const struct identity_set *identities;
	const struct passphrase_source *pass;  /* for --from's key file */
	const char *from_path;      /* --from: the stream must be signed */
	const char *session_path;   /* --session */
	int stop_at_final;          /* --stop-at-final */
	int stream_only;            /* --status-fd: refused with age files */
	int fd;                     /* the input, open (not closed here) */
	const char *input;          /* its name; NULL or "-": stdin */
	const char *output;         /* NULL or "-": stdout */
};

/*
 * 0, or an rp_err code with its reason: RP_USAGE for what cannot be
 * done with this input (no key that opens it; --from, --session,
 * --stop-at-final or --status-fd with an age file; a --from or --session file that
 * cannot be read or used), RP_IO for the input, the driver's codes
 * otherwise.
 * With age identities only, the input is read as an age file whatever
 * it is: what age would say of it is the useful message then.
 */
int decrypt_file(const struct decrypt_request *req, struct rp_error *err);

#endif
