/* SPDX-License-Identifier: ISC */
/*
 * fuzz_age_armor: the age armor decoder, fed the input whole and then
 * split at a point the input chooses: both must agree on the result
 * and the decoded bytes, and stay within the promised room.
 */
#include <stdlib.h>
#include <string.h>

#include "age/age_armor.h"
#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_age_armor");
	return 0;
}

/* Decode data in two pieces split at cut; the result code, and the
 * decoded bytes into out (room for size + 128). */
static int
decode(const uint8_t *data, size_t size, size_t cut, unsigned char *out,
    size_t *outlen)
{
	struct age_armor_reader r;
	struct rp_error perr = { RP_OK, "" };
	size_t n1 = 0, n2 = 0;
	int rc;

	age_armor_reader_open(&r);
	rc = age_armor_decode(&r, data, cut, out, &n1, &perr);
	if (rc == 0) {
		if (n1 > cut + 64)
			abort();
		rc = age_armor_decode(&r, data + cut, size - cut, out + n1,
		    &n2, &perr);
		if (rc == 0 && n2 > size - cut + 64)
			abort();
	}
	if (rc == 0)
		rc = age_armor_finish(&r, &perr);
	if (rc != 0 && (perr.reason[0] == '\0' || strncmp(perr.reason, "age armor: ", 11) != 0))
		abort();
	age_armor_reader_free(&r);
	*outlen = n1 + n2;
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *a, *b;
	size_t na, nb, cut;
	int ra, rb;

	if (size < 1)
		return 0;
	cut = data[0] % size;
	data++, size--;
	if (cut > size)
		cut = size;
	a = malloc(size + 128);
	b = malloc(size + 128);
	if (a == NULL || b == NULL)
		abort();
	ra = decode(data, size, size, a, &na);
	rb = decode(data, size, cut, b, &nb);
	if ((ra == 0) != (rb == 0) || (ra == 0 && (na != nb ||
	    memcmp(a, b, na) != 0)))
		abort();
	free(a);
	free(b);
	return 0;
}
