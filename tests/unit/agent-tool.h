/* SPDX-License-Identifier: ISC */
/* agent-tool.h: the parts of tests/unit/agent-tool in agent-checks.c. */
#ifndef RSAPIPE_AGENT_TOOL_H
#define RSAPIPE_AGENT_TOOL_H

#include <stddef.h>

/* All of fd (a message, a signature file), rp_alloc'd (free()). */
unsigned char *read_all_fd(int fd, size_t *len);
unsigned char *io_read_whole(const char *path, size_t *len);

/* The median of runs agent signatures beside file-key signatures. */
int cmd_bench(const char *sock, const char *pub, const char *priv,
    int runs);
/* The parsers and SSHSIG on hand-built input; key and other are two
 * private key files. */
int cmd_selftest(const char *key, const char *other);

#endif
