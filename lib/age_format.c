/* SPDX-License-Identifier: ISC */
/* age_format.c: see age_format.h. */
#include "age_format.h"
