/* SPDX-License-Identifier: ISC */
/* bech32.c: see bech32.h. */
#include "bech32.h"
