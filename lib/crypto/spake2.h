/* SPDX-License-Identifier: ISC */
/*
 * spake2.h: SPAKE2 (RFC 9382), the suite SPAKE2-P256-SHA256-HKDF-HMAC,
 * on libgcrypt's elliptic-curve API; the PAKE of keyswap's invites
 * (doc/KEYSWAP-v2.md section 4).
 *
 * One context per side.  A ("made the code") and B ("typed it") each:
 *
 *	spake2_password_to_w(w, words, len, number, err)   (4.3: scrypt)
 *	spake2_start(&s, SPAKE2_A, w, idA, idA_len, idB, idB_len, share, err)
 *	    ... send share (65 bytes), receive the peer's ...
 *	spake2_finish(&s, peer_share, aad, aad_len, confirm, err)
 *	    ... send confirm (32 bytes), receive the peer's ...
 *	spake2_verify(&s, peer_confirm, err)
 *	spake2_free(&s)
 *
 * Only spake2_verify() returning 0 says the peer knows w: until then
 * nothing derived here may be trusted.  A wrong password and a man in
 * the middle look the same (RP_AUTH), by design.  Shares are
 * uncompressed SEC1 points; a peer share that is not a point of P-256
 * is RP_MALFORMED.
 *
 * Every secret (the scalar x or y, w, K, the transcript TT that holds
 * them, Ke, Ka, KcA, KcB) lives in libgcrypt's secure memory and is
 * wiped by spake2_free(); the scalars are secure MPIs, which also makes
 * libgcrypt multiply by them in constant time.
 */
#ifndef RSAPIPE_SPAKE2_H
#define RSAPIPE_SPAKE2_H

#include <stddef.h>
#include <gcrypt.h>

#include "core/error.h"

#define SPAKE2_SHARE_LEN 65    /* 04 || x || y, P-256 */
#define SPAKE2_SCALAR_LEN 32   /* w, x, y: big-endian, mod n */
#define SPAKE2_CONFIRM_LEN 32  /* HMAC-SHA256 */
#define SPAKE2_KEY_LEN 16      /* Ke, Ka, KcA, KcB: half a SHA-256 */
#define SPAKE2_ID_MAX 256      /* each identity, in bytes */
#define SPAKE2_AAD_MAX 1024
/* scrypt of doc/KEYSWAP-v2.md 4.3: N = 2^15, r = 8 (libgcrypt's fixed
 * block size), p = 1, 48 bytes: 128 bits more than n, so the reduction
 * mod n is unbiased for every practical purpose, as the RFC asks. */
#define SPAKE2_SCRYPT_N 32768
#define SPAKE2_SCRYPT_P 1
#define SPAKE2_W_WIDE_LEN 48

enum spake2_role { SPAKE2_A = 1, SPAKE2_B = 2 };

struct spake2_secrets;  /* in secure memory, spake2.c */

struct spake2 {
	enum spake2_role role;
	int state;  /* spake2.c's; 0 before start */
	gcry_ctx_t ec;
	unsigned char own_share[SPAKE2_SHARE_LEN];
	unsigned char peer_share[SPAKE2_SHARE_LEN];
	struct spake2_secrets *sec;
};

/*
 * w for an invite (doc/KEYSWAP-v2.md 4.3): OS2IP(scrypt(words,
 * "rsapipe invite v2" || be16(number), N=2^15, r=8, p=1, 48 bytes)) mod
 * n, into w as 32 big-endian bytes.  words are the code's two words as
 * the code list spells them, joined by one "-" (invite_code_words()).
 * w should be secure memory.  Costs 32 MiB and 150-350 ms on a 2-core
 * machine (nearly all of an exchange's cost): the point, against a
 * stolen invite file.  RP_USAGE for empty words or a number over 65535.
 */
int spake2_password_to_w(unsigned char w[SPAKE2_SCALAR_LEN],
    const char *words, size_t words_len, unsigned number,
    struct rp_error *err);

/*
 * Begin one side's run: a fresh random scalar, and this side's share
 * (pA = x*G + w*M for A, pB = y*G + w*N for B) into share.  w is 32
 * big-endian bytes, already reduced mod n; idA and idB are A's and B's
 * identities (either may be empty).  On failure s is left freed.
 */
int spake2_start(struct spake2 *s, enum spake2_role role,
    const unsigned char w[SPAKE2_SCALAR_LEN],
    const void *id_a, size_t id_a_len, const void *id_b, size_t id_b_len,
    unsigned char share[SPAKE2_SHARE_LEN], struct rp_error *err);

/*
 * FOR KNOWN-ANSWER TESTS ONLY: spake2_start() with the scalar (x for
 * A, y for B) given instead of drawn, so RFC 9382's vectors can be
 * reproduced.  A fixed scalar in a real run gives away w to anyone who
 * records two runs: no program may call this.
 */
int spake2_start_with_scalar(struct spake2 *s, enum spake2_role role,
    const unsigned char w[SPAKE2_SCALAR_LEN],
    const unsigned char scalar[SPAKE2_SCALAR_LEN],
    const void *id_a, size_t id_a_len, const void *id_b, size_t id_b_len,
    unsigned char share[SPAKE2_SHARE_LEN], struct rp_error *err);

/*
 * Check the peer's share (RP_MALFORMED when it is not exactly an
 * uncompressed point on P-256, or is the identity), compute K, TT and
 * the key schedule with aad (keyswap's transcript T; may be empty) as
 * RFC 9382 section 4 says, and write this side's confirmation MAC (cA
 * for A, cB for B) into confirm.  Call once, after spake2_start().
 */
int spake2_finish(struct spake2 *s,
    const unsigned char *peer_share, size_t peer_share_len,
    const void *aad, size_t aad_len,
    unsigned char confirm[SPAKE2_CONFIRM_LEN], struct rp_error *err);

/*
 * Check the peer's confirmation MAC in constant time: 0 when it is
 * right, RP_AUTH "the peer's confirmation does not verify" otherwise
 * (a wrong password, or someone in the middle).  After
 * spake2_finish(); may be asked once.
 */
int spake2_verify(struct spake2 *s, const unsigned char *peer_confirm,
    size_t peer_confirm_len, struct rp_error *err);

/*
 * The shared key Ke (16 bytes) of a run whose peer confirmation
 * verified; RP_USAGE before that.  keyswap does not use it (the PAKE
 * only authenticates), but it is the RFC's output.
 */
int spake2_shared_key(const struct spake2 *s,
    unsigned char ke[SPAKE2_KEY_LEN], struct rp_error *err);

/* Wipe and free what s holds; s may be unstarted or already freed. */
void spake2_free(struct spake2 *s);

/*
 * FOR KNOWN-ANSWER TESTS ONLY: the intermediate values of a finished
 * run, pointing into s's secure memory (valid until spake2_free()).
 * Returns RP_USAGE before spake2_finish().
 */
struct spake2_kat {
	const unsigned char *k;   /* SPAKE2_SHARE_LEN bytes, SEC1 */
	const unsigned char *tt;
	size_t tt_len;
	const unsigned char *ke, *ka, *kca, *kcb;  /* SPAKE2_KEY_LEN each */
};
int spake2_kat_values(const struct spake2 *s, struct spake2_kat *v);

/*
 * FOR TESTS ONLY: RFC 9382's constants M and N as libgcrypt decodes
 * them from the RFC's compressed form, each as an uncompressed SEC1
 * point, so a test can hold them against independently computed ones.
 */
int spake2_constants(unsigned char m[SPAKE2_SHARE_LEN],
    unsigned char n[SPAKE2_SHARE_LEN], struct rp_error *err);

#endif
