/* SPDX-License-Identifier: ISC */
/*
 * stream_rsa.h: the rsapipe stream's one kind of key (keys/identity.h):
 * an RSA key whose stanza is its 8-byte key id and the file key under
 * RSA-OAEP-SHA256 with label "rsapipe/v1" (doc/FORMAT.md section 2).
 * Read as a generic stanza it is of type STREAM_STANZA_TYPE, one
 * argument (the key id) and the ciphertext as body.  The identity also
 * signs (RSASSA-PSS, rsa-encrypt -s).
 *
 * With own set the recipient or identity takes key, allocated with
 * rp_alloc() (key_free() and free() when it is freed); otherwise key is
 * borrowed and must outlive it.
 */
#ifndef RSAPIPE_STREAM_RSA_H
#define RSAPIPE_STREAM_RSA_H

#include "keys/identity.h"
#include "keys/keys.h"

#define STREAM_STANZA_TYPE "rsapipe-rsa"

struct recipient *stream_rsa_recipient(struct rsa_key *key, int own);
struct identity *stream_rsa_identity(struct rsa_key *key, int own);

#endif
