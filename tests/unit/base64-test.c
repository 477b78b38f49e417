/* SPDX-License-Identifier: ISC */
/*
 * base64-test: the strict decoder (lib/codec/base64.h) against RFC 4648
 * section 10's vectors, padded and unpadded, and every way to spell
 * base64 wrongly it must refuse: non-canonical leftover bits, bad
 * lengths, misplaced or unwanted padding, characters outside the
 * standard alphabet (blanks and the URL-safe ones included), output
 * that does not fit.  Exits 0 when every check passes.
 */
#include <stdio.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/pem.h"
#include "core/common.h"
#include "unit.h"

static const struct { const char *plain, *b64; } rfc4648[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Decode s with flags; 0 or the code, the reason in err. */
static int
dec(const char *s, unsigned flags, unsigned char *out, size_t cap,
    size_t *n, struct rp_error *err)
{
	rp_clear(err);
	return b64_decode(s, strlen(s), flags, out, cap, n, err);
}

static void
known_answers(void)
{
	unsigned char out[16];
	char unpadded[16];
	struct rp_error err;
	size_t i, n, k;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		k = strlen(rfc4648[i].plain);
		CHECK(dec(rfc4648[i].b64, 0, out, sizeof(out), &n, &err) == 0
		    && n == k && memcmp(out, rfc4648[i].plain, k) == 0,
		    "RFC 4648 vector \"%s\"", rfc4648[i].b64);
		/* The same without its padding, as age writes it. */
		strcpy(unpadded, rfc4648[i].b64);
		unpadded[strcspn(unpadded, "=")] = '\0';
		CHECK(dec(unpadded, B64_UNPADDED, out, sizeof(out), &n,
		    &err) == 0 && n == k &&
		    memcmp(out, rfc4648[i].plain, k) == 0,
		    "unpadded vector \"%s\"", unpadded);
		CHECK(b64_check(rfc4648[i].b64, strlen(rfc4648[i].b64), 0,
		    &n) == NULL && n == k, "b64_check size of \"%s\"",
		    rfc4648[i].b64);
	}
}

static const struct { const char *b64; unsigned flags; const char *why; }
refused[] = {
	/* Non-canonical: the leftover bits are not zero. */
	{ "Zh==", 0, "non-canonical base64" },
	{ "Zm9=", 0, "non-canonical base64" },
	{ "Zm9vYh==", 0, "non-canonical base64" },
	{ "Zh", B64_UNPADDED, "non-canonical base64" },
	{ "Zm9", B64_UNPADDED, "non-canonical base64" },
	{ "//9", B64_UNPADDED, "non-canonical base64" },
	/* Lengths. */
	{ "Zg=", 0, "bad base64 length" },
	{ "Zg", 0, "bad base64 length" },
	{ "Zm9vY", 0, "bad base64 length" },
	{ "Z", B64_UNPADDED, "bad base64 length" },
	{ "Zm9vY", B64_UNPADDED, "bad base64 length" },
	/* Padding where it may not be. */
	{ "Zg==", B64_UNPADDED, "padded base64" },
	{ "Zm8=", B64_UNPADDED, "padded base64" },
	{ "Z===", 0, "bad base64" },
	{ "====", 0, "bad base64" },
	{ "Zg==Zg==", 0, "bad base64" },
	{ "Zm9v====", 0, "bad base64" },
	{ "Z=9v", 0, "bad base64" },
	/* Characters outside the standard alphabet. */
	{ "Zm9 ", 0, "bad base64" },
	{ "Zm\n9v", 0, "bad base64 length" },
	{ "Zm\r\n", 0, "bad base64" },
	{ "Zm-v", 0, "bad base64" },
	{ "Zm_v", 0, "bad base64" },
	{ "Zm9v\x80\x80\x80\x80", 0, "bad base64" },
	{ "Zm.v", B64_UNPADDED, "bad base64" },
};

