/* SPDX-License-Identifier: ISC */
/*
 * error.h: the one error convention below die() (doc/DESIGN.md section 5).
 *
 * A function that can fail on what it is given returns 0 or one of the
 * negative codes below, and, where a person must be told, sets *why to
 * a short static sentence.  Callers branch on the code, never on the
 * text.  Internal failures (out of memory, a libgcrypt call on values we
 * built) are not the input's fault and die with EXIT_USAGE instead.
 */
#ifndef RSAPIPE_ERROR_H
#define RSAPIPE_ERROR_H

enum rp_err {
	RP_OK = 0,
	RP_MORE = -1,        /* the input ends early: more bytes are needed */
	RP_MALFORMED = -2,   /* the bytes do not parse */
	RP_REFUSED = -3,     /* they parse, but are refused (a value out of
	                        range, an unsupported kind, a bad key) */
	RP_NOKEY = -4,       /* nothing in it for this key */
	RP_DECRYPT = -5,     /* something for this key that does not decrypt */
	RP_AUTH = -6,        /* a MAC, tag, signature or proof fails */
	RP_PASSPHRASE = -7   /* wrong passphrase or corrupt encrypted key */
};

#endif
