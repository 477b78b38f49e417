/* SPDX-License-Identifier: ISC */
/*
 * fuzz_spake2: what a peer sends the PAKE of keyswap's invites, and what
 * a person types as a code.  The input is
 *	byte 0: bit 0 the side that receives (A or B), bits 1-7 ignored
 *	byte 1: the length of the peer's share that follows (capped)
 *	then the share, then the peer's confirmation (the rest)
 * and the whole input is also read as a typed invite code.
 * Invariants: a refusal has a reason and one of the documented codes;
 * a share spake2_finish() takes is a point it could re-encode; a code
 * that parses writes out and parses back to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "crypto/spake2.h"
#include "keyswap/invite_code.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_spake2");
	return 0;
}

static void
typed_code(const uint8_t *data, size_t size)
{
	struct invite_code c, back;
	struct rp_error err;
	char out[INVITE_CODE_MAX];

	if (invite_code_parse(&c, (const char *)data, size, &err) != 0) {
		if (err.code != RP_MALFORMED || err.reason[0] == '\0')
			abort();
		return;
	}
	invite_code_format(&c, out);
	if (invite_code_parse(&back, out, strlen(out), NULL) != 0 ||
	    memcmp(&back, &c, sizeof(c)) != 0)
		abort();
}

/* Fixed w and scalar: the fuzzer explores the parsing, not the RNG. */
static void
peer_messages(const uint8_t *data, size_t size)
{
	static const unsigned char w[SPAKE2_SCALAR_LEN] = { 7 };
	static const unsigned char x[SPAKE2_SCALAR_LEN] = { 0x42, 1 };
	unsigned char share[SPAKE2_SHARE_LEN], confirm[SPAKE2_CONFIRM_LEN];
	enum spake2_role role = data[0] & 1 ? SPAKE2_B : SPAKE2_A;
	size_t share_len = data[1];
	struct rp_error err;
	struct spake2 s;
	int r;

	data += 2;
	size -= 2;
	if (share_len > size)
		share_len = size;
	if (spake2_start_with_scalar(&s, role, w, x, "rsapipe inviter", 15,
	    "rsapipe caller", 14, share, &err) != 0)
		abort();
	r = spake2_finish(&s, data, share_len, "T", 1, confirm, &err);
	if (r == 0) {
		if (share_len != SPAKE2_SHARE_LEN || data[0] != 0x04)
			abort();
		r = spake2_verify(&s, data + share_len, size - share_len, &err);
		if (r != 0 && r != RP_AUTH)
			abort();
	} else if ((r != RP_MALFORMED && r != RP_AUTH) ||
	    err.reason[0] == '\0') {
		abort();
	}
	spake2_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	typed_code(data, size);
	if (size >= 2)
		peer_messages(data, size);
	return 0;
}
