/* SPDX-License-Identifier: ISC */
/*
 * bech32-test: lib/bech32.c against BIP-173's test vectors (every
 * string the BIP lists as having a valid or an invalid Bech32
 * checksum), padding cases made with the BIP's reference Python code,
 * buffer limits, every single-character substitution of a string with
 * data, and encode/decode round trips.  Exits 0 when every check
 * passes, 1 otherwise, naming each failure.
 */
#include <stdio.h>
#include <string.h>

#include "../../tools/cli.h"
#include "codec/bech32.h"
#include "core/common.h"
#include "core/error.h"

static int failed;
static unsigned checks;

static void
check(int ok, const char *what, const char *s)
{
	checks++;
	if (!ok) {
		notice("FAIL: %s: \"%s\"", what, s);
		failed = 1;
	}
}

/* BIP-173: "The following strings have a valid Bech32 checksum."  The
 * last is BIP-173's "overall max length exceeded" (91 characters, a
 * valid checksum): age lifts the 90-character cap, so it is valid here. */
static const char *const valid[] = {
	"A12UEL5L",
	"a12uel5l",
	"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
	"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
	"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	"?1ezyfcl",
	"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
};

struct bad {
	const char *s;
	size_t len;     /* 0: strlen(s) */
	const char *reason;
};

/* BIP-173's invalid strings, then padding cases (reference code). */
static const struct bad invalid[] = {
	{ " 1nwldj5", 0, "HRP character out of range (0x20)" },
	{ "\x7f" "1axkwrx", 0, "HRP character out of range (0x7f)" },
	{ "\x80" "1eym55h", 0, "HRP character out of range (0x80)" },
	{ "pzry9x0s0muk", 0, "no separator character" },
	{ "1pzry9x0s0muk", 0, "empty HRP" },
	{ "x1b4n0q5v", 0, "invalid data character" },
	{ "li1dgmt3", 0, "too short checksum" },
	{ "de1lg7wt\xff", 0, "invalid character in checksum" },
	{ "A1G7SGD8", 0, "checksum calculated with uppercase HRP" },
	{ "10a06t8", 0, "empty HRP" },
	{ "1qzzfhee", 0, "empty HRP" },
	{ "a1pv7wwwr", 0, "5 bits of padding" },
	{ "a1q3g6mn3", 0, "5 zero bits of padding" },
	{ "a1qqqd87cpp", 0, "7 zero bits of padding" },
	{ "a1qqqqqq3q4q7k", 0, "6 zero bits of padding" },
	{ "a1qpamnt9j", 0, "non-zero padding bits" },
	{ "a1llllllls3tnvu", 0, "non-zero padding bits (3 bits)" },
	{ "A12uel5l", 0, "mixed case" },
	{ "a12uel5l\0", 9, "NUL inside the string" },
	{ "a12UEL5L", 0, "mixed case in the data" },
	{ "", 0, "empty string" },
	{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 44,
	    "checksum cut short" },
};

static int
decode(const char *s, size_t len, char *hrp, size_t hrpcap,
    unsigned char *out, size_t outcap, size_t *outlen)
{
	struct rp_error err = { RP_OK, "" };
	int rc;

	rc = bech32_decode(s, len, hrp, hrpcap, out, outcap, outlen, &err);
	if (rc != 0 && rc != RP_MALFORMED)
		check(0, "a return other than 0 or RP_MALFORMED", s);
	if (rc != 0 && (err.code != rc || err.reason[0] == '\0'))
		check(0, "a failure without a reason", s);
	return rc;
}

static void
test_valid(void)
{
	char hrp[128], again[256];
	unsigned char data[128];
	size_t i, n;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *s = valid[i];
		int upper = s[0] >= 'A' && s[0] <= 'Z';

		if (decode(s, strlen(s), hrp, sizeof(hrp), data, sizeof(data),
		    &n) != 0) {
			check(0, "valid string refused", s);
			continue;
		}
		check(bech32_encode(again, sizeof(again), hrp, data, n, upper)
		    == strlen(s) && strcmp(again, s) == 0,
		    "does not encode back to itself", s);
	}
}

static void
test_invalid(void)
{
	char hrp[128];
	unsigned char data[128];
	size_t i, n, len;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		len = invalid[i].len ? invalid[i].len : strlen(invalid[i].s);
		check(decode(invalid[i].s, len, hrp, sizeof(hrp), data,
		    sizeof(data), &n) == RP_MALFORMED, invalid[i].reason,
		    invalid[i].s);
	}
}

