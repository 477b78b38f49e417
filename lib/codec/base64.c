/* SPDX-License-Identifier: ISC */
/*
 * base64.c: the strict decoder (base64.h).
 *
 * A small table decoder rather than libgpg-error's gpgrt_b64dec_*, for
 * the project's rule is "never hand-roll what the libraries do" and
 * this is the case where the library does something else: gpgrt_b64dec
 * skips characters outside the alphabet, takes a truncated final group,
 * ignores non-zero leftover bits ("QR==" decodes as "QQ==") and drops
 * whatever follows the padding ("QQ==QQ==" is one byte), and it has no
 * unpadded mode.  Making it strict would need a full scan of the input
 * before it, which is this decoder less three shifts.  Encoding has no
 * such problem and stays on gpgrt_b64enc (pem.c).
 */
#include <string.h>

#include "codec/base64.h"

/* A character's 6-bit value, or -1. */
static int
value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_is_char(unsigned char c)
{
	return value(c) >= 0;
}

/* The characters that carry data: len less the padding, which must be
 * '=' only at the end, 1 or 2 of them, in a length that is a multiple
 * of 4.  0 with *data set, or a reason. */
static const char *
data_chars(const char *s, size_t len, unsigned flags, size_t *data)
{
	size_t pad = 0;

	if (flags & B64_UNPADDED) {
		if (len % 4 == 1)
			return "bad base64 length";
		if (memchr(s, '=', len) != NULL)
			return "padded base64";
		*data = len;
		return NULL;
	}
	if (len % 4 != 0)
		return "bad base64 length";
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	*data = len - pad;
	return NULL;
}

const char *
b64_check(const char *s, size_t len, unsigned flags, size_t *outlen)
{
	const char *reason;
	size_t data, i, rest;
	int last;

	if ((reason = data_chars(s, len, flags, &data)) != NULL)
		return reason;
	for (i = 0; i < data; i++)
		if (value((unsigned char)s[i]) < 0)
			return "bad base64";
	rest = data % 4;
	if (rest == 1)
		return "bad base64";   /* "A===" or "AAAAA=": misplaced '=' */
	/* The bits a short final group leaves over: 4 of them after two
	 * characters, 2 after three, all zero in the one canonical form. */
	if (rest > 0) {
		last = value((unsigned char)s[data - 1]);
		if ((rest == 2 && (last & 0x0f) != 0) ||
		    (rest == 3 && (last & 0x03) != 0))
			return "non-canonical base64";
	}
	if (outlen != NULL)
		*outlen = data / 4 * 3 + (rest > 0 ? rest - 1 : 0);
	return NULL;
}

int
b64_decode(const char *s, size_t len, unsigned flags, unsigned char *out,
    size_t outcap, size_t *outlen, struct rp_error *err)
{
	const char *reason;
	unsigned long acc = 0;
	size_t n, i, bits = 0, o = 0;

	*outlen = 0;
	if ((reason = b64_check(s, len, flags, &n)) != NULL)
		return rp_fail(err, RP_MALFORMED, "%s", reason);
	if (n > outcap)
		return rp_fail(err, RP_MALFORMED, "base64 value too long");
	for (i = 0; o < n; i++) {
		acc = (acc << 6 | (unsigned long)value((unsigned char)s[i])) &
		    0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = n;
	return 0;
}
