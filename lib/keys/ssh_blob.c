/* SPDX-License-Identifier: ISC */
/* ssh_blob.c: an RSA public key as an ssh-rsa wire blob. */
#include <stdlib.h>
#include <string.h>

#include "codec/bytes.h"
#include "core/common.h"
#include "core/error.h"
#include "keys/ssh_blob.h"

/* libgcrypt's SSH format is RFC 4251's mpint: uint32 length, minimal
 * two's complement bytes. */
static size_t
mpint_len(gcry_mpi_t m)
{
	size_t n;
	gcry_error_t e;

	if ((e = gcry_mpi_print(GCRYMPI_FMT_SSH, NULL, 0, &n, m)) != 0)
		rp_fatal("ssh mpint: %s", gcry_strerror(e));
	return n;
}

static void
put_mpint(struct writer *w, gcry_mpi_t m, size_t n)
{
	unsigned char *p;
	gcry_error_t e;

	if ((p = wr_reserve(w, n)) == NULL)
		rp_fatal("ssh blob: no room");
	if ((e = gcry_mpi_print(GCRYMPI_FMT_SSH, p, n, NULL, m)) != 0)
		rp_fatal("ssh mpint: %s", gcry_strerror(e));
}

unsigned char *
ssh_rsa_blob(const struct rsa_key *key, size_t *len)
{
	gcry_mpi_t n = NULL, e = NULL;
	struct writer w;
	unsigned char *blob;
	size_t elen, nlen, cap;
	gcry_error_t ge;

	ge = gcry_sexp_extract_param(key->pub, NULL, "ne", &n, &e, NULL);
	if (ge != 0)
		rp_fatal("ssh blob: %s", gcry_strerror(ge));
	elen = mpint_len(e);
	nlen = mpint_len(n);
	cap = 4 + 7 + elen + nlen;
	blob = rp_alloc(cap);
	wr_init(&w, blob, cap);
	wr_vec(&w, 4, "ssh-rsa", 7);
	put_mpint(&w, e, elen);
	put_mpint(&w, n, nlen);
	gcry_mpi_release(n);
	gcry_mpi_release(e);
	if (wr_finish(&w, len) != 0)
		rp_fatal("ssh blob: overflow");
	return blob;
}

int
ssh_rsa_blob_is(const struct rsa_key *key, const unsigned char *blob,
    size_t len)
{
	unsigned char *mine;
	size_t n;
	int same;

	mine = ssh_rsa_blob(key, &n);
	same = n == len && memcmp(mine, blob, n) == 0;
	free(mine);
	return same;
}
