/* SPDX-License-Identifier: ISC */
/*
 * detect-test: the format detector (lib/api/detect.h): each format from
 * its first bytes, every proper prefix of each magic "need more" (and
 * the final call then "not encrypted data"), blank space undecided, and
 * the ordering rule: the rsapipe armor only at the very first byte, any
 * other armor-like text after blank space age's.  Exits 0 when every
 * check passes.
 */
#include <string.h>

#include "api/detect.h"
#include "core/common.h"
#include "core/error.h"
#include "unit.h"

static const struct { const char *text; enum data_format f; } whole[] = {
	{ "RSAPIPE\x01\x00", FORMAT_RSAPIPE },
	{ "RSAPIPE", FORMAT_RSAPIPE },
	{ "age-encryption.org/v1\n", FORMAT_AGE },
	{ "age-encryption.org/v2\n", FORMAT_AGE },
	{ "-----BEGIN RSAPIPE MESSAGE-----\nUlNB", FORMAT_RSAPIPE_ARMOR },
	{ "-----BEGIN AGE ENCRYPTED FILE-----\n", FORMAT_AGE_ARMOR },
	{ " \t\r\n-----BEGIN AGE ENCRYPTED FILE-----", FORMAT_AGE_ARMOR },
	{ "\n-----BEGIN RSAPIPE MESSAGE-----\n", FORMAT_AGE_ARMOR },
	{ "-----BEGIN RSAPIPE MESSAGE---x", FORMAT_AGE_ARMOR },
	{ "------", FORMAT_AGE_ARMOR },
	{ "hello", FORMAT_UNKNOWN },
	{ "RSAPIPX", FORMAT_UNKNOWN },
	{ "age-encryption.orgX", FORMAT_UNKNOWN },
	{ "  x", FORMAT_UNKNOWN },
	{ "\0", FORMAT_UNKNOWN },
};

static void
formats(void)
{
	enum data_format f;
	size_t i, n;

	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		n = strlen(whole[i].text);
		if (n == 0)
			n = 1;  /* the NUL byte itself */
		f = FORMAT_UNKNOWN + 1;
		CHECK(detect_format((const unsigned char *)whole[i].text, n,
		    &f) == 0 && f == whole[i].f, "\"%s\": %s, got %s",
		    whole[i].text, detect_format_name(whole[i].f),
		    detect_format_name(f));
		CHECK(detect_format_final((const unsigned char *)whole[i].text,
		    n) == whole[i].f, "final \"%s\"", whole[i].text);
	}
}

/* Every proper prefix of a magic could still be it: RP_MORE, and when
 * the input ends there, not encrypted data. */
static void
prefixes(void)
{
	static const char *const magics[] = { "RSAPIPE",
	    "age-encryption.org/", "-----BEGIN RSAPIPE MESSAGE-----",
	    "  \n\t-----" };
	enum data_format f;
	size_t i, k, more, unknown;

	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		more = unknown = 0;
		for (k = 0; k < strlen(magics[i]); k++) {
			more += detect_format((const unsigned char *)magics[i],
			    k, &f) == RP_MORE;
			unknown += detect_format_final(
			    (const unsigned char *)magics[i], k) ==
			    FORMAT_UNKNOWN;
		}
		CHECK(more == k && unknown == k, "\"%s\": %zu of %zu prefixes "
		    "need more, %zu unknown at the end", magics[i], more, k,
		    unknown);
	}
	/* "-----" alone could still be the rsapipe armor's BEGIN line. */
	CHECK(detect_format((const unsigned char *)"-----BEGIN R", 12, &f) ==
	    RP_MORE, "a prefix of the rsapipe BEGIN line waits");
	CHECK(detect_format((const unsigned char *)"-----BEGIN A", 12, &f) ==
	    0 && f == FORMAT_AGE_ARMOR, "another BEGIN line is age's");
	CHECK(detect_format((const unsigned char *)"R", 1, &f) == RP_MORE &&
	    detect_format((const unsigned char *)"a", 1, &f) == RP_MORE &&
	    detect_format((const unsigned char *)"x", 1, &f) == 0 &&
	    f == FORMAT_UNKNOWN, "one byte decides only when it can");
}

static void
names(void)
{
	CHECK(strcmp(detect_format_name(FORMAT_RSAPIPE), "rsapipe binary") == 0
	    && strcmp(detect_format_name(FORMAT_RSAPIPE_ARMOR),
	    "rsapipe armor") == 0 &&
	    strcmp(detect_format_name(FORMAT_AGE), "age binary") == 0 &&
	    strcmp(detect_format_name(FORMAT_AGE_ARMOR), "age armor") == 0 &&
	    strcmp(detect_format_name(FORMAT_UNKNOWN),
	    "not encrypted data") == 0, "the five names");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	formats();
	prefixes();
	names();
	return unit_done("detect");
}
