/* SPDX-License-Identifier: ISC */
/*
 * fuzz_agent_reply: what an ssh-agent (or anything listening on
 * SSH_AUTH_SOCK) may answer, and the SSHSIG proofs a keyswap peer may
 * send.  The first input byte picks the parser (low two bits) and the
 * signature algorithm asked for (bit 2); the rest is the input:
 *	0  an identities answer      (agent_parse_identities)
 *	1  a sign response           (agent_parse_sign_response), 2048-bit
 *	2  an SSHSIG blob            (sshsig_parse, sshsig_verify: alice's
 *	                              key, FUZZ_SSHSIG_MESSAGE)
 *	3  an armored SSHSIG         (sshsig_dearmor, then as 2; armor
 *	                              round trip)
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "crypto/rsa_pkcs1.h"
#include "keys/agent.h"
#include "keys/keys.h"
#include "keys/sshsig.h"
#include "fuzz.h"

/* The message the SSHSIG seeds sign, under SSHSIG_NAMESPACE_KEYSWAP. */
#define FUZZ_SSHSIG_MESSAGE "rsapipe fuzz message"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_agent_reply");
	(void)fuzz_key("alice");
	return 0;
}

static void
identities(const uint8_t *data, size_t size)
{
	struct agent_identities ids;
	struct rp_error err = { 0 };
	size_t i;

	if (agent_parse_identities(data, size, &ids, &err) != 0) {
		if (err.reason[0] == '\0' || ids.n != 0 || ids.id != NULL)
			abort();
		return;
	}
	if (ids.n > AGENT_IDENTITIES_MAX)
		abort();
	for (i = 0; i < ids.n; i++) {
		if (ids.id[i].blob < ids.reply ||
		    ids.id[i].blob + ids.id[i].blob_len > ids.reply + size)
			abort();
		if (strncmp(ids.id[i].fingerprint, "SHA256:", 7) != 0 ||
		    ids.id[i].comment == NULL ||
		    (ids.id[i].usable && ids.id[i].key.pub == NULL))
			abort();
	}
	agent_identities_free(&ids);
}

static void
sign_response(const uint8_t *data, size_t size, enum rsa_pkcs1_hash alg)
{
	const struct rsa_key *key = fuzz_key("alice");
	unsigned char sig[KEY_MAX_BITS / 8], digest[RSA_PKCS1_DIGEST_MAX];
	struct rp_error err = { 0 };
	size_t modlen = rsa_modulus_bytes(key);

	if (agent_parse_sign_response(data, size, alg, modlen, sig,
	    &err) != 0) {
		if (err.reason[0] == '\0')
			abort();
		return;
	}
	/* What the caller does next: the signature reaches libgcrypt. */
	rsa_pkcs1_digest(alg, "data", 4, digest);
	(void)rsa_pkcs1_verify(key, alg, digest, sig, modlen, &err);
}

static void
sshsig(const uint8_t *data, size_t size)
{
	const unsigned any = RSA_PKCS1_SHA256 | RSA_PKCS1_SHA512;
	struct rp_error err = { 0 };
	struct sshsig s;

	if (sshsig_parse(data, size, &s, &err) != 0) {
		if (err.reason[0] == '\0')
			abort();
	} else if (s.pubkey < data || s.pubkey + s.pubkey_len > data + size ||
	    s.sig_len > size || s.ns_len > size) {
		abort();
	}
	err.reason[0] = '\0';
	if (sshsig_verify(fuzz_key("alice"), SSHSIG_NAMESPACE_KEYSWAP,
	    FUZZ_SSHSIG_MESSAGE, strlen(FUZZ_SSHSIG_MESSAGE), data, size, any,
	    any, &err) != 0 && err.reason[0] == '\0')
		abort();
}

static void
armored(const uint8_t *data, size_t size)
{
	struct rp_error err = { 0 };
	unsigned char *blob, *again;
	size_t len, text_len, again_len;
	char *text;

	if (sshsig_dearmor(data, size, &blob, &len, &err) != 0) {
		if (err.reason[0] == '\0')
			abort();
		return;
	}
	sshsig(blob, len);
	text = sshsig_armor(blob, len, &text_len);
	if (sshsig_dearmor((unsigned char *)text, text_len, &again,
	    &again_len, &err) != 0 || again_len != len ||
	    memcmp(again, blob, len) != 0)
		abort();
	free(again);
	free(text);
	free(blob);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel;

	if (size < 1 || size > AGENT_REPLY_MAX + 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	switch (sel & 3) {
	case 0:
		identities(data, size);
		break;
	case 1:
		sign_response(data, size, sel & 4 ? RSA_PKCS1_SHA256 :
		    RSA_PKCS1_SHA512);
		break;
	case 2:
		sshsig(data, size);
		break;
	default:
		armored(data, size);
	}
	return 0;
}
