/* SPDX-License-Identifier: ISC */
/*
 * bytes-test: the byte cursor (lib/codec/bytes.h): big-endian integers
 * of each width, vectors within and outside their bounds, RP_MORE with
 * the exact length needed, sticky errors, trailing bytes, ssh mpints
 * (minimal and not), and the writer's overflow.  Exits 0 when every
 * check passes.
 */
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "unit.h"

static void
integers(void)
{
	static const unsigned char b[] = { 0x01, 0x02, 0x03, 0x04, 0x05,
	    0x06, 0x07, 0x08, 0x09, 0xfe };
	struct reader r;
	size_t v1, v2, v3, v4;

	rd_init(&r, b, sizeof(b));
	CHECK(rd_uint(&r, 1, &v1) == 0 && rd_uint(&r, 2, &v2) == 0 &&
	    rd_uint(&r, 3, &v3) == 0 && rd_uint(&r, 4, &v4) == 0 &&
	    v1 == 0x01 && v2 == 0x0203 && v3 == 0x040506 &&
	    v4 == 0x070809feUL, "widths 1 to 4, big-endian");
	CHECK(rd_left(&r) == 0 && rd_end(&r) == 0, "all read: rd_end is 0");
	rd_init(&r, b, 3);
	CHECK(rd_uint(&r, 2, &v1) == 0 && rd_uint(&r, 4, &v2) == RP_MORE &&
	    r.need == 6, "RP_MORE: 6 bytes needed for the second read");
	CHECK(rd_uint(&r, 1, &v3) == RP_MORE, "errors are sticky");
	rd_init(&r, b, 3);
	CHECK(rd_uint(&r, 2, &v1) == 0 && rd_end(&r) == RP_MALFORMED,
	    "a byte left over is RP_MALFORMED at rd_end");
}

static void
vectors(void)
{
	static const unsigned char b[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00,
	    0x00, 0x00, 0x09, 'x' };
	const unsigned char *p;
	struct reader r;
	size_t n;

	rd_init(&r, b, sizeof(b));
	CHECK(rd_vec(&r, 2, 1, 3, &p, &n) == 0 && n == 3 &&
	    memcmp(p, "abc", 3) == 0 && p == b + 2,
	    "a vector points into the buffer");
	CHECK(rd_vec(&r, 4, 0, 100, &p, &n) == RP_MORE && r.need == 18,
	    "a length past the end: RP_MORE, need 9 + 9");
	rd_init(&r, b, sizeof(b));
	CHECK(rd_vec(&r, 2, 4, 8, &p, &n) == RP_MALFORMED,
	    "a length under min is RP_MALFORMED");
	rd_init(&r, b, sizeof(b));
	CHECK(rd_vec(&r, 2, 0, 2, &p, &n) == RP_MALFORMED,
	    "a length over max is RP_MALFORMED");
	CHECK(rd_bytes(&r, 1, &p) == RP_MALFORMED, "and sticky");
	rd_init(&r, b, sizeof(b));
	CHECK(rd_bytes(&r, 11, &p) == RP_MORE && r.need == 11 &&
	    rd_left(&r) == sizeof(b), "rd_bytes past the end takes nothing");
	rd_init(&r, b, sizeof(b));
	CHECK(rd_bytes(&r, 2, &p) == 0 && rd_bytes(&r, SIZE_MAX, &p) ==
	    RP_MORE && r.need == SIZE_MAX, "need saturates, no overflow");
}

/* An mpint from its wire bytes; 0 and its value in *v, or the code. */
static int
mpint(const unsigned char *b, size_t n, int minimal, unsigned long *v)
{
	struct reader r;
	gcry_mpi_t m;
	unsigned int u = 0;
	int rc;

	rd_init(&r, b, n);
	if ((rc = rd_mpint(&r, 16, minimal, &m)) != 0)
		return m == NULL ? rc : 99;
	if (gcry_mpi_get_ui(&u, m) != 0)
		u = 0xdeadU;
	gcry_mpi_release(m);
	*v = u;
	return 0;
}

static void
mpints(void)
{
	static const unsigned char pos[] = { 0, 0, 0, 2, 0x01, 0x00 };
	static const unsigned char top[] = { 0, 0, 0, 2, 0x00, 0x80 };
	static const unsigned char lead[] = { 0, 0, 0, 2, 0x00, 0x7f };
	static const unsigned char zero[] = { 0, 0, 0, 1, 0x00 };
	static const unsigned char neg[] = { 0, 0, 0, 1, 0x80 };
	static const unsigned char empty[] = { 0, 0, 0, 0 };
	unsigned long v = 0;

	CHECK(mpint(pos, sizeof(pos), 1, &v) == 0 && v == 256, "256");
	CHECK(mpint(top, sizeof(top), 1, &v) == 0 && v == 128,
	    "a leading zero before a top bit is minimal");
	CHECK(mpint(lead, sizeof(lead), 1, &v) == RP_MALFORMED,
	    "a needless leading zero is not minimal");
	CHECK(mpint(lead, sizeof(lead), 0, &v) == 0 && v == 127,
	    "but is taken when minimal is not asked for");
	CHECK(mpint(zero, sizeof(zero), 1, &v) == RP_MALFORMED,
	    "zero has no minimal encoding");
	CHECK(mpint(neg, sizeof(neg), 0, &v) == RP_MALFORMED,
	    "a negative mpint is refused");
	CHECK(mpint(empty, sizeof(empty), 0, &v) == RP_MALFORMED,
	    "an empty mpint is refused");
}

static void
writer(void)
{
	unsigned char b[8];
	struct writer w;
	size_t len;

	memset(b, 0, sizeof(b));
	wr_init(&w, b, sizeof(b));
	wr_uint(&w, 2, 0x0102);
	wr_vec(&w, 1, "xyz", 3);
	CHECK(wr_finish(&w, &len) == 0 && len == 6 &&
	    memcmp(b, "\x01\x02\x03xyz", 6) == 0, "uint and vector written");
	wr_bytes(&w, "abc", 3);
	CHECK(w.overflow && wr_finish(&w, &len) == RP_MALFORMED &&
	    b[6] == 0, "a write that does not fit writes nothing");
	wr_init(&w, b, sizeof(b));
	wr_uint(&w, 1, 256);
	CHECK(w.overflow && w.off == 0, "a value too wide for its field");
	wr_init(&w, b, sizeof(b));
	CHECK(wr_reserve(&w, 8) == b && wr_reserve(&w, 1) == NULL &&
	    w.overflow, "wr_reserve up to the capacity and no further");
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	integers();
	vectors();
	mpints();
	writer();
	return unit_done("bytes");
}
