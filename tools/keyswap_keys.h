/* SPDX-License-Identifier: ISC */
/*
 * keyswap_keys.h: the key files of --peer and --allowed-keys, read into
 * the keyring that keyswap_judge() looks the peer up in (a module of
 * tools/keyswap.c, linked only into it).  The files are read with
 * lib/api's recipients parser, the one rsa-encrypt -R uses: one key (a
 * PEM or OpenSSH key file, as --peer always took), or one public key a
 * line (GitHub's NAME.keys, authorized_keys with options), other key
 * types skipped with a "FILE:LINE: skipping the TYPE key" notice.
 * Every failure dies with status 2 before anything is sent.
 */
#ifndef RSAPIPE_KEYSWAP_KEYS_H
#define RSAPIPE_KEYSWAP_KEYS_H

#include "keyswap/keyswap_trust.h"

/* Load the keys of --peer FILE or --allowed-keys DIR (none for the
 * other ways to trust). */
void ks_keys_open(struct keyswap_keyring *ring, const struct keyswap_trust *t);
void ks_keys_close(struct keyswap_keyring *ring);

/*
 * What the judgement found, said: with --peer, the "peer identity"
 * notice with the name the local side gave the file; with --allowed or
 * --allowed-keys, "peer is 'NAME' (FILE:LINE)".  Without --peer the
 * "peer identity" notice has been given already.
 */
void ks_keys_notice(const struct keyswap_trust *t, const char *fingerprint,
    const struct keyswap_judgement *j);

#endif
