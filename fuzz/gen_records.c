/* SPDX-License-Identifier: ISC */
/*
 * gen_records: write the seed corpus of fuzz_stream_records: record
 * sequences sealed under fuzz_record_keys(), as rsa-encrypt would write
 * them after the header.  Usage: gen_records DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/cli.h"
#include "core/common.h"
#include "stream/format.h"
#include "fuzz.h"
#include "core/io.h"
#include "stream/stream.h"

static unsigned char buf[4 * (STREAM_RECORD_MAX + STREAM_RECORD_OVERHEAD)];

/* Seal the given record sizes (the last one final) into one seed. */
static void
seed(const char *dir, const char *name, const size_t *sizes, size_t n)
{
	struct cipher_state c;
	struct io_output out;
	struct rp_error err;
	char path[4096];
	size_t i, j, off = 0;

	stream_cipher_open(&c, fuzz_record_keys());
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizes[i]; j++)
			buf[off + STREAM_RECORD_HEADER_LEN + j] =
			    (unsigned char)("chat line\n"[j % 10]);
		off += stream_record_seal(&c, buf + off, sizes[i], i + 1 == n);
	}
	stream_cipher_close(&c);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (io_output_create(&out, path, 0644, 0, &err) != 0 ||
	    io_write(out.fd, buf, off, path, &err) != 0 ||
	    io_output_finish(&out, &err) != 0)
		die_error(&err, EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	static const size_t empty[] = { 0 };
	static const size_t line[] = { 10 };
	static const size_t lines[] = { 10, 1, 25, 0 };
	static const size_t chat[] = { 6, 14, 3, 80, 2, 0 };
	static const size_t big[] = { 4096, 1 };
	static const size_t full[] = { STREAM_RECORD_MAX, 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: gen_records DIR\n");
		return EXIT_USAGE;
	}
	fuzz_init("gen_records");
	seed(argv[1], "empty", empty, 1);
	seed(argv[1], "line", line, 1);
	seed(argv[1], "lines", lines, 4);
	seed(argv[1], "chat", chat, 6);
	seed(argv[1], "big", big, 2);
	seed(argv[1], "full", full, 2);
	return 0;
}
