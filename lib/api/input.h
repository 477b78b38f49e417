/* SPDX-License-Identifier: ISC */
/*
 * input.h: the decryptors' input, opened once for the format the
 * detector named (detect.h): the buffer the format's driver wants and,
 * for armor, the format's own armor reader as filter.h's decoder.  The
 * drivers (stream.h, age.h) take it as it is and detect nothing again.
 */
#ifndef RSAPIPE_INPUT_H
#define RSAPIPE_INPUT_H

#include <stddef.h>

#include "age/age_armor.h"
#include "api/detect.h"
#include "codec/armor.h"
#include "core/filter.h"

struct input {
	struct filter_input in;
	enum data_format format;
	struct armor_reader armor;          /* FORMAT_RSAPIPE_ARMOR */
	struct age_armor_reader age_armor;  /* FORMAT_AGE_ARMOR */
};

/*
 * Open fd (not closed here), named what, as format, with the buffer of
 * cap bytes its driver wants (STREAM_INPUT_SIZE, AGE_INPUT_SIZE).  The
 * prefix_len bytes at prefix were read from fd to detect the format and
 * come first.
 */
void input_open(struct input *in, int fd, const char *what,
    enum data_format format, size_t cap, const unsigned char *prefix,
    size_t prefix_len);
void input_close(struct input *in);

#endif
