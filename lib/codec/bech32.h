/* SPDX-License-Identifier: ISC */
/*
 * bech32.h: Bech32 (BIP-173) encoding of byte strings under a
 * human-readable part, as age writes its keys ("age1...",
 * "AGE-SECRET-KEY-1...").  Unlike BIP-173 there is no 90-character cap
 * (age lifts it); otherwise the rules are BIP-173's: one case
 * throughout, HRP of printable ASCII, a 6-character checksum, 5-to-8
 * bit regrouping with zero padding of at most 4 bits.
 */
#ifndef RSAPIPE_BECH32_H
#define RSAPIPE_BECH32_H

#include <stddef.h>

#include "core/error.h"

/*
 * Encode data (len bytes) under hrp, lowercase (upper with upper set),
 * into out, NUL-terminated.  Returns the length written, or 0 if out
 * (outcap bytes) is too small or hrp is not valid.
 */
size_t bech32_encode(char *out, size_t outcap, const char *hrp,
    const unsigned char *data, size_t len, int upper);

/*
 * Decode s (len characters).  The HRP (lowercased) goes to hrp
 * (hrpcap bytes, NUL-terminated), the data to out (at most outcap
 * bytes), its length to *outlen.  Returns 0, or RP_MALFORMED with its
 * reason in err (mixed case, bad character, bad checksum, bad padding, too long for
 * the buffers).
 */
int bech32_decode(const char *s, size_t len, char *hrp, size_t hrpcap,
    unsigned char *out, size_t outcap, size_t *outlen, struct rp_error *err);

#endif
