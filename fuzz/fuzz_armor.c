/* SPDX-License-Identifier: ISC */
/*
 * fuzz_armor: "BEGIN RSAPIPE MESSAGE" armor as rsa-decrypt meets it: the
 * detection on the first bytes, then decoding in place in chunks of the
 * sizes read(2) might return (the first input byte picks them).
 */
#include <stdlib.h>
#include <string.h>

#include "api/detect.h"
#include "codec/armor.h"
#include "core/common.h"
#include "core/error.h"
#include "stream/format.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init("fuzz_armor");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum data_format format;
	struct armor_reader r;
	struct rp_error perr = { RP_OK, "" };
	unsigned char *buf;
	size_t chunk, off, n, out = 0;
	int a, failed = 0;

	if (size < 1 || size > 256 * 1024)
		return 0;
	chunk = (size_t)data[0] * 7 + 1;
	data++;
	size--;
	/* The detector decides on every input, and agrees with the armor
	 * reader's own test of its BEGIN line. */
	if (detect_format(data, size, &format) != 0)
		format = detect_format_final(data, size);
	a = armor_detect(data, size, STREAM_ARMOR_TITLE);
	if ((a == 1) != (format == FORMAT_RSAPIPE_ARMOR))
		abort();
	if (a != 1)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	armor_reader_open(&r, STREAM_ARMOR_TITLE);
	for (off = 0; off < size && !failed; off += n) {
		n = size - off < chunk ? size - off : chunk;
		/* Decoding happens in place: what comes out is never more
		 * than what went in. */
		if (armor_decode(&r, buf + off, n, &out, &perr) != 0) {
			if (perr.reason[0] == '\0')
				abort();
			failed = 1;
		} else if (out > n) {
			abort();
		}
	}
	if (armor_reader_close(&r, &perr) != 0 && perr.reason[0] == '\0')
		abort();
	free(buf);
	return 0;
}
