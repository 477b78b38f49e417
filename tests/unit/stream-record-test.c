/* SPDX-License-Identifier: ISC */
/*
 * stream-record-test: the record layer (lib/stream/stream_record.h,
 * doc/FORMAT.md section 3).  Sealed records are checked against an
 * AES-256-GCM computed here from the format's rules (nonce: the record
 * number in 11 big-endian bytes, then the final flag; AAD: the 4-byte
 * record header), then opened: in order, reordered, tampered with, with
 * another key, after the final record, with the counter exhausted; and
 * record headers parsed.  Exits 0 when every check passes.
 */
#include <stdint.h>
#include <string.h>

#include "../../tools/cli.h"
#include "core/common.h"
#include "core/error.h"
#include "stream/stream_record.h"
#include "unit.h"

#define REC_CAP (STREAM_RECORD_OVERHEAD + 64)

/* The record the format says: header, AES-256-GCM, tag. */
static size_t
expected(const unsigned char key[32], uint64_t counter, int final,
    const char *text, unsigned char *out)
{
	unsigned char nonce[STREAM_NONCE_LEN];
	size_t n = strlen(text), i;
	gcry_cipher_hd_t hd;

	out[0] = final ? STREAM_RECORD_FINAL : STREAM_RECORD_MORE;
	out[1] = (unsigned char)(n >> 16);
	out[2] = (unsigned char)(n >> 8);
	out[3] = (unsigned char)n;
	memset(nonce, 0, sizeof(nonce));
	for (i = 0; i < 8; i++)
		nonce[3 + i] = (unsigned char)(counter >> (56 - 8 * i));
	nonce[11] = final ? 1 : 0;
	if (gcry_cipher_open(&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    0) != 0 || gcry_cipher_setkey(hd, key, 32) != 0 ||
	    gcry_cipher_setiv(hd, nonce, sizeof(nonce)) != 0 ||
	    gcry_cipher_authenticate(hd, out, 4) != 0 ||
	    gcry_cipher_encrypt(hd, out + 4, n, text, n) != 0 ||
	    gcry_cipher_gettag(hd, out + 4 + n, STREAM_TAG_LEN) != 0)
		die(2, "reference AES-256-GCM failed");
	gcry_cipher_close(hd);
	return n + STREAM_RECORD_OVERHEAD;
}

/* Seal text as the next record of c into rec. */
static size_t
seal(struct cipher_state *c, const char *text, int final,
    unsigned char *rec)
{
	memcpy(rec + STREAM_RECORD_HEADER_LEN, text, strlen(text));
	return stream_record_seal(c, rec, strlen(text), final);
}

/* Parse and open the record at rec (a copy: opening is in place). */
static int
open_copy(struct cipher_state *c, const unsigned char *rec, size_t size,
    char *plain, struct rp_error *err)
{
	unsigned char buf[REC_CAP];
	size_t len;
	int final, rc;

	memcpy(buf, rec, size);
	if ((rc = stream_record_parse(buf, &len, &final, err)) != 0)
		return rc;
	if (len + STREAM_RECORD_OVERHEAD != size)
		return 99;
	if ((rc = stream_record_open(c, buf, len, final, err)) == 0) {
		memcpy(plain, buf + STREAM_RECORD_HEADER_LEN, len);
		plain[len] = '\0';
	}
	return rc;
}

static struct stream_keys keys, other;
static unsigned char rec[3][REC_CAP];
static size_t size[3];

static void
sealing(void)
{
	unsigned char want[REC_CAP], got[REC_CAP];
	struct cipher_state c;
	size_t n;

	stream_cipher_open(&c, &keys);
	size[0] = seal(&c, "first", 0, rec[0]);
	size[1] = seal(&c, "second record", 0, rec[1]);
	size[2] = seal(&c, "", 1, rec[2]);
	n = expected(keys.payload_key, 0, 0, "first", want);
	CHECK(size[0] == n && memcmp(rec[0], want, n) == 0,
	    "record 0 is the format's AES-256-GCM");
	n = expected(keys.payload_key, 1, 0, "second record", want);
	CHECK(size[1] == n && memcmp(rec[1], want, n) == 0,
	    "record 1: the counter is in the nonce");
	n = expected(keys.payload_key, 2, 1, "", want);
	CHECK(size[2] == n && memcmp(rec[2], want, n) == 0,
	    "the final record: its flag in the header and the nonce");
	CHECK(c.counter == 3 && c.finished, "counter 3, finished");
	stream_cipher_close(&c);
	/* Beyond 32 bits: both halves of the counter reach the nonce. */
	stream_cipher_open(&c, &keys);
	c.counter = 0x0102030405060708ULL;
	n = seal(&c, "high", 0, got);
	stream_cipher_close(&c);
	CHECK(n == expected(keys.payload_key, 0x0102030405060708ULL, 0,
	    "high", want) && memcmp(got, want, n) == 0,
	    "a 64-bit record number is in the nonce, big-endian");
}