static void
refusals(void)
{
	unsigned char out[16];
	struct rp_error err;
	size_t i, n;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		n = 99;
		CHECK(dec(refused[i].b64, refused[i].flags, out, sizeof(out),
		    &n, &err) == RP_MALFORMED && err.code == RP_MALFORMED &&
		    strcmp(err.reason, refused[i].why) == 0,
		    "\"%s\" (flags %u) refused as \"%s\", got \"%s\"",
		    refused[i].b64, refused[i].flags, refused[i].why,
		    err.reason);
		CHECK(n == 0 && out[0] == 0xa5, "\"%s\": nothing written",
		    refused[i].b64);
		CHECK(b64_check(refused[i].b64, strlen(refused[i].b64),
		    refused[i].flags, NULL) != NULL, "b64_check \"%s\"",
		    refused[i].b64);
	}
}

/* Output that does not fit is refused before a byte is written. */
static void
capacity(void)
{
	unsigned char out[6];
	struct rp_error err;
	size_t n;

	memset(out, 0, sizeof(out));
	CHECK(dec("Zm9vYmFy", 0, out, 5, &n, &err) == RP_MALFORMED &&
	    strcmp(err.reason, "base64 value too long") == 0 && out[0] == 0,
	    "6 bytes into 5 refused, nothing written");
	CHECK(dec("Zm9vYmFy", 0, out, 6, &n, &err) == 0 && n == 6,
	    "6 bytes into 6");
	CHECK(B64_DECODED_MAX(8) >= 6 && B64_DECODED_MAX(3) >= 2 &&
	    B64_ENCODED_LEN(4) == 8, "size macros");
}

/* Every byte value and every length to 40 round-trips through
 * libgpg-error's encoder (pem.c) and this decoder, unpadded. */
static void
round_trip(void)
{
	unsigned char in[256], out[256];
	char text[4 * 86 + 1];
	struct rp_error err;
	size_t i, n, len, bad = 0;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (len = 1; len <= 40; len++) {
		base64_encode_unpadded(in + len, len, text);
		if (dec(text, B64_UNPADDED, out, sizeof(out), &n, &err) != 0 ||
		    n != len || memcmp(out, in + len, len) != 0)
			bad++;
	}
	CHECK(bad == 0, "%zu of 40 lengths did not round-trip", bad);
	base64_encode_unpadded(in, sizeof(in), text);
	CHECK(dec(text, B64_UNPADDED, out, sizeof(out), &n, &err) == 0 &&
	    n == sizeof(in) && memcmp(out, in, sizeof(in)) == 0,
	    "256 bytes round-trip");
}

static void
alphabet(void)
{
	const char *std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	unsigned c, count = 0, wrong = 0;

	for (c = 0; c < 256; c++) {
		count += (unsigned)b64_is_char((unsigned char)c);
		if (b64_is_char((unsigned char)c) !=
		    (c != 0 && strchr(std, (int)c) != NULL))
			wrong++;
	}
	CHECK(count == 64 && wrong == 0, "alphabet: %u characters, %u wrong",
	    count, wrong);
}

/* A PEM body through pem_decode(); its reason in err. */
static int
pem_body(const char *body, unsigned char **der, size_t *n,
    struct rp_error *err)
{
	char pem[128];
	int len;

	len = snprintf(pem, sizeof(pem), "-----BEGIN X-----\n%s"
	    "-----END X-----\n", body);
	*der = NULL;
	return pem_decode((const unsigned char *)pem, (size_t)len, "X", der,
	    n, err);
}

/* PEM keeps the one reason it has always given for its base64, where
 * b64_decode() has finer ones. */
static void
pem_reason(void)
{
	struct rp_error err = { RP_OK, "" };
	unsigned char *p = NULL;
	size_t n;

	CHECK(pem_body("", &p, &n, &err) == RP_MALFORMED &&
	    err.code == RP_MALFORMED && strcmp(err.reason, "bad base64") == 0,
	    "PEM refuses an empty body as bad base64");
	CHECK(pem_body("Zh==\n", &p, &n, &err) == RP_MALFORMED &&
	    strcmp(err.reason, "bad base64") == 0, "PEM: canonical only");
	CHECK(pem_body("Zm9v\nYg==\n", &p, &n, &err) == 0 && n == 4 &&
	    memcmp(p, "foob", 4) == 0, "PEM body \"Zm9v\" \"Yg==\"");
	secure_free(p);
	CHECK(b64_is_char('+') && !b64_is_char('='), "b64_is_char");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	known_answers();
	refusals();
	capacity();
	round_trip();
	alphabet();
	pem_reason();
	return unit_done("base64");
}
