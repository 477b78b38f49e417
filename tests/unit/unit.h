/* SPDX-License-Identifier: ISC */
/*
 * unit.h: what the unit programs share: CHECK() counts a check and
 * names the one that failed; unit_done() prints the count and gives the
 * exit status (0 only when every check passed).
 */
#ifndef RSAPIPE_UNIT_H
#define RSAPIPE_UNIT_H

#include <stdio.h>

static unsigned unit_checks, unit_failed;

#define CHECK(cond, ...) do { \
	unit_checks++; \
	if (!(cond)) { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

static inline int
unit_done(const char *what)
{
	printf("%s: %u checks, %u failed\n", what, unit_checks, unit_failed);
	return unit_failed == 0 && unit_checks > 0 ? 0 : 1;
}

#endif