static void
opening(void)
{
	struct cipher_state c;
	struct rp_error err = { RP_OK, "" };
	char plain[REC_CAP];

	stream_cipher_open(&c, &keys);
	CHECK(open_copy(&c, rec[0], size[0], plain, &err) == 0 &&
	    strcmp(plain, "first") == 0, "record 0 opens");
	CHECK(open_copy(&c, rec[1], size[1], plain, &err) == 0 &&
	    strcmp(plain, "second record") == 0, "record 1 opens");
	CHECK(open_copy(&c, rec[2], size[2], plain, &err) == 0 &&
	    c.finished, "the final record opens and ends the stream");
	CHECK(open_copy(&c, rec[2], size[2], plain, &err) == RP_MALFORMED &&
	    strcmp(err.reason, "trailing data after the final record") == 0,
	    "nothing after the final record");
	stream_cipher_close(&c);
	stream_cipher_open(&c, &keys);
	CHECK(open_copy(&c, rec[1], size[1], plain, &err) == RP_AUTH,
	    "record 1 first: reordered, refused");
	stream_cipher_close(&c);
	stream_cipher_open(&c, &keys);
	CHECK(open_copy(&c, rec[0], size[0], plain, &err) == 0 &&
	    open_copy(&c, rec[2], size[2], plain, &err) == RP_AUTH,
	    "a record dropped: the next is refused");
	stream_cipher_close(&c);
	stream_cipher_open(&c, &other);
	CHECK(open_copy(&c, rec[0], size[0], plain, &err) == RP_AUTH,
	    "another key: refused");
	stream_cipher_close(&c);
	stream_cipher_open(&c, &keys);
	c.counter = UINT64_MAX;
	CHECK(open_copy(&c, rec[0], size[0], plain, &err) == RP_REFUSED,
	    "an exhausted counter is refused");
	stream_cipher_close(&c);
}

/* Each byte of record 1 flipped in turn: every one is caught. */
static void
tampering(void)
{
	unsigned char bad[REC_CAP];
	struct cipher_state c;
	struct rp_error err = { RP_OK, "" };
	char plain[REC_CAP];
	size_t i, caught = 0;
	int rc;

	for (i = 0; i < size[1]; i++) {
		memcpy(bad, rec[1], size[1]);
		bad[i] ^= i < STREAM_RECORD_HEADER_LEN ? 0x01 : 0x80;
		stream_cipher_open(&c, &keys);
		(void)open_copy(&c, rec[0], size[0], plain, &err);
		rc = open_copy(&c, bad, size[1], plain, &err);
		caught += rc != 0;
		stream_cipher_close(&c);
	}
	CHECK(caught == size[1], "%zu of %zu flipped bytes caught", caught,
	    size[1]);
	/* The final flag flipped is caught by the tag, not only the
	 * header parse: a truncation cannot pass as an end. */
	memcpy(bad, rec[1], size[1]);
	bad[0] = STREAM_RECORD_FINAL;
	stream_cipher_open(&c, &keys);
	(void)open_copy(&c, rec[0], size[0], plain, &err);
	CHECK(open_copy(&c, bad, size[1], plain, &err) == RP_AUTH &&
	    strstr(err.reason, "authentication failed") != NULL,
	    "a record made final by its header: RP_AUTH");
	stream_cipher_close(&c);
}

static void
headers(void)
{
	static const struct { unsigned char h[4]; int rc; size_t len;
	    int final; } cases[] = {
		{ { 0x00, 0x00, 0x00, 0x01 }, 0, 1, 0 },
		{ { 0x01, 0x00, 0x00, 0x00 }, 0, 0, 1 },
		{ { 0x00, 0x01, 0x00, 0x00 }, 0, 65536, 0 },
		{ { 0x01, 0x01, 0x00, 0x01 }, RP_MALFORMED, 0, 0 },
		{ { 0x00, 0x00, 0x00, 0x00 }, RP_MALFORMED, 0, 0 },
		{ { 0x02, 0x00, 0x00, 0x01 }, RP_MALFORMED, 0, 0 },
		{ { 0x80, 0x00, 0x00, 0x01 }, RP_MALFORMED, 0, 0 },
	};
	struct rp_error err;
	size_t i, len;
	int final, rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = 12345;
		final = -1;
		rp_clear(&err);
		rc = stream_record_parse(cases[i].h, &len, &final, &err);
		CHECK(rc == cases[i].rc && (rc != 0 || (len == cases[i].len &&
		    final == cases[i].final)), "record header %zu", i);
	}
}

int
main(int argc, char **argv)
{
	(void)argc;
	rsapipe_init(argv[0]);
	gcry_randomize(keys.payload_key, sizeof(keys.payload_key),
	    GCRY_STRONG_RANDOM);
	memcpy(other.payload_key, keys.payload_key, 32);
	other.payload_key[31] ^= 1;
	sealing();
	opening();
	tampering();
	headers();
	return unit_done("stream_record");
}
