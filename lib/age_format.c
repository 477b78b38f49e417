/* SPDX-License-Identifier: ISC */
/* age_format.c: see age_format.h. */
#include <stdlib.h>
#include <string.h>

#include "age_format.h"
#include "bytes.h"
#include "common.h"
#include "hkdf.h"
#include "pem.h"

/*
 * Unpadded canonical base64 on pem.h's strict padded decoder: the text is
 * re-padded and decoded, then re-encoded without padding and compared
 * with what was given, which refuses non-zero trailing bits (and any
 * other second spelling of the same bytes).
 */
int
age_b64_decode(const char *s, size_t len, unsigned char *out,
    size_t outcap, size_t *outlen, const char **why)
{
	unsigned char *bin = NULL;
	char *padded, *again;
	size_t n = 0;
	int r = RP_MALFORMED;

	*outlen = 0;
	if (len == 0)
		return 0;
	if (len % 4 == 1 || memchr(s, '=', len) != NULL) {
		*why = len % 4 == 1 ? "bad base64 length" : "padded base64";
		return RP_MALFORMED;
	}
	if (len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1) > outcap) {
		*why = "base64 value too long";
		return RP_MALFORMED;
	}
	if ((padded = malloc(len + 3)) == NULL ||
	    (again = malloc(len + 4)) == NULL)
		die(EXIT_USAGE, "out of memory");
	memcpy(padded, s, len);
	memcpy(padded + len, "===", 3);
	*why = "bad base64";
	if (base64_decode(padded, (len + 3) / 4 * 4, &bin, &n, why) == 0) {
		base64_encode_unpadded(bin, n, again);
		if (strlen(again) == len && memcmp(again, s, len) == 0) {
			memcpy(out, bin, n);
			*outlen = n;
			r = 0;
		} else
			*why = "non-canonical base64";
		secure_free(bin);
	}
	free(padded);
	free(again);
	return r;
}
