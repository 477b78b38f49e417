/* SPDX-License-Identifier: ISC */
/*
 * fuzz_keyswap: what a keyswap peer sends: frames (header and body),
 * parsed in the order keyswap reads them: a hello (its keys built, the
 * reflection check and the transcript against our own fixed hello),
 * then a proof verified with the identity the hello carried, then a
 * verdict.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "keys.h"
#include "keyswap.h"

static unsigned char own[KEYSWAP_FRAME_MAX];
static size_t own_len;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const unsigned char nonce[KEYSWAP_NONCE_LEN] =
	    "our own fixed keyswap nonce 32B";
	const struct rsa_key *alice, *bob;

	(void)argc;
	(void)argv;
	fuzz_init("fuzz_keyswap");
	alice = fuzz_key("alice");
	bob = fuzz_key("bob");
	own_len = keyswap_encode_hello(own, alice->spki, alice->spki_len,
	    bob->spki, bob->spki_len, nonce);
	if (own_len == 0)
		abort();
	return 0;
}

/* The next frame from *p: its whole length and body, or -1. */
static int
next_frame(const uint8_t **p, size_t *left, int *type,
    const unsigned char **frame, size_t *frame_len,
    const unsigned char **body, size_t *body_len)
{
	const char *why = NULL;
	int version;

	if (*left < KEYSWAP_HEADER_LEN)
		return -1;
	if (keyswap_parse_header(*p, type, body_len, &version, &why) != 0) {
		if (why == NULL)
			abort();
		return -1;
	}
	if (*body_len > KEYSWAP_BODY_MAX)
		abort();
	if (*left - KEYSWAP_HEADER_LEN < *body_len)
		return -1;
	*frame = *p;
	*frame_len = KEYSWAP_HEADER_LEN + *body_len;
	*body = *p + KEYSWAP_HEADER_LEN;
	*p += *frame_len;
	*left -= *frame_len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsa_key identity, session;
	struct keyswap_hello hello;
	unsigned char t[KEYSWAP_CONTEXT_LEN], *hello_copy = NULL;
	const unsigned char *frame, *body, *sig;
	const char *why = NULL;
	size_t left = size, frame_len, body_len, hello_len = 0, sig_len;
	int type, verdict, have_identity = 0;

	memset(&identity, 0, sizeof(identity));
	while (next_frame(&data, &left, &type, &frame, &frame_len, &body,
	    &body_len) == 0) {
		switch (type) {
		case KEYSWAP_HELLO:
			if (hello_copy != NULL)
				goto out; /* keyswap reads one hello */
			/* A buffer of the frame's own size, for ASan. */
			hello_copy = malloc(frame_len);
			if (hello_copy == NULL)
				abort();
			memcpy(hello_copy, frame, frame_len);
			hello_len = frame_len;
			if (keyswap_parse_hello(&hello, hello_copy +
			    KEYSWAP_HEADER_LEN, body_len, &why) != 0 ||
			    keyswap_check_not_reflected(own, own_len,
			    hello_copy, hello_len, &why) != 0)
				goto out;
			if (hello.identity_len > KEYSWAP_SPKI_MAX ||
			    hello.session_len > KEYSWAP_SPKI_MAX)
				abort();
			if (key_from_spki(&identity, hello.identity,
			    hello.identity_len, &why) != 0)
				goto out;
			have_identity = 1;
			if (key_from_spki(&session, hello.session,
			    hello.session_len, &why) == 0)
				key_free(&session);
			keyswap_transcript(t, own, own_len, hello_copy,
			    hello_len);
			break;
		case KEYSWAP_PROOF:
			if (keyswap_parse_proof(&sig, &sig_len, body, body_len,
			    &why) != 0)
				goto out;
			if (sig_len == 0 || sig_len > KEYSWAP_SIG_MAX)
				abort();
			if (have_identity)
				(void)keyswap_verify_proof(&identity, t,
				    hello_copy, hello_len, sig, sig_len);
			break;
		default:
			if (keyswap_parse_verdict(&verdict, body, body_len,
			    &why) != 0)
				goto out;
			if (verdict != KEYSWAP_ACCEPT &&
			    verdict != KEYSWAP_REFUSE)
				abort();
			break;
		}
	}
out:
	if (have_identity)
		key_free(&identity);
	free(hello_copy);
	return 0;
}
