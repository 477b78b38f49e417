/* SPDX-License-Identifier: ISC */
/*
 * fuzz_openssh_key: OpenSSH's private key format (openssh-key-v1, the
 * decoded body of BEGIN OPENSSH PRIVATE KEY) through openssh_key_info()
 * and openssh_key_to_pkcs1(), with an empty and with the corpus
 * passphrase.  Inputs asking for more than FUZZ_MAX_ROUNDS bcrypt
 * rounds are dropped before decryption, so the fuzzer spends its time
 * on parsing rather than in bcrypt_pbkdf (the cap itself is checked in
 * tests/openssh-keys.bats).
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"
#include "keys/openssh_key.h"

#define FUZZ_MAX_ROUNDS 4

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_openssh_key");
	return 0;
}

static void
decrypt(const uint8_t *data, size_t size, const char *pass)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	struct rp_error perr = { RP_OK, "" };

	if (openssh_key_to_pkcs1(data, size, pass, strlen(pass), &der,
	    &der_len, &perr) == 0) {
		if (der == NULL || der_len == 0)
			abort();
		secure_free(der);
	} else if (perr.reason[0] == '\0') {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct openssh_key_info info;
	struct rp_error perr = { RP_OK, "" };

	if (size > KEY_FILE_MAX)
		return 0;
	if (openssh_key_info(data, size, &info, &perr) != 0) {
		if (perr.reason[0] == '\0')
			abort();
		return 0;
	}
	if (info.pub < data || info.pub + info.pub_len > data + size)
		abort();
	if (info.encrypted && info.rounds > FUZZ_MAX_ROUNDS)
		return 0;
	decrypt(data, size, "");
	decrypt(data, size, FUZZ_PASSPHRASE);
	return 0;
}
