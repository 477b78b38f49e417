/* SPDX-License-Identifier: ISC */
/* detect.c: the format of an input from its first bytes. */
#include <string.h>

#include "age/age_format.h"
#include "api/detect.h"
#include "core/error.h"
#include "stream/format.h"

#define ARMOR_DASHES "-----"

/* 1 if buf starts with s, RP_MORE if buf is a shorter prefix of s,
 * 0 if not. */
static int
starts_with(const unsigned char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len < n)
		return memcmp(buf, s, len) == 0 ? RP_MORE : 0;
	return memcmp(buf, s, n) == 0;
}

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The order is the rule: the binary magics, then the rsapipe armor (its
 * BEGIN line at the very first byte, as rsa-encrypt -a writes it), then
 * any armor-like text after blank space as age's: age allows blank space
 * before its armor, and a damaged BEGIN line is best reported by age's
 * strict armor reader.
 */
int
detect_format(const unsigned char *buf, size_t len, enum data_format *format)
{
	static const char stream_begin[] =
	    ARMOR_DASHES "BEGIN " STREAM_ARMOR_TITLE ARMOR_DASHES;
	int more = 0, r;
	size_t i;

	if ((r = starts_with(buf, len, STREAM_MAGIC)) == 1) {
		*format = FORMAT_RSAPIPE;
		return 0;
	}
	more |= r == RP_MORE;
	if ((r = starts_with(buf, len, AGE_MAGIC)) == 1) {
		*format = FORMAT_AGE;
		return 0;
	}
	more |= r == RP_MORE;
	if ((r = starts_with(buf, len, stream_begin)) == 1) {
		*format = FORMAT_RSAPIPE_ARMOR;
		return 0;
	}
	more |= r == RP_MORE;
	for (i = 0; i < len && is_blank(buf[i]); i++)
		continue;
	if ((r = starts_with(buf + i, len - i, ARMOR_DASHES)) == 1 && !more) {
		*format = FORMAT_AGE_ARMOR;
		return 0;
	}
	if (more || r == RP_MORE)
		return RP_MORE;
	*format = FORMAT_UNKNOWN;
	return 0;
}

enum data_format
detect_format_final(const unsigned char *buf, size_t len)
{
	enum data_format format;

	/* Still undecided when the input ended: none of the formats. */
	if (detect_format(buf, len, &format) != 0)
		return FORMAT_UNKNOWN;
	return format;
}

enum data_format
detect_format_as_age(const unsigned char *buf, size_t len,
    enum data_format format)
{
	if (format == FORMAT_UNKNOWN && len > 0 &&
	    memmem(buf, len, ARMOR_DASHES, strlen(ARMOR_DASHES)) != NULL)
		return FORMAT_AGE_ARMOR;
	return format;
}

const char *
detect_format_name(enum data_format format)
{
	switch (format) {
	case FORMAT_RSAPIPE:
		return "rsapipe binary";
	case FORMAT_RSAPIPE_ARMOR:
		return "rsapipe armor";
	case FORMAT_AGE:
		return "age binary";
	case FORMAT_AGE_ARMOR:
		return "age armor";
	case FORMAT_UNKNOWN:
		break;
	}
	return "not encrypted data";
}
