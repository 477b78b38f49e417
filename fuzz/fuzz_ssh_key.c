/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ssh_key: OpenSSH public key lines ("ssh-rsa AAAA... comment"), as
 * pasted from authorized_keys or ~/.ssh/id_rsa.pub.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"
#include "keys/keys.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_ssh_key");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_key key;
	char fp[KEY_FINGERPRINT_LEN];
	struct rp_error perr = { RP_OK, "" };

	if (size > KEY_FILE_MAX)
		return 0;
	if (key_parse_public(&key, data, size, NULL, &perr) == 0) {
		key_fingerprint(&key, fp);
		if (strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 50)
			abort();
		key_free(&key);
	} else if (perr.reason[0] == '\0') {
		abort();
	}
	return 0;
}
