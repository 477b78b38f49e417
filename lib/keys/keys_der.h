/* SPDX-License-Identifier: ISC */
/*
 * keys_der.h: what the key files of lib/keys/ share among themselves
 * (keys.c's DER parsing and checks); not for use outside the folder.
 * The parsers' conventions are keys.h's.
 */
#ifndef RSAPIPE_KEYS_DER_H
#define RSAPIPE_KEYS_DER_H

#include <stddef.h>
#include <gcrypt.h>

#include "keys/keys.h"
#include "keys/passphrase.h"

#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_RSA_PSS "1.2.840.113549.1.1.10"
#define OID_MAX 128
/* An exponent bigger than this is no RSA key anyone generates, and it
 * would make public operations slow. */
#define E_MAX_BITS 256

/* The DER NULL of rsaEncryption's parameters. */
extern const unsigned char keys_der_null[2];

/* The values of a two-prime RSAPrivateKey, in the order of PKCS#1. */
enum { V_N, V_E, V_D, V_P, V_Q, V_DP, V_DQ, V_QINV, V_COUNT };
extern const char *const keys_value_names[V_COUNT];

/* Check the public values, then fill key->pub, spki, nbits and id. */
int keys_set_public(struct rsa_key *key, gcry_mpi_t n, gcry_mpi_t e,
    struct rp_error *err);
/* A new secure MPI. */
gcry_mpi_t keys_snew(void);
/* A CRT exponent: d mod (prime - 1), secure. */
gcry_mpi_t keys_crt_exponent(gcry_mpi_t d, gcry_mpi_t prime);

/* DER bodies: RSAPublicKey, RSAPrivateKey (PKCS#1), PrivateKeyInfo. */
int keys_parse_rsa_public(struct rsa_key *key, const unsigned char *der,
    size_t len, struct rp_error *err);
int keys_parse_rsa_private(struct rsa_key *key, const unsigned char *der,
    size_t len, struct rp_error *err);
int keys_parse_pkcs8(struct rsa_key *key, const unsigned char *der,
    size_t len, struct rp_error *err);

/* key_ssh.c: an "ssh-rsa BASE64 [comment]" line, and the public half of
 * an OpenSSH private key PEM. */
int keys_parse_ssh_line(struct rsa_key *key, const unsigned char *buf,
    size_t len, struct rp_error *err);
int keys_parse_openssh_public(struct rsa_key *key, const unsigned char *buf,
    size_t len, struct rp_error *err);

#endif
