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
 * *pass.  RP_REFUSED when nothing can supply one; the code of
 * passphrase_read() when its source fails, the reason then in
 * src->failure (when given): it is not the key's.
 */
static int
key_passphrase(const struct passphrase_source *src, char **pass,
    const char **why)
{
	char prompt[PATH_MAX + 64];
	struct rp_error local;
	int rc;

	if (src == NULL) {
		*why = "the key is encrypted and no passphrase source was given";
		return RP_REFUSED;
	}
	if (src->key_name != NULL)
		snprintf(prompt, sizeof(prompt), "Enter passphrase for key "
		    "'%s': ", src->key_name);
	else
		snprintf(prompt, sizeof(prompt), "Enter passphrase for the "
		    "private key: ");
	rc = passphrase_read(src, prompt, 0, pass,
	    src->failure != NULL ? src->failure : &local);
	if (rc != 0)
		*why = "no passphrase";
	return rc;
}

static int
parse_encrypted_pkcs8_der(struct rsa_key *key, const unsigned char *der,
    size_t len, const struct passphrase_source *src, const char **why)
{
	unsigned char *plain;
	size_t plainlen;
	char *pass;
	int rc;

	if ((rc = key_passphrase(src, &pass, why)) != 0)
		return rc;
	rc = pkcs8_decrypt(der, len, pass, &plain, &plainlen, key->reason,
	    why);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = keys_parse_pkcs8(key, plain, plainlen, why);
	secure_free(plain);
	/* A wrong passphrase that happens to give valid padding lands
	 * here as undecodable DER; it must read the same as any other
	 * wrong passphrase. */
	if (rc == RP_MALFORMED) {
		*why = "wrong passphrase or corrupt key";
		rc = RP_PASSPHRASE;
	}
	return rc;
}

/* OpenSSH's own format, as ssh-keygen writes it (PROTOCOL.key): the
 * key comes out as PKCS#1 DER and takes the same checks as any other. */
static int
parse_openssh_der(struct rsa_key *key, const unsigned char *blob,
    size_t len, const struct passphrase_source *src, const char **why)
{
	struct openssh_key_info info;
	unsigned char *der;
	size_t derlen;
	char *pass = NULL;
	int rc;

	if ((rc = openssh_key_info(blob, len, &info, why)) != 0)
		return rc;
	if (info.encrypted && (rc = key_passphrase(src, &pass, why)) != 0)
		return rc;
	rc = openssh_key_to_pkcs1(blob, len, pass != NULL ? pass : "",
	    pass != NULL ? strlen(pass) : 0, &der, &derlen, why);
	passphrase_free(pass);
	if (rc != 0)
		return rc;
	rc = keys_parse_rsa_private(key, der, derlen, why);
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
    const char *label, const struct passphrase_source *pass, const char **why)
{
	unsigned char *der;
	size_t derlen;
	int rc;

	if (strcmp(label, "PRIVATE KEY") != 0 &&
	    strcmp(label, "RSA PRIVATE KEY") != 0 &&
	    strcmp(label, "ENCRYPTED PRIVATE KEY") != 0 &&
	    strcmp(label, OPENSSH_KEY_LABEL) != 0) {
		*why = refuse_label(label, 1);
		return RP_REFUSED;
	}
	if ((rc = pem_decode(buf, len, label, &der, &derlen, why)) != 0)
		return rc;
	if (strcmp(label, "PRIVATE KEY") == 0)
		rc = keys_parse_pkcs8(key, der, derlen, why);
	else if (strcmp(label, "RSA PRIVATE KEY") == 0)
		rc = keys_parse_rsa_private(key, der, derlen, why);
	else if (strcmp(label, OPENSSH_KEY_LABEL) == 0)
		rc = parse_openssh_der(key, der, derlen, pass, why);
	else
		rc = parse_encrypted_pkcs8_der(key, der, derlen, pass, why);
	secure_free(der);
	return rc;
}

int
key_parse_private(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, const char **why)
{
	char label[PEM_LABEL_MAX + 1];
	int rc;

	memset(key, 0, sizeof(*key));
	*why = NULL;
	if (key_looks_like_ssh(buf, len)) {
		*why = "this is an OpenSSH public key; a private key is needed";
		return RP_REFUSED;
	}
	if ((rc = pem_label(buf, len, label, why)) != 0 ||
	    (rc = parse_private_pem(key, buf, len, label, pass, why)) != 0)
		key_free(key);
	return rc;
}

int
key_parse_public(struct rsa_key *key, const unsigned char *buf, size_t len,
    const struct passphrase_source *pass, const char **why)
{
	char label[PEM_LABEL_MAX + 1];
	unsigned char *der;
	size_t derlen;
	int rc;

	memset(key, 0, sizeof(*key));
	*why = NULL;
	if (key_looks_like_ssh(buf, len)) {
		rc = keys_parse_ssh_line(key, buf, len, why);
		goto out;
	}
	if ((rc = pem_label(buf, len, label, why)) != 0)
		return rc;
	if (strcmp(label, "PUBLIC KEY") == 0 ||
	    strcmp(label, "RSA PUBLIC KEY") == 0) {
		if ((rc = pem_decode(buf, len, label, &der, &derlen, why)) != 0)
			return rc;
		if (strcmp(label, "PUBLIC KEY") == 0)
			rc = key_from_spki(key, der, derlen, why);
		else
			rc = keys_parse_rsa_public(key, der, derlen, why);
		secure_free(der);
		goto out;
	}
	if (strcmp(label, OPENSSH_KEY_LABEL) == 0) {
		rc = keys_parse_openssh_public(key, buf, len, why);
		goto out;
	}
	rc = parse_private_pem(key, buf, len, label, pass, why);
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
