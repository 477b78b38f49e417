/* SPDX-License-Identifier: ISC */
/* write_all.c: see write_all.h. */
#include <errno.h>
#include <unistd.h>

#include "core/write_all.h"

int
write_all(int fd, const void *buf, size_t n, const char *what,
    const struct write_all_opts *opts, struct rp_error *err)
{
	static const struct write_all_opts none;
	const unsigned char *p = buf;
	size_t k;
	ssize_t w;
	int rc, saved;

	if (opts == NULL)
		opts = &none;
	while (n > 0) {
		if (opts->ready != NULL &&
		    (rc = opts->ready(opts->ctx, err)) != 0)
			return rc;
		k = opts->chunk != 0 && n > opts->chunk ? opts->chunk : n;
		w = write(fd, p, k);
		if (w < 0 && (errno == EINTR ||
		    (errno == EAGAIN && opts->ready != NULL)))
			continue;
		if (w == 0)
			errno = EPIPE;
		if (w <= 0) {
			saved = errno;  /* the reason's formatting may touch it */
			rc = rp_fail_errno(err, saved == EPIPE ? RP_CLOSED :
			    RP_IO, "write %s", what);
			errno = saved;
			return rc;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
