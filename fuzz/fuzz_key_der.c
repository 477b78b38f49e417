/* SPDX-License-Identifier: ISC */
/*
 * fuzz_key_der: the DER inside key files, mutated directly rather than
 * through base64.  The first byte picks the structure; the rest is
 * wrapped in PEM under that label and parsed as a key file would be, or
 * (selector 5) handed to key_from_spki() as keyswap does with what a
 * peer sends.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"
#include "codec/pem.h"
#include "keys/keys.h"

static const char *const labels[] = {
	"PUBLIC KEY", "RSA PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY",
	"ENCRYPTED PRIVATE KEY"
};
#define NLABELS (sizeof(labels) / sizeof(labels[0]))

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_key_der");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_key key;
	struct rp_error perr = { RP_OK, "" };
	unsigned int sel;
	char *pem;
	size_t len;
	int rc;

	if (size < 2 || size > KEY_FILE_MAX / 2)
		return 0;
	sel = data[0] % (NLABELS + 1);
	data++;
	size--;
	if (sel == NLABELS) {
		rc = key_from_spki(&key, data, size, &perr);
	} else {
		pem = pem_encode(labels[sel], data, size, 0, &len);
		rc = sel < 2 ?
		    key_parse_public(&key, (unsigned char *)pem, len, NULL,
		    &perr) :
		    key_parse_private(&key, (unsigned char *)pem, len,
		    fuzz_passphrase(), &perr);
		free(pem);
	}
	if (rc == 0) {
		if (key.nbits < KEY_MIN_BITS || key.nbits > KEY_MAX_BITS ||
		    key.spki == NULL)
			abort();
		key_free(&key);
	} else if (perr.reason[0] == '\0') {
		abort();
	}
	return 0;
}
