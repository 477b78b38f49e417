/* SPDX-License-Identifier: ISC */
/*
 * keyset.h: the command line's keys into identity.h's sets, the one
 * place that knows every kind of key.  rsa-encrypt's -r and -R make a
 * recipient set for the format it writes; rsa-decrypt's -i make an
 * identity set that opens both formats (an RSA private key is an
 * rsapipe identity and an ssh-rsa one).  Each key once: a key named
 * twice (a file and a -r, two -i) is kept the first time.
 *
 * The kinds are tables in keyset.c: a -r, -i or -s operand is
 * recognised by its first characters, an -i file by its first line;
 * adding a kind is one entry there beside its implementation's file.
 *
 * Everything returns 0 or an rp_err code with a reason that names the
 * file or operand; a tool ends on it with status 2 (a key file is the
 * environment's, not the data's).  Loading a key file may prompt for
 * its passphrase (pass).
 */
#ifndef RSAPIPE_KEYSET_H
#define RSAPIPE_KEYSET_H

#include <stddef.h>

#include "core/error.h"
#include "keys/identity.h"
#include "keys/passphrase.h"

/* The most recipients rsa-encrypt takes, and keys rsa-decrypt tries. */
#define KEYSET_MAX_RECIPIENTS 64
#define KEYSET_MAX_IDENTITIES 16

/* For the lines of a recipients file that are skipped (a key of a type
 * that cannot be a recipient): the tool says so, the library does not
 * print.  msg is one line, "FILE:LINE: ..." */
typedef void keyset_warn_fn(void *ctx, const char *msg);

/*
 * A -r operand, for an age file (age set) or an rsapipe stream: an
 * "age1..." or "ssh-rsa AAAA..." key itself, as age takes them, or a
 * public key file.
 */
int keyset_add_recipient(struct recipient_set *set, const char *arg,
    int age, const struct passphrase_source *pass, struct rp_error *err);

/* A -R file: one public key a line (api/recipients.h); other key types
 * are skipped, each with a warning. */
int keyset_add_recipients_file(struct recipient_set *set, const char *path,
    int age, keyset_warn_fn *warn, void *ctx, struct rp_error *err);

/* An -i operand: a file of RSA private keys (several count as that many
 * -i), or an age identity file.  At most KEYSET_MAX_IDENTITIES keys in
 * all. */
int keyset_add_identity(struct identity_set *set, const char *arg,
    const struct passphrase_source *pass, struct rp_error *err);

/* The passphrase identity of age's scrypt files, asked from pass only
 * when a file has a scrypt stanza; last in the set. */
void keyset_add_passphrase(struct identity_set *set,
    const struct passphrase_source *pass);

/* rsa-encrypt's -s: an identity that signs (a private key file, or
 * agent:SHA256:FP / agent:FILE.pub, a key ssh-agent holds), into *out
 * (free with (*out)->ops->free).  A public key file without agent: is
 * RP_USAGE, saying agent: is needed. */
int keyset_signer(const char *arg, const struct passphrase_source *pass,
    struct identity **out, struct rp_error *err);

/* How many keys of the set can open an rsapipe stream, and how many are
 * age's own (X25519). */
size_t keyset_stream_keys(const struct identity_set *set);
size_t keyset_age_keys(const struct identity_set *set);

#endif
