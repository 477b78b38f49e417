/* SPDX-License-Identifier: ISC */
/*
 * fuzz_age_header: the age header as age_decrypt reads it: parsed
 * incrementally (need must grow), then the stanzas' type checks on the
 * views age_decrypt gives its identities (age_header_stanzas()), then
 * the MAC under a fixed file key; a header that parses must build back
 * to the same bytes up to its MAC.
 */
#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "age/age_format.h"
#include "age/age_stanza.h"
#include "core/common.h"
#include "keys/identity.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_age_header");
	return 0;
}

static void
check_rebuild(const struct age_header *h, const uint8_t *data)
{
	static const unsigned char key[AGE_FILE_KEY_LEN] = "fuzz file key 16";
	size_t len;
	char *again;

	again = age_header_build(h->stanzas, h->nstanzas, key, &len);
	if (len != h->len || memcmp(again, data, h->mac_input_len) != 0)
		abort();
	(void)age_header_check_mac(h, data, key);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_error err = { RP_OK, "" };
	struct age_header h;
	struct stanza *v;
	size_t have, need = 0;
	int r;

	have = size < 16 ? size : 16;
	for (;;) {
		r = age_header_parse(&h, data, have, &need, &err);
		if (r != RP_MORE)
			break;
		if (need <= have || need > AGE_HEADER_MAX)
			abort();
		if (need > size)
			return 0;
		have = need;
	}
	if (r != 0) {
		/* A failure always says why, under its own code. */
		if (err.code != r || err.reason[0] == '\0')
			abort();
		return 0;
	}
	if (h.len > have || h.mac_input_len + 45 != h.len)
		abort();
	v = age_header_stanzas(&h);
	if (age_stanzas_check(v, h.nstanzas, &err) != 0 &&
	    err.reason[0] == '\0')
		abort();
	free(v);
	check_rebuild(&h, data);
	age_header_free(&h);
	return 0;
}
