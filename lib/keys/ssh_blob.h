/* SPDX-License-Identifier: ISC */
/*
 * ssh_blob.h: the ssh wire encoding of a public key (RFC 4253 section
 * 6.6: string "ssh-rsa", mpint e, mpint n), as an agent names a key and
 * as SSHSIG carries it.  It is canonical (minimal mpints), so two blobs
 * of the same key are the same bytes and a key is found by comparing
 * them.
 */
#ifndef RSAPIPE_SSH_BLOB_H
#define RSAPIPE_SSH_BLOB_H

#include <stddef.h>

#include "crypto/rsa.h"

/* The blob of key's public half, in memory from rp_alloc (free()). */
unsigned char *ssh_rsa_blob(const struct rsa_key *key, size_t *len);

/* 1 if blob (len bytes) is exactly key's blob, else 0. */
int ssh_rsa_blob_is(const struct rsa_key *key, const unsigned char *blob,
    size_t len);

#endif
