/* SPDX-License-Identifier: ISC */
/*
 * lines-test: the line cursor (lib/codec/lines.h): lines without their
 * LF, numbered, located; each option (CRLF, a last line without LF,
 * trailing blanks, a maximum length) doing its part and nothing when
 * not asked for; RP_MORE with the length needed; sticky errors; and the
 * field splitter.  Exits 0 when every check passes.
 */
#include <string.h>

#include "codec/lines.h"
#include "core/common.h"
#include "unit.h"

/* The next line as a string ("" for none), and the code. */
static int
next(struct lines *c, char *out, size_t cap)
{
	const unsigned char *p;
	size_t n;
	int rc;

	out[0] = '\0';
	if ((rc = lines_next(c, &p, &n)) == 0 && n < cap) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
	return rc;
}

#define S(s) (s), sizeof(s) - 1
#define U(s) (const unsigned char *)(s), sizeof(s) - 1

static void
plain_lines(void)
{
	struct lines c;
	char l[64];

	lines_init(&c, S("one\n\ntwo \r\nthree"), 0, 0);
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "one") == 0 &&
	    c.lineno == 1 && c.start == 0 && c.off == 4, "line 1");
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "") == 0 &&
	    c.lineno == 2 && c.start == 4, "an empty line is a line");
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "two \r") == 0 &&
	    c.lineno == 3 && c.start == 5,
	    "without options CR and blanks belong to the line");
	CHECK(next(&c, l, sizeof(l)) == RP_MORE && c.need == 17 &&
	    lines_left(&c) == 5,
	    "a last line without LF is RP_MORE, need one byte more");
	CHECK(next(&c, l, sizeof(l)) == RP_MORE, "RP_MORE is sticky");
	lines_init(&c, "", 0, LINES_LAST_OPEN, 0);
	CHECK(next(&c, l, sizeof(l)) == RP_MORE && c.lineno == 0,
	    "an empty buffer has no line");
}

static void
options(void)
{
	struct lines c;
	char l[64];

	lines_init(&c, S("a\r\nb\r\r\nc"), LINES_CRLF | LINES_LAST_OPEN, 0);
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "a") == 0,
	    "LINES_CRLF: CRLF is a line end");
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "b\r") == 0,
	    "LINES_CRLF takes one CR only");
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "c") == 0 &&
	    c.lineno == 3 && lines_left(&c) == 0,
	    "LINES_LAST_OPEN: a last line without LF");
	CHECK(next(&c, l, sizeof(l)) == RP_MORE && c.lineno == 3,
	    "and then the end");
	lines_init(&c, S("x \t\r \r\n\t y\t\n"), LINES_TRIM, 0);
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "x") == 0,
	    "LINES_TRIM: trailing blanks and CRs in any mix");
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "\t y") == 0,
	    "LINES_TRIM keeps leading blanks");
	lines_init(&c, S("1234\n12345\n1\n"), 0, 4);
	CHECK(next(&c, l, sizeof(l)) == 0 && strcmp(l, "1234") == 0,
	    "a line of the maximum length");
	CHECK(next(&c, l, sizeof(l)) == RP_MALFORMED && c.lineno == 2,
	    "a longer one is RP_MALFORMED, its number known");
	CHECK(next(&c, l, sizeof(l)) == RP_MALFORMED,
	    "RP_MALFORMED is sticky");
	lines_init(&c, S("1234 \t\n"), LINES_TRIM, 4);
	CHECK(next(&c, l, sizeof(l)) == 0, "the maximum applies after trim");
}

/* An incremental reader asks for c.need bytes and starts again. */
static void
incremental(void)
{
	static const char text[] = "age-encryption.org/v1\n-> X\n";
	size_t len = 3, lines_seen = 0;
	const unsigned char *p;
	struct lines c;
	size_t n, rounds = 0;

	for (;;) {
		lines_init(&c, text, len, 0, 0);
		lines_seen = 0;
		while (lines_next(&c, &p, &n) == 0)
			lines_seen++;
		if (lines_seen == 2 || ++rounds > 100)
			break;
		CHECK(c.err == RP_MORE && c.need == len + 1, "need at %zu",
		    len);
		len = c.need > sizeof(text) - 1 ? sizeof(text) - 1 : c.need;
	}
	CHECK(lines_seen == 2 && c.off == sizeof(text) - 1,
	    "two lines after asking for more");
}

static void
fields(void)
{
	struct line_fields f;

	CHECK(line_fields(U("  alice \tSHA256:abc  x y z"), 0, &f) == 0 &&
	    f.n == 5 && line_field_is(&f, 0, "alice") &&
	    line_field_is(&f, 1, "SHA256:abc") && line_field_is(&f, 3, "y") &&
	    !line_field_is(&f, 4, "z") && !line_field_is(&f, 0, "alic"),
	    "fields split on blanks, all counted, four kept");
	CHECK(line_fields(U("# a comment"), FIELDS_COMMENT, &f) == 0 &&
	    f.n == 0, "a comment has no fields");
	CHECK(line_fields(U("  #x y"), FIELDS_COMMENT, &f) == 0 && f.n == 0,
	    "a comment after blanks too");
	CHECK(line_fields(U("a #x"), FIELDS_COMMENT, &f) == 0 && f.n == 2,
	    "'#' later is a field");
	CHECK(line_fields(U("#x"), 0, &f) == 0 && f.n == 1,
	    "without FIELDS_COMMENT '#' is a field");
	CHECK(line_fields(U("a b\001c"), FIELDS_PRINTABLE, &f) ==
	    RP_MALFORMED, "FIELDS_PRINTABLE refuses a control byte");
	CHECK(line_fields(U("a \x80"), FIELDS_PRINTABLE, &f) == RP_MALFORMED,
	    "and a byte over 0x7e");
	CHECK(line_fields(U("# \001"), FIELDS_COMMENT | FIELDS_PRINTABLE,
	    &f) == 0, "a comment may hold any byte");
	CHECK(line_fields(U("a b\001c"), 0, &f) == 0 && f.n == 2,
	    "without FIELDS_PRINTABLE any byte but a blank");
	CHECK(line_fields(U(" \t "), 0, &f) == 0 && f.n == 0,
	    "a blank line has no fields");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	plain_lines();
	options();
	incremental();
	fields();
	return unit_done("lines");
}
