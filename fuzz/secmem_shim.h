/* SPDX-License-Identifier: ISC */
/*
 * secmem_shim.h: forced into lib/common.c in the fuzz build only.
 *
 * libgcrypt's secure memory is one mlock'ed pool that AddressSanitizer
 * cannot see into, so an overflow of a key or passphrase buffer would go
 * unnoticed.  In the fuzz build secure_alloc()/secure_free() use the
 * ordinary (instrumented) heap instead; nothing else changes.
 */
#include <stdlib.h>
#include <gcrypt.h>

#define gcry_malloc_secure(n) malloc(n)
#define gcry_free(p) free(p)
