/* SPDX-License-Identifier: ISC */
/* input.c: the decryptors' input, its armor decoder chosen once (input.h). */
#include <string.h>

#include "api/input.h"
#include "core/error.h"
#include "stream/format.h"

/* The two armor readers behind filter.h's one decoder interface.  The
 * rsapipe armor decodes in place; age's reads raw and writes out. */
static int
stream_armor_decode(void *ctx, const unsigned char *raw, size_t len,
    unsigned char *out, size_t *outlen, struct rp_error *err)
{
	memcpy(out, raw, len);
	return armor_decode(ctx, out, len, outlen, err);
}

static int
stream_armor_finish(void *ctx, struct rp_error *err)
{
	return armor_reader_close(ctx, err);
}

static int
age_armor_decode_cb(void *ctx, const unsigned char *raw, size_t len,
    unsigned char *out, size_t *outlen, struct rp_error *err)
{
	return age_armor_decode(ctx, raw, len, out, outlen, err);
}

static int
age_armor_finish_cb(void *ctx, struct rp_error *err)
{
	return age_armor_finish(ctx, err);
}

void
input_open(struct input *in, int fd, const char *what,
    enum data_format format, size_t cap, const unsigned char *prefix,
    size_t prefix_len)
{
	struct filter_decoder dec;

	memset(in, 0, sizeof(*in));
	in->format = format;
	filter_input_start(&in->in, fd, what, cap, prefix, prefix_len);
	if (format == FORMAT_RSAPIPE_ARMOR) {
		/* The decoder skips the BEGIN line itself. */
		armor_reader_open(&in->armor, STREAM_ARMOR_TITLE);
		dec.decode = stream_armor_decode;
		dec.finish = stream_armor_finish;
		dec.ctx = &in->armor;
		filter_input_decode(&in->in, &dec);
	} else if (format == FORMAT_AGE_ARMOR) {
		age_armor_reader_open(&in->age_armor);
		dec.decode = age_armor_decode_cb;
		dec.finish = age_armor_finish_cb;
		dec.ctx = &in->age_armor;
		filter_input_decode(&in->in, &dec);
	}
}

void
input_close(struct input *in)
{
	if (in->format == FORMAT_AGE_ARMOR)
		age_armor_reader_free(&in->age_armor);
	else if (in->format == FORMAT_RSAPIPE_ARMOR)
		armor_reader_free(&in->armor);
	filter_input_close(&in->in);
}
