/* SPDX-License-Identifier: ISC */
/*
 * key_pem.c: a key file's PEM block, by its label: the private forms
 * (PKCS#8, PKCS#1, encrypted PKCS#8, OpenSSH's), the public ones, and
 * the reasons for labels we know but do not take.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/keys.h"
#include "keys/keys_der.h"
#include "keys/openssh_key.h"
#include "keys/pkcs8.h"

/*
 * The passphrase of an encrypted key, asked for by the key's name, into
 * *pass.  RP_REFUSED when nothing can supply one; passphrase_read()'s
 * RP_USAGE or RP_IO, with its reason, when its source fails: that is
 * not the key's (keys.h).
 */
static int
key_passphrase(const struct passphrase_source *src, char **pass,
    struct rp_error *err)
{
	char prompt[PATH_MAX + 64];

	if (src == NULL)
		return rp_fail(err, RP_REFUSED, "the key is encrypted and no "
		    "passphrase source was given");
	if (src->key_name != NULL)
		snprintf(prompt, sizeof(prompt), "Enter passphrase for key "
		    "'%s': ", src->key_name);
	else
		snprintf(prompt, sizeof(prompt), "Enter passphrase for the "
		    "private key: ");
	return passphrase_read(src, prompt, 0, pass, err);
}

static int
parse_encrypted_pkcs8_der(struct rsa_key *key, const unsigned char *der,
    size_t len, const struct passphrase_source *src, struct rp_error *err)
{
	unsigned char *plain;
	size_t plainlen;
	char *pass;
	int rc;

	if ((rc = key_passphrase(src, &pass, err)) != 0)
		return rc;
	rc = pkcs8_decrypt(der, len, pass, &plain, &plainlen, err);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = keys_parse_pkcs8(key, plain, plainlen, err);
	secure_free(plain);
	/* A wrong passphrase that happens to give valid padding lands
	 * here as undecodable DER; it must read the same as any other
	 * wrong passphrase. */
	if (rc == RP_MALFORMED)
		rc = rp_fail(err, RP_PASSPHRASE,
		    "wrong passphrase or corrupt key");
	return rc;
}

/* OpenSSH's own format, as ssh-keygen writes it (PROTOCOL.key): the
 * key comes out as PKCS#1 DER and takes the same checks as any other. */
static int
parse_openssh_der(struct rsa_key *key, const unsigned char *blob,
    size_t len, const struct passphrase_source *src, struct rp_error *err)
{
	struct openssh_key_info info;
	unsigned char *der;
	size_t derlen;
	char *pass = NULL;
	int rc;

	if ((rc = openssh_key_info(blob, len, &info, err)) != 0)
		return rc;
	if (info.encrypted && (rc = key_passphrase(src, &pass, err)) != 0)
		return rc;
	rc = openssh_key_to_pkcs1(blob, len, pass != NULL ? pass : "",
	    pass != NULL ? strlen(pass) : 0, &der, &derlen, err);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = keys_parse_rsa_private(key, der, derlen, err);
	secure_free(der);
	return rc;
}

/* Reasons for PEM labels we know but do not take as a private key. */
static const char *
refuse_label(const char *label, int want_private)
{
	static const char *const other[] = { "EC PRIVATE KEY",
	    "DSA PRIVATE KEY", "EC PARAMETERS", "DSA PARAMETERS",
	    "DH PARAMETERS", "X9.42 DH PARAMETERS", NULL };
	int i;

	for (i = 0; other[i] != NULL; i++)
		if (strcmp(label, other[i]) == 0)
			return "not an RSA key";
	if (want_private && (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0))
		return "this is a public key; a private key is needed";
	if (strcmp(label, "CERTIFICATE") == 0)
		return "certificates are not supported; "
		    "extract the key with openssl x509 -pubkey";
	return "unexpected PEM label";
}

static int
parse_private_pem(struct rsa_key *key, const unsigned char *buf, size_t len,
    const char *label, const struct passphrase_source *pass,
    struct rp_error *err)
{
	unsigned char *der;
	size_t derlen;
	int rc;

	if (strcmp(label, "PRIVATE KEY") != 0 &&
	    strcmp(label, "RSA PRIVATE KEY") != 0 &&
	    strcmp(label, "ENCRYPTED PRIVATE KEY") != 0 &&
	    strcmp(label, OPENSSH_KEY_LABEL) != 0)
		return rp_fail(err, RP_REFUSED, "%s", refuse_label(label, 1));
	if ((rc = pem_decode(buf, len, label, &der, &derlen, err)) != 0)
		return rc;
	if (strcmp(label, "PRIVATE KEY") == 0)
		rc = keys_parse_pkcs8(key, der, derlen, err);
	else if (strcmp(label, "RSA PRIVATE KEY") == 0)
		rc = keys_parse_rsa_private(key, der, derlen, err);
	else if (strcmp(label, OPENSSH_KEY_LABEL) == 0)
		rc = parse_openssh_der(key, der, derlen, pass, err);
	else
		rc = parse_encrypted_pkcs8_der(key, der, derlen, pass, err);
	secure_free(der);
	return rc;
}

int
key_parse_private(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, struct rp_error *err)
{
	char label[PEM_LABEL_MAX + 1];
	int rc;

	memset(key, 0, sizeof(*key));
	if (key_looks_like_ssh(buf, len))
		return rp_fail(err, RP_REFUSED, "this is an OpenSSH public "
		    "key; a private key is needed");
	if ((rc = pem_label(buf, len, label, err)) == 0)
		rc = parse_private_pem(key, buf, len, label, pass, err);
	if (rc != 0)
		key_free(key);
	return rc;
}

int
key_parse_public(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, struct rp_error *err)
{
	char label[PEM_LABEL_MAX + 1];
	unsigned char *der;
	size_t derlen;
	int rc;

	memset(key, 0, sizeof(*key));
	if (key_looks_like_ssh(buf, len)) {
		rc = keys_parse_ssh_line(key, buf, len, err);
		goto out;
	}
	if ((rc = pem_label(buf, len, label, err)) != 0)
		return rc;
	if (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0) {
		if ((rc = pem_decode(buf, len, label, &der, &derlen,
		    err)) != 0)
			return rc;
		if (strcmp(label, "PUBLIC KEY") == 0)
			rc = key_from_spki(key, der, derlen, err);
		else
			rc = keys_parse_rsa_public(key, der, derlen, err);
		secure_free(der);
		goto out;
	}
	if (strcmp(label, OPENSSH_KEY_LABEL) == 0) {
		rc = keys_parse_openssh_public(key, buf, len, err);
		goto out;
	}
	rc = parse_private_pem(key, buf, len, label, pass, err);
	if (rc == 0) {
		/* Only the public half is wanted: drop the secret now. */
		gcry_sexp_release(key->priv);
		key->priv = NULL;
	}
out:
	if (rc != 0)
		key_free(key);
	return rc;
}
