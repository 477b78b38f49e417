/* SPDX-License-Identifier: ISC */
/*
 * fuzz_keyswap: what a keyswap peer sends: frames (header and body),
 * taken by the real sequence of lib/keyswap_run.c, the one keyswap runs:
 * against our own fixed hello, the peer's hello (its keys built, the
 * reflection check, the transcript), then its proof verified with the
 * identity the hello carried under the scheme it named (PSS or SSHSIG),
 * or an early verdict, then its verdict.  The first input byte picks
 * our side: no invite, or an invite we made or typed (a fixed w), so
 * the peer's invite field, SPAKE2 share and confirmation are taken by
 * the real code too.  Only our own proof is not made: signing is slow
 * and takes nothing from the peer.
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "core/error.h"
#include "fuzz.h"
#include "keys/keys.h"
#include "keyswap/keyswap.h"
#include "keyswap/keyswap_run.h"

static const unsigned char nonce[KEYSWAP_NONCE_LEN] =
    "our own fixed keyswap nonce 32B";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_keyswap");
	(void)fuzz_key("alice");
	(void)fuzz_key("bob");
	return 0;
}

/* The next frame from *p, its header checked as keyswap_receive checks
 * it: 0, or -1 at the end of the input or on a bad header. */
static int
next_frame(const uint8_t **p, size_t *left, const unsigned char **frame,
    size_t *frame_len)
{
	struct rp_error err = { RP_OK, "" };
	size_t body_len;
	int type, version;

	if (*left < KEYSWAP_HEADER_LEN)
		return -1;
	if (keyswap_parse_header(*p, &type, &body_len, &version, &err) != 0) {
		if (err.code == RP_OK || err.reason[0] == '\0')
			abort();
		return -1;
	}
	if (body_len > KEYSWAP_BODY_MAX)
		abort();
	if (*left - KEYSWAP_HEADER_LEN < body_len)
		return -1;
	*frame = *p;
	*frame_len = KEYSWAP_HEADER_LEN + body_len;
	*p += *frame_len;
	*left -= *frame_len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keyswap_state s;
	const unsigned char *frame;
	unsigned char *copy;
	static const unsigned char w[SPAKE2_SCALAR_LEN] = { 0, 7 };
	struct keyswap_invite inv = { KEYSWAP_INVITER, 7, w, 0 };
	struct rp_error err;
	size_t left = size, frame_len;
	int rc, mode;

	if (size < 1)
		return 0;
	mode = data[0] % 3, data++, left--;
	inv.role = mode == 1 ? KEYSWAP_INVITER : KEYSWAP_CALLER;
	if (keyswap_begin(&s, fuzz_key("alice"), fuzz_key("bob"), nonce,
	    KEYSWAP_SCHEME_PSS, mode == 0 ? NULL : &inv, &err) != 0)
		abort();
	while (keyswap_expected(&s) != 0 &&
	    next_frame(&data, &left, &frame, &frame_len) == 0) {
		/* A buffer of the frame's own size, for ASan. */
		if ((copy = malloc(frame_len)) == NULL)
			abort();
		memcpy(copy, frame, frame_len);
		rp_clear(&err);
		rc = keyswap_take(&s, copy, frame_len, &err);
		free(copy);
		if (rc != 0) {
			/* A failure always says why, under its own code. */
			if (err.code != rc || err.reason[0] == '\0' ||
			    (rc == RP_REFUSED && s.bad_key == NULL &&
			    !s.early && s.refusal == 0))
				abort();
			break;
		}
		if (s.stage == KEYSWAP_WANT_PROOF &&
		    (s.peer_identity.pub == NULL ||
		    s.peer_session.pub == NULL))
			abort();
	}
	keyswap_state_free(&s);
	return 0;
}