/* Known data, the padding boundaries, and what does not fit. */
static void
test_data(void)
{
	static const unsigned char abcdef[20] = {
		0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf,
		0x84, 0x65, 0x3a, 0x56, 0xd7, 0xc6, 0x75, 0xbe, 0x77, 0xdf
	};
	static const unsigned char ff4[4] = { 0xff, 0xff, 0xff, 0xff };
	const char *s = valid[3];
	char hrp[16], out[64];
	unsigned char data[32];
	size_t n = 0;

	check(decode(s, strlen(s), hrp, sizeof(hrp), data, sizeof(data), &n)
	    == 0 && n == 20 && memcmp(data, abcdef, 20) == 0 &&
	    strcmp(hrp, "abcdef") == 0, "wrong HRP or data", s);
	check(decode("a1qqqd87cq", 10, hrp, sizeof(hrp), data, sizeof(data),
	    &n) == 0 && n == 1 && data[0] == 0, "one zero byte", "a1qqqd87cq");
	check(decode("a1llllllc3gurde", 15, hrp, sizeof(hrp), data,
	    sizeof(data), &n) == 0 && n == 4 && memcmp(data, ff4, 4) == 0,
	    "3 zero bits of padding", "a1llllllc3gurde");
	check(decode("A12UEL5L", 8, hrp, sizeof(hrp), data, sizeof(data), &n)
	    == 0 && strcmp(hrp, "a") == 0 && n == 0,
	    "uppercase HRP not lowercased", "A12UEL5L");
	check(decode(s, strlen(s), hrp, 6, data, sizeof(data), &n) ==
	    RP_MALFORMED, "HRP longer than its buffer", s);
	check(decode(s, strlen(s), hrp, sizeof(hrp), data, 19, &n) ==
	    RP_MALFORMED, "data longer than its buffer", s);
	check(decode(s, strlen(s), hrp, 7, data, 20, &n) == 0,
	    "exact buffers refused", s);
	check(bech32_encode(out, strlen(s), "abcdef", abcdef, 20, 0) == 0,
	    "encode past its buffer", s);
	check(bech32_encode(out, strlen(s) + 1, "abcdef", abcdef, 20, 0) ==
	    strlen(s) && strcmp(out, s) == 0, "encode into exact buffer", s);
	check(bech32_encode(out, sizeof(out), "", abcdef, 20, 0) == 0,
	    "empty HRP encoded", "");
	check(bech32_encode(out, sizeof(out), "a b", abcdef, 20, 0) == 0,
	    "HRP with a space encoded", "a b");
	check(bech32_encode(out, sizeof(out), "ABCDEF", abcdef, 20, 0) ==
	    strlen(s) && strcmp(out, s) == 0, "uppercase HRP, lowercase out",
	    s);
}

/* BIP-173's code detects any single substitution. */
static void
test_substitutions(void)
{
	static const char set[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	char s[64], hrp[16];
	unsigned char data[32];
	size_t i, j, n, len;
	unsigned missed = 0;

	strcpy(s, valid[3]);
	len = strlen(s);
	for (i = 7; i < len; i++) {
		char orig = s[i];

		for (j = 0; j < 32; j++) {
			if (set[j] == orig)
				continue;
			s[i] = set[j];
			missed += decode(s, len, hrp, sizeof(hrp), data,
			    sizeof(data), &n) == 0;
		}
		s[i] = orig;
	}
	check(missed == 0, "a substituted character went unnoticed", s);
}

static void
test_round_trips(void)
{
	unsigned char data[64], back[64];
	char s[256], hrp[32];
	size_t len, n;
	int upper;

	gcry_randomize(data, sizeof(data), GCRY_WEAK_RANDOM);
	for (len = 0; len <= sizeof(data); len++) {
		for (upper = 0; upper < 2; upper++) {
			int ok = bech32_encode(s, sizeof(s), "age-secret-key-",
			    data, len, upper) > 0 &&
			    decode(s, strlen(s), hrp, sizeof(hrp), back,
			    sizeof(back), &n) == 0 && n == len &&
			    memcmp(back, data, len) == 0 &&
			    strcmp(hrp, "age-secret-key-") == 0;

			check(ok, "round trip", s);
		}
	}
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	test_valid();
	test_invalid();
	test_data();
	test_substitutions();
	test_round_trips();
	if (!failed)
		printf("Bech32: %u checks ok\n", checks);
	return failed ? EXIT_AUTH : EXIT_OK;
}
