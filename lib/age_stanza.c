/* SPDX-License-Identifier: ISC */
/* age_stanza.c: see age_stanza.h. */
#include "age_stanza.h"
