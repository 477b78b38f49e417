/* SPDX-License-Identifier: ISC */
/*
 * fuzz_stream_records: the record loop of rsa-decrypt over arbitrary
 * bytes, under fixed stream keys (the seed records were sealed with the
 * same keys by gen_records, so mutations reach the cipher and the tag
 * check and not only the record header parser).
 */
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "stream/format.h"
#include "fuzz.h"
#include "stream/stream.h"

static struct stream_keys *keys;
static unsigned char *rec;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_stream_records");
	keys = fuzz_record_keys();
	/* A buffer of the exact record size, so ASan sees any overrun. */
	rec = malloc(STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD);
	if (rec == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cipher_state cipher;
	struct rp_error err = { RP_OK, "" };
	size_t off = 0, len;
	int final = 0;

	stream_cipher_open(&cipher, keys);
	while (size - off >= STREAM_RECORD_HEADER_LEN) {
		if (stream_record_parse(data + off, &len, &final, &err) != 0)
			break;
		if (len > STREAM_RECORD_MAX)
			abort();
		if (size - off < len + STREAM_RECORD_OVERHEAD)
			break; /* truncated */
		/* Decrypted in place in a buffer of exactly this record. */
		memcpy(rec, data + off, len + STREAM_RECORD_OVERHEAD);
		rp_clear(&err);
		if (stream_record_open(&cipher, rec, len, final, &err) != 0) {
			if (err.reason[0] == '\0')
				abort();
			break;
		}
		off += len + STREAM_RECORD_OVERHEAD;
		if (final) {
			/* Nothing may follow the final record: the cipher
			 * refuses to open another one. */
			if (!cipher.finished || (off < size &&
			    stream_record_open(&cipher, rec, 0, 1, &err) == 0))
				abort();
			break;
		}
	}
	stream_cipher_close(&cipher);
	return 0;
}
