/* SPDX-License-Identifier: ISC */
/*
 * fuzz_recipients: recipients files (rsa-encrypt -R): ssh-rsa lines,
 * authorized_keys lines with options, GitHub's USER.keys, base64 SPKI,
 * comments, keys of other types.  Every line read must be accounted
 * for: a key, a skipped type, or an error with a reason, and the line
 * numbers only ever grow.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fuzz.h"
#include "keys/keys.h"
#include "api/recipients.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_recipients");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recipients_reader r;
	struct rsa_key key;
	char fp[KEY_FINGERPRINT_LEN];
	struct rp_error err = { RP_OK, "" };
	size_t last = 0;
	int rc;

	if (size > KEY_FILE_MAX)
		return 0;
	recipients_init(&r, data, size);
	/* Read on after errors too, as a lenient caller would. */
	while ((rc = recipients_next(&r, &key, &err)) != 0) {
		if (r.lineno <= last || r.lines.off > size)
			abort();
		last = r.lineno;
		if (rc < 0) {
			if (err.code != rc || err.reason[0] == '\0' ||
			    (rc != RP_MALFORMED &&
			    rc != RP_REFUSED) || key.pub != NULL)
				abort();
			continue;
		}
		if (r.type[0] == '\0' || strlen(r.type) > RECIPIENT_TYPE_MAX)
			abort();
		if (r.kind == RECIPIENT_RSA) {
			key_fingerprint(&key, fp);
			if (key.pub == NULL || key.priv != NULL ||
			    strncmp(fp, "SHA256:", 7) != 0)
				abort();
			key_free(&key);
		} else if (key.pub != NULL) {
			abort();
		}
	}
	return 0;
}
