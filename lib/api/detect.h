/* SPDX-License-Identifier: ISC */
/*
 * detect.h: what kind of encrypted data an input holds, from its first
 * bytes.  The one detector: rsa-decrypt and the fuzz targets use it.
 */
#ifndef RSAPIPE_DETECT_H
#define RSAPIPE_DETECT_H

#include <stddef.h>

enum data_format {
	FORMAT_RSAPIPE,        /* "RSAPIPE" magic: a binary stream */
	FORMAT_RSAPIPE_ARMOR,  /* "-----BEGIN RSAPIPE MESSAGE-----" */
	FORMAT_AGE,            /* "age-encryption.org/" */
	FORMAT_AGE_ARMOR,      /* other armor-like text ("-----"), after
	                          optional blank space: age's armor, or a
	                          damaged BEGIN line that age's reader names */
	FORMAT_UNKNOWN         /* none of these: not encrypted data */
};

/*
 * Set *format from the first len bytes and return 0, or return RP_MORE
 * (core/error.h) while the bytes are still the start of more than one
 * answer (blank space alone is undecided: age armor may follow).  A
 * caller whose input ended, or who has read as much as it will, calls
 * detect_format_final() instead, which always decides: what is still
 * undecided then is FORMAT_UNKNOWN.
 */
int detect_format(const unsigned char *buf, size_t len,
    enum data_format *format);
enum data_format detect_format_final(const unsigned char *buf, size_t len);

/*
 * For an input that is to be read as an age file whatever it is (only
 * age keys were given): FORMAT_UNKNOWN with an armor line ("-----")
 * among the len bytes detect_format() decided on is FORMAT_AGE_ARMOR
 * with text before its BEGIN line, which age's strict armor reader
 * names; any other unknown input is left to the header parser ("not an
 * age file").  Other formats are returned as they are.
 */
enum data_format detect_format_as_age(const unsigned char *buf, size_t len,
    enum data_format format);

/* "rsapipe binary", "rsapipe armor", "age binary", "age armor" or
 * "not encrypted data". */
const char *detect_format_name(enum data_format format);

#endif
