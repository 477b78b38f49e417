/* SPDX-License-Identifier: ISC */
/* age.c: see age.h. */
#include "age.h"
