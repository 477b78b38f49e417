/* SPDX-License-Identifier: ISC */
/*
 * write_all.h: the one loop that writes a whole buffer to a descriptor:
 * short writes finished, EINTR retried, a write of 0 taken as EPIPE (no
 * progress: the reader is gone).  What differs between its users is an
 * option, not another copy of the loop:
 *
 *	chunk   at most this many bytes per write(2) (0: no limit): a
 *	        pipe that polled writable promises room for PIPE_BUF bytes
 *	        only, so a deadline-bound writer stays within it
 *	ready   called before every write(2), and again after EINTR or
 *	        EAGAIN: 0 to write, or a negative rp_err to stop with (its
 *	        reason filled in): a poll against a deadline, a check that
 *	        a signal asked the writer to give up
 *
 * Without a ready hook EAGAIN is an error (a blocking descriptor never
 * gives it); with one, the hook is what waits.
 */
#ifndef RSAPIPE_WRITE_ALL_H
#define RSAPIPE_WRITE_ALL_H

#include <stddef.h>

#include "core/error.h"

struct write_all_opts {
	size_t chunk;
	int (*ready)(void *ctx, struct rp_error *err);
	void *ctx;
};

/*
 * Write the n bytes at buf to fd.  opts may be NULL (no chunk, no
 * hook).  0, the ready hook's code, RP_CLOSED when the reader is gone
 * (EPIPE, or a write of 0), or RP_IO; the reason is "write WHAT:
 * <strerror>" and errno is left as write(2) set it (EPIPE for a write
 * of 0).
 */
int write_all(int fd, const void *buf, size_t n, const char *what,
    const struct write_all_opts *opts, struct rp_error *err);

#endif
