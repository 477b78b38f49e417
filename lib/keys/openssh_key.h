/* SPDX-License-Identifier: ISC */
/*
 * openssh_key.h: OpenSSH's private key format ("openssh-key-v1", what
 * ssh-keygen writes under BEGIN OPENSSH PRIVATE KEY), RSA keys only, as
 * OpenSSH's PROTOCOL.key describes it:
 *
 *	"openssh-key-v1\0"
 *	string ciphername, string kdfname, string kdfoptions
 *	uint32 number of keys (1), string public key blob
 *	string private section, encrypted when ciphername is not "none",
 *	[16-byte tag, for the AEAD ciphers]
 *
 * The private section holds two equal check words, then "ssh-rsa" n e d
 * iqmp p q and a comment, then padding 1, 2, 3, ...  The key that
 * encrypts it comes from bcrypt_pbkdf(passphrase, salt, rounds).
 *
 * Every function takes the decoded base64 (the PEM block's contents),
 * never exits, and returns 0 or an rp_err code (error.h) with its reason in err:
 * RP_MALFORMED (the bytes do not parse), RP_REFUSED (not an RSA key,
 * an unsupported cipher or KDF, too many rounds), RP_PASSPHRASE (the
 * check words or the tag do not match: a wrong passphrase).
 */
#ifndef RSAPIPE_OPENSSH_KEY_H
#define RSAPIPE_OPENSSH_KEY_H

#include <stddef.h>

#include "core/error.h"

#define OPENSSH_KEY_LABEL "OPENSSH PRIVATE KEY"
/* bcrypt rounds beyond this are refused (ssh-keygen's default is 16;
 * each round costs about 3 ms here, so the cap is minutes of work). */
#define OPENSSH_KEY_MAX_ROUNDS 100000

struct openssh_key_info {
	char cipher[40];       /* "none", "aes256-ctr", ... */
	int encrypted;         /* a passphrase is needed */
	unsigned int rounds;   /* bcrypt rounds when encrypted */
	const unsigned char *pub;  /* the public key blob, inside the input */
	size_t pub_len;
};

/* Parse the unencrypted outer layer: cipher, KDF, the public blob.  An
 * unsupported cipher or KDF, or a key that is not RSA, is RP_REFUSED
 * (the reason names the key type: "not an RSA key (ssh-ed25519)"). */
int openssh_key_info(const unsigned char *blob, size_t len,
    struct openssh_key_info *info, struct rp_error *err);

/*
 * Decrypt (with pass, passlen bytes; ignored for an unencrypted key) and
 * convert the private key to PKCS#1 RSAPrivateKey DER in secure memory
 * (free with secure_free(*der, *der_len)), so that the usual checks (CRT
 * consistency, key size) apply to it as to any other private key.
 */
int openssh_key_to_pkcs1(const unsigned char *blob, size_t len,
    const char *pass, size_t passlen, unsigned char **der, size_t *der_len,
    struct rp_error *err);

#endif
