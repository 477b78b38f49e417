/* SPDX-License-Identifier: ISC */
/*
 * fuzz_key_pem: key files as a user or peer hands them over: PEM of every
 * label (public, private, PKCS#1, encrypted PKCS#8) through
 * key_parse_public() and key_parse_private().  A key that parses must
 * survive an encode/parse round trip unchanged.  The same bytes go to
 * the strict base64 decoder under which every PEM body is read: what it
 * takes, padded or not, must be the one canonical spelling (encoding
 * the bytes gives the input back).
 */
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/pem.h"
#include "core/common.h"
#include "core/error.h"
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
	struct rp_error perr;
	size_t len;

	key_fingerprint(key, fp);
	pem = key_public_pem(key, &len);
	if (key_parse_public(&again, (unsigned char *)pem, len, NULL,
	    &perr) != 0 || again.spki_len != key->spki_len ||
	    memcmp(again.spki, key->spki, key->spki_len) != 0)
		abort();
	key_free(&again);
	free(pem);
}

/* Decoded under flags, s must be what encoding the bytes gives. */
static void
check_canonical(const uint8_t *s, size_t n, unsigned flags)
{
	static unsigned char bin[B64_DECODED_MAX(4096)];
	static char text[B64_ENCODED_LEN(sizeof(bin)) + 1];
	size_t len, k;

	if (n > 4096 || b64_decode((const char *)s, n, flags, bin, sizeof(bin),
	    &len, NULL) != 0 || len == 0)
		return;  /* gpgrt encodes nothing from nothing: skip "" */
	base64_encode_unpadded(bin, len, text);
	k = strlen(text);
	if (!(flags & B64_UNPADDED))
		while (k % 4 != 0)
			text[k++] = '=';
	if (k != n || memcmp(text, s, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_key key, again;
	struct rp_error perr = { RP_OK, "" };
	char *pem;
	size_t len;

	if (size > KEY_FILE_MAX)
		return 0;
	check_canonical(data, size, 0);
	check_canonical(data, size, B64_UNPADDED);
	if (key_parse_public(&key, data, size, fuzz_passphrase(),
	    &perr) == 0) {
		if (key.priv != NULL)
			abort(); /* the public parser must drop the secret */
		check_public_round_trip(&key);
		key_free(&key);
	} else if (perr.reason[0] == '\0') {
		abort(); /* every refusal says why */
	}

	rp_clear(&perr);
	if (key_parse_private(&key, data, size, fuzz_passphrase(),
	    &perr) == 0) {
		if (key.priv == NULL)
			abort();
		pem = key_private_pem(&key, NULL, &len);
		if (key_parse_private(&again, (unsigned char *)pem, len, NULL,
		    &perr) != 0 || again.spki_len != key.spki_len ||
		    memcmp(again.spki, key.spki, key.spki_len) != 0)
			abort();
		secure_free(pem);
		key_free(&again);
		key_free(&key);
	} else if (perr.reason[0] == '\0') {
		abort();
	}
	return 0;
}
