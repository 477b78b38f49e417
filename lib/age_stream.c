/* SPDX-License-Identifier: ISC */
/* age_stream.c: see age_stream.h. */
#include "age_stream.h"
