/* SPDX-License-Identifier: ISC */
/*
 * fuzz_key_pem: key files as a user or peer hands them over: PEM of every
 * label (public, private, PKCS#1, encrypted PKCS#8) through
 * key_parse_public() and key_parse_private().  A key that parses must
 * survive an encode/parse round trip unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "fuzz.h"
#include "keys/keys.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_key_pem");
	return 0;
}

/* The public half re-encoded as SPKI PEM must parse to the same key. */
static void
check_public_round_trip(const struct rsa_key *key)
{
	struct rsa_key again;
	char *pem, fp[KEY_FINGERPRINT_LEN];
	const char *why;
	size_t len;

	key_fingerprint(key, fp);
	pem = key_public_pem(key, &len);
	if (key_parse_public(&again, (unsigned char *)pem, len, NULL,
	    &why) != 0 || again.spki_len != key->spki_len ||
	    memcmp(again.spki, key->spki, key->spki_len) != 0)
		abort();
	key_free(&again);
	free(pem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_key key, again;
	const char *why = NULL;
	char *pem;
	size_t len;

	if (size > KEY_FILE_MAX)
		return 0;
	if (key_parse_public(&key, data, size, fuzz_passphrase(), &why) == 0) {
		if (key.priv != NULL)
			abort(); /* the public parser must drop the secret */
		check_public_round_trip(&key);
		key_free(&key);
	} else if (why == NULL) {
		abort(); /* every refusal says why */
	}

	why = NULL;
	if (key_parse_private(&key, data, size, fuzz_passphrase(),
	    &why) == 0) {
		if (key.priv == NULL)
			abort();
		pem = key_private_pem(&key, NULL, &len);
		if (key_parse_private(&again, (unsigned char *)pem, len, NULL,
		    &why) != 0 || again.spki_len != key.spki_len ||
		    memcmp(again.spki, key.spki, key.spki_len) != 0)
			abort();
		secure_free(pem);
		key_free(&again);
		key_free(&key);
	} else if (why == NULL) {
		abort();
	}
	return 0;
}
