/* SPDX-License-Identifier: ISC */
/*
 * fuzz_stream_header: the stream header as rsa-decrypt reads it: parsed
 * incrementally, then the file key searched for (identity.h) with
 * alice's key (the seed streams are for alice), each candidate's session
 * tag, MAC and, for signed streams, bob's signature checked.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "stream/format.h"
#include "fuzz.h"
#include "stream/stream.h"

/* alice as the one identity (borrowed: fuzz_key keeps the key). */
static struct identity_set ids;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_stream_header");
	(void)identity_set_add(&ids, stream_rsa_identity(
	    (struct rsa_key *)fuzz_key("alice"), 0), NULL);
	(void)fuzz_key("bob");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_header h, again;
	struct stream_keys *keys;
	const unsigned char *session;
	struct rp_error err = { RP_OK, "" };
	size_t have, need = 0;
	int r;

	if (size > STREAM_HEADER_MAX + 64)
		return 0;
	/* As the decryptor does: start with what one read might bring and
	 * grow to what the parser says it needs.  need must always grow,
	 * or the decryptor would loop. */
	have = size < STREAM_FIXED_LEN ? size : STREAM_FIXED_LEN;
	for (;;) {
		r = stream_header_parse(&h, data, have, &need, &err);
		if (r != RP_MORE)
			break;
		if (need <= have || need > STREAM_HEADER_MAX)
			abort();
		if (need > size)
			return 0; /* truncated: the decryptor says so */
		have = need;
	}
	if (r != 0) {
		if (err.code != r || err.reason[0] == '\0')
			abort();
		return 0;
	}
	if (h.len > have || h.mac_offset + STREAM_MAC_LEN != h.len)
		abort();
	/* The same bytes alone must parse the same way. */
	if (stream_header_parse(&again, data, h.len, &need, &err) != 0 ||
	    again.len != h.len)
		abort();

	keys = stream_keys_new();
	session = (h.flags & STREAM_FLAG_SESSION) ?
	    (const unsigned char *)FUZZ_SESSION : NULL;
	rp_clear(&err);
	r = stream_find_file_key(&h, data, &ids, session,
	    (h.flags & STREAM_FLAG_SIGNED) ? fuzz_key("bob") : NULL, keys,
	    &err);
	/* One of the search's outcomes, always with a reason. */
	if (r != 0 && (err.code != r || err.reason[0] == '\0' ||
	    (r != RP_NOKEY && r != RP_DECRYPT && r != RP_AUTH)))
		abort();
	stream_keys_free(keys);
	return 0;
}
