/* SPDX-License-Identifier: ISC */
/*
 * bech32.c: see bech32.h.  BIP-173's checksum (the constant 1, not
 * bech32m's), computed as the characters go by: neither direction keeps
 * a copy of the 5-bit groups, which for an identity are the secret.
 */
#include <stdint.h>
#include <string.h>

#include "codec/bech32.h"
#include "core/common.h"
#include "core/error.h"

#define CHECKSUM_LEN 6

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* One step of BIP-173's BCH polymod: chk then v. */
static unsigned long
polymod_step(unsigned long chk, unsigned v)
{
	static const unsigned long gen[5] = {
		0x3b6a57b2UL, 0x26508e6dUL, 0x1ea119faUL, 0x3d4233ddUL,
		0x2a1462b3UL
	};
	unsigned long top = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffffUL) << 5) ^ v;
	for (i = 0; i < 5; i++)
		chk ^= (-((top >> i) & 1)) & gen[i];
	return chk;
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* The polymod over the HRP's expansion (high bits, 0, low bits), the
 * HRP taken in lowercase. */
static unsigned long
polymod_hrp(const char *hrp, size_t n)
{
	unsigned long chk = 1;
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)to_lower(
		    (unsigned char)hrp[i]) >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned)to_lower(
		    (unsigned char)hrp[i]) & 31);
	return chk;
}

/* The value of a data character (either case), or -1. */
static int
charset_value(int c)
{
	const char *p;

	c = to_lower(c);
	if (c == '\0' || (p = strchr(charset, c)) == NULL)
		return -1;
	return (int)(p - charset);
}

size_t
bech32_encode(char *out, size_t outcap, const char *hrp,
    const unsigned char *data, size_t len, int upper)
{
	size_t hlen, groups, n, i;
	unsigned long chk, acc = 0;
	unsigned bits = 0, v;

	hlen = strlen(hrp);
	if (hlen == 0 || len > (SIZE_MAX - hlen - 16) / 8)
		return 0;
	for (i = 0; i < hlen; i++)
		if ((unsigned char)hrp[i] < 33 || (unsigned char)hrp[i] > 126)
			return 0;
	groups = (len * 8 + 4) / 5;
	if (outcap < hlen + 1 + groups + CHECKSUM_LEN + 1)
		return 0;
	for (n = 0; n < hlen; n++)
		out[n] = (char)(upper ? to_upper(hrp[n]) : to_lower(hrp[n]));
	out[n++] = '1';
	chk = polymod_hrp(hrp, hlen);
	for (i = 0; i < len || bits > 0;) {
		if (bits < 5 && i < len) {
			acc = ((acc << 8) | data[i++]) & 0xfff;
			bits += 8;
		}
		if (bits >= 5) {
			bits -= 5;
			v = (acc >> bits) & 31;
		} else {        /* the last group, zero-padded */
			v = (acc << (5 - bits)) & 31;
			bits = 0;
		}
		chk = polymod_step(chk, v);
		out[n++] = upper ? (char)to_upper(charset[v]) : charset[v];
	}
	for (i = 0; i < CHECKSUM_LEN; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < CHECKSUM_LEN; i++) {
		v = (chk >> (5 * (CHECKSUM_LEN - 1 - i))) & 31;
		out[n++] = upper ? (char)to_upper(charset[v]) : charset[v];
	}
	out[n] = '\0';
	wipe(&acc, sizeof(acc));
	return n;
}

/*
 * Structure and checksum: printable ASCII, one case, a separator with
 * an HRP before it and a checksum after it, data characters in the
 * charset.  *sep gets the separator's position.
 */
static int
check_string(const char *s, size_t len, size_t *sep, struct rp_error *err)
{
	unsigned long chk;
	int lower = 0, upper = 0, v;
	size_t i, pos = len;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126) 
			return rp_fail(err, RP_MALFORMED,
			    "bad character in Bech32 string");
		lower |= c >= 'a' && c <= 'z';
		upper |= c >= 'A' && c <= 'Z';
		if (c == '1')
			pos = i;
	}
	if (lower && upper) 
		return rp_fail(err, RP_MALFORMED,
		    "Bech32 string of mixed case");
	if (pos == len || pos == 0 || len - pos - 1 < CHECKSUM_LEN) 
		return rp_fail(err, RP_MALFORMED,
		    "Bech32 string without a separator, HRP or checksum");
	chk = polymod_hrp(s, pos);
	for (i = pos + 1; i < len; i++) {
		if ((v = charset_value((unsigned char)s[i])) < 0) 
			return rp_fail(err, RP_MALFORMED,
			    "bad character in Bech32 data");
		chk = polymod_step(chk, (unsigned)v);
	}
	if (chk != 1) 
		return rp_fail(err, RP_MALFORMED, "bad Bech32 checksum");
	*sep = pos;
	return 0;
}

int
bech32_decode(const char *s, size_t len, char *hrp, size_t hrpcap,
    unsigned char *out, size_t outcap, size_t *outlen, struct rp_error *err)
{
	size_t pos = 0, groups, i, n = 0;
	unsigned long acc = 0;
	unsigned bits = 0;
	int rc;

	if ((rc = check_string(s, len, &pos, err)) != 0)
		return rc;
	groups = len - pos - 1 - CHECKSUM_LEN;
	/* At most 4 bits of padding, and they must be zero (below). */
	if (groups * 5 % 8 > 4) 
		return rp_fail(err, RP_MALFORMED, "bad Bech32 padding");
	if (pos + 1 > hrpcap || groups * 5 / 8 > outcap) 
		return rp_fail(err, RP_MALFORMED, "Bech32 string too long");
	for (i = 0; i < groups; i++) {
		acc = ((acc << 5) | (unsigned)charset_value(
		    (unsigned char)s[pos + 1 + i])) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	rc = (acc & ((1UL << bits) - 1)) != 0;
	wipe(&acc, sizeof(acc));
	if (rc) {
		wipe(out, n);
		return rp_fail(err, RP_MALFORMED, "bad Bech32 padding");
	}
	for (i = 0; i < pos; i++)
		hrp[i] = (char)to_lower((unsigned char)s[i]);
	hrp[pos] = '\0';
	*outlen = n;
	return 0;
}
